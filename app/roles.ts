import { getPriority, setPriority } from "node:os";
import { ConfigError } from "../core/errors.ts";
import { isPostgresLocation } from "../db/open.ts";
import { databaseLocation } from "../core/config.ts";
import type { Config } from "./config.ts";
import { roles, type Role } from "./role-config.ts";

export { roles, type Role };

/**
 * The role `npm start -- --role <role>` asks for (`--role=<role>` too), else ROLE, else `all`. Throws a
 * `ConfigError` naming the roles when the flag's value is not one (or the flag has none).
 */
export function roleOf(argv: string[], config: Pick<Config, "ROLE">): Role {
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg !== "--role" && !arg.startsWith("--role=")) continue;
    const value = arg === "--role" ? argv[i + 1] : arg.slice("--role=".length);
    if (!value || !(roles as readonly string[]).includes(value)) throw new ConfigError(`--role ${value ?? ""} is not a role; use one of ${roles.join(", ")}.`.replace("  ", " "));
    return value as Role;
  }
  return (config.ROLE as Role | undefined) ?? "all";
}

/**
 * Refuses a role that cannot work with this configuration, in one line: every role but `all` needs PostgreSQL
 * (DATABASE_URL; on SQLite one process owns the file and does everything) and a chain of its own (RPC_URL; the
 * embedded chain lives inside an `all` process).
 */
export function assertRoleFits(role: Role, config: Config): void {
  if (role === "all") return;
  if (!isPostgresLocation(databaseLocation(config)))
    throw new ConfigError(`--role ${role} needs PostgreSQL (DATABASE_URL): on SQLite one process does everything, so run --role all.`);
  if (!config.RPC_URL) throw new ConfigError(`--role ${role} needs RPC_URL: the embedded chain runs only inside a --role all process.`);
}

/**
 * A worker or indexer process lowers its own CPU priority to `nice` (BACKGROUND_NICE; 0 leaves it): where it shares
 * cores with web processes, Slack's acknowledgements (due within 3 seconds, and what a member waits on) go first, and
 * jobs and indexing take the time left. On cores of its own it changes nothing. Web and `all` processes keep theirs.
 */
export function yieldToRequests(role: Role, nice: number): void {
  if ((role === "worker" || role === "indexer") && nice > getPriority()) setPriority(nice);
}
