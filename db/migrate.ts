import type { PostgresConnection } from "./postgres/connection.ts";
import { connectionOf, engineOf } from "./connection.ts";
import { DatabaseError } from "./errors.ts";
import type { TreasuryDatabase } from "./handle.ts";
import { migrations as allMigrations } from "./migrations/index.ts";
import type { Migration } from "./migrations/migration.ts";
import { postgresMigrations } from "./migrations/postgres/index.ts";

const createLog = "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)";

/**
 * Applies every migration not applied yet, each in its own transaction, in
 * version order. Applied migrations are recorded by version in
 * `schema_migrations`, so one added later with a lower number is applied too.
 * (SQLite databases made before that table existed are read from `user_version`.)
 * On PostgreSQL the engine's own list is applied (`migrations/postgres/`),
 * under an advisory lock, so processes starting together apply each once.
 */
export function applyMigrations(db: TreasuryDatabase, migrations?: readonly Migration[]): void {
  if (engineOf(db) === "postgres") return applyPostgresMigrations(connectionOf(db) as unknown as PostgresConnection, migrations ?? postgresMigrations);
  migrations ??= allMigrations;
  const connection = connectionOf(db);
  connection.exec(createLog);
  const applied = new Set((connection.prepare("SELECT version FROM schema_migrations").pluck().all() as number[]).map(Number));
  if (applied.size === 0) {
    const legacy = connection.pragma("user_version", { simple: true }) as number;
    for (const migration of migrations) if (migration.version <= legacy) applied.add(migration.version);
    const record = connection.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, unixepoch())");
    for (const migration of migrations) if (applied.has(migration.version)) record.run(migration.version, migration.name);
  }
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    // PRAGMA foreign_keys cannot change inside a transaction: it is set around it.
    if (migration.foreignKeysOff) connection.pragma("foreign_keys = OFF");
    try {
      connection.transaction(() => {
        connection.exec(migration.sql);
        if (migration.foreignKeysOff) {
          // Only the references this migration made (older dangling rows, if any, are not its to judge).
          const broken = (connection.pragma("foreign_key_check") as { parent: string }[]).filter((row) => row.parent === "safes");
          if (broken.length > 0) throw new DatabaseError(`Migration ${migration.version} (${migration.name}) would leave ${broken.length} rows pointing at nothing; nothing was changed.`, { details: JSON.stringify(broken.slice(0, 5)) });
        }
        connection.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, unixepoch())").run(migration.version, migration.name);
        connection.pragma(`user_version = ${Math.max(migration.version, connection.pragma("user_version", { simple: true }) as number)}`);
      })();
    } finally {
      if (migration.foreignKeysOff) connection.pragma("foreign_keys = ON");
    }
  }
}

function applyPostgresMigrations(connection: PostgresConnection, migrations: readonly Migration[]): void {
  const applied = () => new Set((connection.prepare("SELECT version FROM schema_migrations").pluck().all() as number[]).map(Number));
  if (migrations.every((migration) => hasLog(connection) && applied().has(migration.version))) return;
  connection.transaction(() => {
    // Held to the end of this transaction: another process migrating the same schema waits, then finds it done.
    connection.prepare("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.schema_migrations'))").get();
    connection.execNative(createLog);
    const done = applied();
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      connection.execNative(migration.sql);
      connection.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, extract(epoch FROM now())::bigint)").run(migration.version, migration.name);
    }
  })();
}

function hasLog(connection: PostgresConnection): boolean {
  return connection.prepare("SELECT to_regclass('schema_migrations') IS NOT NULL").pluck().get() === 1;
}
