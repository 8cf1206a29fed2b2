import assert from "node:assert/strict";
import { join } from "node:path";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { holdsLease, LeaseEngineError, releaseLease, tryTakeLease, tryTakeLeases } from "../../db/leases.ts";
import { closeDatabase, openDatabase } from "../../db/open.ts";
import type { TreasuryDatabase } from "../../db/handle.ts";
import { postgresSchemaForTests, type PostgresSchemaForTests } from "../helpers/postgres-schema.ts";

describe("leases: one holder per name on a PostgreSQL schema (db/leases.ts)", () => {
  let schema: PostgresSchemaForTests;
  let other: PostgresSchemaForTests;
  const open: TreasuryDatabase[] = [];
  const connect = (url: string) => {
    const db = openDatabase({ path: url });
    open.push(db);
    return db;
  };

  before(async () => {
    schema = await postgresSchemaForTests("leases");
    other = await postgresSchemaForTests("leases");
  });
  after(async () => {
    for (const db of open) closeDatabase(db);
    await schema?.drop();
    await other?.drop();
  });

  it("gives a lease to one connection at a time, and to another once the holder releases it or closes", () => {
    const a = connect(schema.url);
    const b = connect(schema.url);
    assert.equal(tryTakeLease(a, "indexer:1:0xabc"), true);
    assert.equal(tryTakeLease(a, "indexer:1:0xabc"), true, "taking a held lease again is true");
    assert.equal(tryTakeLease(b, "indexer:1:0xabc"), false);
    assert.equal(tryTakeLease(b, "indexer:1:0xdef"), true, "another name is another lease");
    assert.equal(holdsLease(a, "indexer:1:0xabc"), true);
    assert.equal(holdsLease(b, "indexer:1:0xabc"), false);

    // One release gives it up although it was taken twice: the second take did not stack.
    assert.equal(releaseLease(a, "indexer:1:0xabc"), true);
    assert.equal(tryTakeLease(b, "indexer:1:0xabc"), true);
    assert.equal(tryTakeLease(a, "indexer:1:0xabc"), false);

    // The holder's connection ends (as when its process dies): PostgreSQL releases the lease.
    closeDatabase(b);
    assert.equal(tryTakeLease(a, "indexer:1:0xabc"), true);
    assert.equal(tryTakeLease(a, "indexer:1:0xdef"), true);
  });

  it("takes many leases in one call, each only where no other connection holds it", () => {
    const a = connect(schema.url);
    const b = connect(schema.url);
    assert.equal(tryTakeLease(a, "indexer:1:0x02"), true);
    assert.deepEqual(tryTakeLeases(b, ["indexer:1:0x01", "indexer:1:0x02", "indexer:1:0x03", "indexer:1:0x01"]), ["indexer:1:0x01", "indexer:1:0x03", "indexer:1:0x01"]);
    assert.equal(holdsLease(b, "indexer:1:0x02"), false, "the lease another connection holds is not taken");
    assert.equal(tryTakeLease(a, "indexer:1:0x01"), false, "a lease taken in a batch is the same lock as one taken alone");
    assert.deepEqual(tryTakeLeases(b, ["indexer:1:0x03"]), ["indexer:1:0x03"], "a held lease is held again without PostgreSQL");
    // Released one by one as taken: the batch did not stack a lock twice for the name given twice.
    assert.equal(releaseLease(b, "indexer:1:0x01"), true);
    assert.equal(tryTakeLease(a, "indexer:1:0x01"), true);
    assert.deepEqual(tryTakeLeases(b, []), []);
  });

  it("scopes leases to the schema: two deployments on one server never share one", () => {
    const here = connect(schema.url);
    const there = connect(other.url);
    assert.equal(tryTakeLease(here, "slack-periodic"), true);
    assert.equal(tryTakeLease(there, "slack-periodic"), true);
  });

  it("refuses leases on SQLite", () => {
    const db = connect(join(mkdtempSync(join(tmpdir(), "leases-")), "treasury.db"));
    assert.throws(() => tryTakeLease(db, "x"), LeaseEngineError);
  });
});
