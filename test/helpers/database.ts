/**
 * The test suite's one switch between engines: `TEST_DATABASE=postgres` runs
 * every test that opens a treasury database through here on PostgreSQL,
 * each SQLite path becoming its own schema (the same path, the same schema, so
 * a test that reopens a database, or a child process given its location,
 * finds it again). Unset, or `sqlite`, the tests use SQLite files as before.
 */
import { createHash, randomUUID } from "node:crypto";
import { closeDatabase, openDatabase as openTreasuryDatabase, openReadOnlyDatabase as openReadOnlyTreasuryDatabase, type OpenDatabaseParameters } from "../../db/open.ts";
import type { ReadableDatabase, TreasuryDatabase } from "../../db/handle.ts";

export { closeDatabase };

export type TestEngine = "sqlite" | "postgres";

/** The engine the tests run on. */
export const testEngine: TestEngine = process.env.TEST_DATABASE === "postgres" ? "postgres" : "sqlite";

/** Set by the suite's set-up (`postgres-suite.ts`) before any test runs, and inherited by child processes. */
export const postgresUrlVariable = "TREASURY_TEST_POSTGRES_URL";
/** Names this run's schemas, so runs side by side never share one; inherited by child processes. */
export const runVariable = "TREASURY_TEST_RUN";

/** The schema prefix of this test run. */
export function runPrefix(): string {
  const run = process.env[runVariable];
  if (!run) throw new Error(`TEST_DATABASE=postgres needs the suite's set-up (${runVariable} is not set): run the tests through mocha.`);
  return `t${run}_`;
}

/**
 * How a test opens its database. `pgvector: "off"` keeps vector search on the
 * in-process binary index on PostgreSQL even where the server offers pgvector
 * (for tests of that index); SQLite ignores it.
 */
export type TestDatabaseOptions = { pgvector?: "auto" | "off" };

/**
 * Where a test's database lives: the SQLite path itself, or on PostgreSQL the
 * URL of the schema standing for that path (":memory:" gets a new schema each time).
 */
export function testDatabaseLocation(path: string, { pgvector = "auto" }: TestDatabaseOptions = {}): string {
  if (testEngine === "sqlite") return path;
  const url = process.env[postgresUrlVariable];
  if (!url) throw new Error(`TEST_DATABASE=postgres needs the suite's set-up (${postgresUrlVariable} is not set): run the tests through mocha.`);
  const key = path === ":memory:" ? randomUUID() : path;
  const schema = `${runPrefix()}${createHash("sha256").update(key).digest("hex").slice(0, 16)}`;
  const location = new URL(url);
  location.searchParams.set("schema", schema);
  if (pgvector === "off") location.searchParams.set("pgvector", "off");
  return location.toString();
}

/** The environment a child process needs to open the same database (DATABASE_PATH, or DATABASE_URL on PostgreSQL). */
export function databaseEnvironment(path: string): { DATABASE_PATH: string; DATABASE_URL?: string } {
  return testEngine === "sqlite" ? { DATABASE_PATH: path } : { DATABASE_PATH: path, DATABASE_URL: testDatabaseLocation(path) };
}

/** `openDatabase` of `db/open.ts`, on the engine the tests run on. */
export function openDatabase({ path, ...options }: OpenDatabaseParameters & TestDatabaseOptions): TreasuryDatabase {
  return openTreasuryDatabase({ path: testDatabaseLocation(path, options) });
}

/** `openReadOnlyDatabase` of `db/open.ts`, on the engine the tests run on. */
export function openReadOnlyDatabase({ path }: OpenDatabaseParameters): ReadableDatabase {
  return openReadOnlyTreasuryDatabase({ path: testDatabaseLocation(path) });
}
