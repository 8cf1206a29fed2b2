import { connectionOf } from "./connection.ts";
import { DatabaseError } from "./errors.ts";
import type { TreasuryDatabase } from "./handle.ts";
import { migrations as allMigrations } from "./migrations/index.ts";
import type { Migration } from "./migrations/migration.ts";

/**
 * Applies every migration not applied yet, each in its own transaction, in
 * version order. Applied migrations are recorded by version in
 * `schema_migrations`, so one added later with a lower number is applied too.
 * (Databases made before that table existed are read from `user_version`.)
 */
export function applyMigrations(db: TreasuryDatabase, migrations: readonly Migration[] = allMigrations): void {
  const connection = connectionOf(db);
  connection.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
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
