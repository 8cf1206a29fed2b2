import Database from "better-sqlite3";
import * as sqliteVec from "sqlite-vec";
import { handleOf } from "../../db/connection.ts";
import type { TreasuryDatabase } from "../../db/handle.ts";
import { applyMigrations } from "../../db/migrate.ts";
import { migrations } from "../../db/migrations/index.ts";
import { postgresMigrations } from "../../db/migrations/postgres/index.ts";
import { PostgresConnection } from "../../db/postgres/connection.ts";
import { testDatabaseLocation, testEngine } from "./database.ts";

/**
 * A database at `path` (on the test's engine) with the schema of the migrations up to `version` and no later one:
 * rows written into it are what an older release left, for a test of the migration after it.
 */
export function databaseAtVersion(path: string, version: number): TreasuryDatabase {
  const location = testDatabaseLocation(path);
  if (testEngine === "postgres") {
    const db = handleOf(new PostgresConnection({ url: location }) as unknown as Database.Database);
    applyMigrations(db, postgresMigrations.filter((migration) => migration.version <= version));
    return db;
  }
  const connection = new Database(location);
  sqliteVec.load(connection);
  connection.pragma("foreign_keys = ON");
  const db = handleOf(connection);
  applyMigrations(db, migrations.filter((migration) => migration.version <= version));
  return db;
}
