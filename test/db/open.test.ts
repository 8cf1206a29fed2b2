import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectionOf } from "../../db/connection.ts";
import { readMeta, writeMeta } from "../../db/meta.ts";
import { closeDatabase, openDatabase, openReadOnlyDatabase } from "../../db/open.ts";
import { applyMigrations } from "../../db/migrate.ts";
import { migrations } from "../../db/migrations/index.ts";
import type { Migration } from "../../db/migrations/migration.ts";

describe("opening the database (db/open)", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "treasury-open-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("gives the assistant a handle SQLite refuses every write through", () => {
    const path = join(dir, "treasury.db");
    const writer = openDatabase({ path });
    writeMeta(writer, "assistant_model", "model-a");
    closeDatabase(writer);

    const reader = openReadOnlyDatabase({ path });
    try {
      assert.equal(readMeta(reader, "assistant_model"), "model-a", "it reads");
      const sql = connectionOf(reader);
      assert.throws(() => sql.prepare("INSERT INTO meta (key, value) VALUES ('x', 'y')").run(), /readonly/i);
      assert.throws(() => sql.prepare("UPDATE meta SET value = '1' WHERE key = 'assistant_model'").run(), /readonly/i);
      assert.throws(() => sql.exec("DELETE FROM meta"), /readonly/i);
      assert.equal(readMeta(reader, "assistant_model"), "model-a", "nothing changed");
    } finally {
      closeDatabase(reader);
    }
  });

  it("refuses to open a read-only handle on a database that does not exist, with one line", () => {
    assert.throws(() => openReadOnlyDatabase({ path: join(dir, "missing.db") }), (error: Error & { shortMessage?: string }) => {
      assert.match(error.shortMessage ?? "", /^Cannot open the database at .*missing\.db\.$/);
      return true;
    });
  });

  it("applies a migration added later with a lower number than one already applied", () => {
    const db = openDatabase({ path: join(dir, "treasury.db") });
    try {
      const first: Migration = { version: 1001, name: "test first", sql: "CREATE TABLE test_first (id INTEGER)" };
      const later: Migration = { version: 1003, name: "test later", sql: "CREATE TABLE test_later (id INTEGER)" };
      const between: Migration = { version: 1002, name: "test between", sql: "CREATE TABLE test_between (id INTEGER)" };
      applyMigrations(db, [...migrations, first, later]);
      applyMigrations(db, [...migrations, first, between, later]);
      const sql = connectionOf(db);
      const applied = sql.prepare("SELECT version FROM schema_migrations WHERE version > 1000 ORDER BY version").pluck().all();
      assert.deepEqual(applied, [1001, 1002, 1003]);
      assert.ok(sql.prepare("SELECT 1 FROM sqlite_master WHERE name = 'test_between'").get(), "the migration ran");
    } finally {
      closeDatabase(db);
    }
  });
});
