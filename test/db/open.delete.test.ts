import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readMeta, writeMeta } from "../../db/meta.ts";
import { closeDatabase, deleteDatabase, openDatabase } from "../../db/open.ts";
import { postgresUrlVariable, testDatabaseLocation, testEngine } from "../helpers/database.ts";

/** `deleteDatabase` (db/open.ts), as `npm run seed -- --force` uses it, on the engine the tests run on. */
describe("deleting the database (db/open deleteDatabase)", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "treasury-delete-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("deletes every record, and the next open starts from an empty, migrated database", () => {
    const location = testDatabaseLocation(join(dir, "treasury.db"));
    const other = testDatabaseLocation(join(dir, "other.db"));
    for (const path of [location, other]) {
      const db = openDatabase({ path });
      writeMeta(db, "assistant_model", "model-a");
      closeDatabase(db);
    }

    deleteDatabase({ path: location });
    if (testEngine === "sqlite") for (const suffix of ["", "-wal", "-shm"]) assert.equal(existsSync(location + suffix), false, `${location}${suffix} is gone`);
    const reopened = openDatabase({ path: location });
    const untouched = openDatabase({ path: other });
    try {
      assert.equal(readMeta(reopened, "assistant_model"), undefined, "the deleted database holds nothing");
      assert.equal(readMeta(untouched, "assistant_model"), "model-a", "another database is untouched");
    } finally {
      closeDatabase(reopened);
      closeDatabase(untouched);
    }
  });

  it("deletes a database that does not exist without complaint", () => {
    assert.doesNotThrow(() => deleteDatabase({ path: testDatabaseLocation(join(dir, "never-made.db")) }));
  });

  // PostgreSQL only: SQLite has no schemas.
  if (testEngine === "postgres")
    it("refuses PostgreSQL's public schema, which may hold more than the treasury", () => {
      const url = new URL(process.env[postgresUrlVariable]!);
      url.searchParams.delete("schema");
      assert.throws(() => deleteDatabase({ path: url.toString() }), /Will not delete the public schema/);
    });
});
