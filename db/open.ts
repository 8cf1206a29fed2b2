import { mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import * as sqliteVec from "sqlite-vec";
import { connectionOf, handleOf, poolOf } from "./connection.ts";
import { PostgresConnection } from "./postgres/connection.ts";
import { DatabaseError } from "./errors.ts";
import type { ReadableDatabase, TreasuryDatabase } from "./handle.ts";
import { applyMigrations } from "./migrate.ts";
import { chooseVectorStore } from "./choose-vector-store.ts";

export type OpenDatabaseParameters = {
  /**
   * A file path, or ":memory:" (SQLite; parent folders are created), or a
   * `postgres://` URL (PostgreSQL; an optional `schema` query parameter names
   * the schema that holds the tables, and `pgvector=off` keeps vector search
   * on the in-process binary index even where the server offers pgvector).
   */
  path: string;
};

/** True when `path` names a PostgreSQL database rather than a SQLite file. */
export const isPostgresLocation = (path: string): boolean => /^postgres(ql)?:\/\//i.test(path);

function connectPostgres(url: string, readonly: boolean): Database.Database {
  // It offers the part of better-sqlite3's connection that `db/` uses (see postgres/connection.ts).
  return new PostgresConnection({ url, readonly }) as unknown as Database.Database;
}

function connect(path: string, readonly: boolean): Database.Database {
  try {
    const connection = new Database(path, { readonly, fileMustExist: readonly });
    sqliteVec.load(connection);
    connection.pragma("busy_timeout = 5000");
    connection.pragma("foreign_keys = ON");
    return connection;
  } catch (cause) {
    throw new DatabaseError(`Cannot open the database at ${path}.`, { cause, details: String(cause) });
  }
}

/**
 * Opens the treasury database for reading and writing: on SQLite, WAL mode,
 * foreign keys on, sqlite-vec loaded; on either engine, every migration applied;
 * on PostgreSQL, the store that serves vector search chosen (pgvector where the
 * server offers it, db/choose-vector-store.ts). Returns only when the schema is current.
 */
export function openDatabase({ path }: OpenDatabaseParameters): TreasuryDatabase {
  if (isPostgresLocation(path)) {
    const connection = connectPostgres(path, false);
    const db = handleOf(connection);
    try {
      applyMigrations(db);
      chooseVectorStore(db, { pgvector: (connection as unknown as PostgresConnection).pgvector });
    } catch (error) {
      connection.close();
      throw error;
    }
    return db;
  }
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const connection = connect(path, false);
  connection.pragma("journal_mode = WAL");
  connection.pragma("synchronous = NORMAL");
  const db = handleOf(connection);
  applyMigrations(db);
  return db;
}

/**
 * Opens an existing treasury database that can only be read: the engine refuses
 * every write through it, and no write function of `db/` accepts its type.
 * Throws `DatabaseError` when the SQLite file does not exist (on PostgreSQL, a
 * missing schema shows at the first read).
 */
export function openReadOnlyDatabase({ path }: OpenDatabaseParameters): ReadableDatabase {
  if (isPostgresLocation(path)) return handleOf(connectPostgres(path, true)) as ReadableDatabase;
  return handleOf(connect(path, true)) as ReadableDatabase;
}

/** Closes the connection (safe to call twice). */
export function closeDatabase(db: ReadableDatabase): void {
  const connection = connectionOf(db);
  if (connection.open) connection.close();
}

/**
 * Opens the clients of a PostgreSQL database's pool now (a web process, before it serves: its acknowledgements use
 * them), not at the first requests. Nothing on SQLite.
 */
export async function openPool(db: ReadableDatabase): Promise<void> {
  await poolOf(db)?.open();
}

/** True until `closeDatabase`. */
export function isDatabaseOpen(db: ReadableDatabase): boolean {
  return connectionOf(db).open;
}

/** Runs `work` in one transaction: every write in it commits together, or none does. Nests. */
export function inTransaction<T>(db: TreasuryDatabase, work: () => T): T {
  return connectionOf(db).transaction(work)();
}

/** Answers a trivial query; throws when the database cannot be read. */
export function pingDatabase(db: ReadableDatabase): void {
  connectionOf(db).prepare("SELECT 1").get();
}

/**
 * Deletes the treasury database at `path` and everything in it: the SQLite file
 * with its WAL and shared-memory files, or the PostgreSQL schema the URL names
 * and its job queue's (`<schema>_boss`); the next `openDatabase` makes it again, empty. Refuses PostgreSQL's `public`
 * schema, which may hold more than the treasury. Call with the database closed.
 */
export function deleteDatabase({ path }: OpenDatabaseParameters): void {
  if (!isPostgresLocation(path)) {
    if (path !== ":memory:") for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
    return;
  }
  const connection = new PostgresConnection({ url: path });
  try {
    if (connection.schema === "public")
      throw new DatabaseError(`Will not delete the public schema of ${connection.name}; name the treasury's own schema in the URL (?schema=…), or empty it yourself.`);
    connection.execNative(`DROP SCHEMA IF EXISTS ${connection.schema} CASCADE; DROP SCHEMA IF EXISTS ${connection.schema}_boss CASCADE`);
  } finally {
    connection.close();
  }
}
