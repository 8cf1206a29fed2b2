import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beginBulkWrites } from "../../db/bulk-writes.ts";
import { connectionOf } from "../../db/connection.ts";
import { closeDatabase, openDatabase } from "../../db/open.ts";

describe("bulk writes (db/bulk-writes)", function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "bulk-writes-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("copies committed transactions into the database file on the worker, and puts the connection back as it was", async () => {
    const path = join(dir, "treasury.db");
    const db = openDatabase({ path });
    const connection = connectionOf(db);
    const cacheBefore = connection.pragma("cache_size", { simple: true });
    const autocheckpointBefore = connection.pragma("wal_autocheckpoint", { simple: true });
    connection.exec("CREATE TABLE bulk_test (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)");
    connection.pragma("wal_checkpoint(TRUNCATE)");
    const sizeBefore = statSync(path).size;

    const bulk = beginBulkWrites(db, { everyMs: 20 });
    assert.equal(connection.pragma("cache_size", { simple: true }), -65_536);
    const insert = connection.prepare("INSERT INTO bulk_test (payload) VALUES (?)");
    for (let batch = 0; batch < 20; batch++)
      connection.transaction(() => {
        for (let row = 0; row < 200; row++) insert.run(`row ${batch}:${row} ${"x".repeat(200)}`);
      })();
    // About 1 MB written, far below the writer's own checkpoint limit: what reaches the database file, the worker copied.
    for (let waited = 0; statSync(path).size <= sizeBefore + 500_000 && waited < 100; waited++) await new Promise((done) => setTimeout(done, 50));
    assert.ok(statSync(path).size > sizeBefore + 500_000, "the worker checkpointed the log into the database file");
    await bulk.stop();

    assert.equal(connection.pragma("cache_size", { simple: true }), cacheBefore);
    assert.equal(connection.pragma("wal_autocheckpoint", { simple: true }), autocheckpointBefore);
    closeDatabase(db);
    const again = openDatabase({ path });
    assert.equal((connectionOf(again).prepare("SELECT count(*) AS n FROM bulk_test").get() as { n: number }).n, 4_000, "every committed row is there after a reopen");
    closeDatabase(again);
  });

  it("changes only the page cache of an in-memory database", async () => {
    const db = openDatabase({ path: ":memory:" });
    const before = connectionOf(db).pragma("cache_size", { simple: true });
    const bulk = beginBulkWrites(db, { cacheKib: 1_024 });
    assert.equal(connectionOf(db).pragma("cache_size", { simple: true }), -1_024);
    await bulk.stop();
    assert.equal(connectionOf(db).pragma("cache_size", { simple: true }), before);
    closeDatabase(db);
  });
});
