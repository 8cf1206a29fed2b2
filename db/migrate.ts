import { connectionOf } from "./connection.ts";
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
    connection.transaction(() => {
      connection.exec(migration.sql);
      connection.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, unixepoch())").run(migration.version, migration.name);
      connection.pragma(`user_version = ${Math.max(migration.version, connection.pragma("user_version", { simple: true }) as number)}`);
    })();
  }
}
