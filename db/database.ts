import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import * as sqliteVec from "sqlite-vec";
import { TreasuryError } from "../core/errors.ts";
import { migrations } from "./migrations/index.ts";

export type TreasuryDatabase = Database.Database;

/** A handle that only reads (the assistant's). Write paths take `TreasuryDatabase`. */
export type ReadableDatabase = Database.Database;

export class DatabaseError extends TreasuryError {
  override name = "DatabaseError";
}

export type OpenDatabaseParameters = {
  /** A file path, or ":memory:". Parent folders are created. */
  path: string;
  readonly?: boolean;
};

/**
 * Opens the treasury database: WAL mode, foreign keys on, sqlite-vec loaded,
 * and every migration applied. Returns only when the schema is current.
 */
export function openDatabase({ path, readonly = false }: OpenDatabaseParameters): TreasuryDatabase {
  if (path !== ":memory:" && !readonly) mkdirSync(dirname(path), { recursive: true });
  let db: TreasuryDatabase;
  try {
    db = new Database(path, { readonly, fileMustExist: readonly });
  } catch (cause) {
    throw new DatabaseError(`Cannot open the database at ${path}.`, { cause, details: String(cause) });
  }
  sqliteVec.load(db);
  if (!readonly) {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
  }
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  if (!readonly) applyMigrations(db);
  return db;
}

/** Applies the migrations not yet applied, each in its own transaction. */
export function applyMigrations(db: TreasuryDatabase): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}

/** Reads a value from the `meta` table. */
export function readMeta(db: TreasuryDatabase, key: string): string | undefined {
  const row = db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
  return row?.value;
}

/** Writes a value to the `meta` table. */
export function writeMeta(db: TreasuryDatabase, key: string, value: string): void {
  db.prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(
    key,
    value,
  );
}
