import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chooseVectorStore, pgvectorTurnedOff } from "../../db/choose-vector-store.ts";
import { connectionOf } from "../../db/connection.ts";
import type { TreasuryDatabase } from "../../db/handle.ts";
import { closeDatabase } from "../../db/open.ts";
import { pgvectorOffer, readPgvectors } from "../../db/pgvector.ts";
import { boundSafeId } from "../../db/safes.ts";
import { readStorageInfo } from "../../db/storage.ts";
import { vectorStoreOf } from "../../db/vector-store.ts";
import { countStoredVectors, readFloatVectors, readVectorsVersion } from "../../db/vectors.ts";
import { loadBinaryIndex } from "../../search/binary-index.ts";
import { nearestActivities, storeVectors, useVectorModel } from "../../search/vectors.ts";
import { testEngine } from "../helpers/database.ts";
import { openSafeDatabase } from "../helpers/safe-database.ts";

const dims = 64;
let seed = 11;
const random = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) - 0.5;
const randomVector = () => Float32Array.from({ length: dims }, random);

const bytesOf = (vector: Float32Array) => Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);

describe("db/choose-vector-store: which store serves vectors, decided at open and kept", function () {
  this.timeout(60_000);
  let dir: string;
  let path: string;
  const open: TreasuryDatabase[] = [];
  const openWith = (pgvector: "auto" | "off") => {
    const db = openSafeDatabase(path, { pgvector });
    open.push(db);
    return db;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "vector-store-"));
    path = join(dir, "t.db");
  });
  afterEach(() => {
    for (const db of open.splice(0)) closeDatabase(db);
    rmSync(dir, { recursive: true, force: true });
  });

  it("moves every vector to pgvector when it becomes allowed, and back when turned off, bit for bit, with no re-embedding", () => {
    const db = openWith("off");
    const offered = testEngine === "postgres" && pgvectorOffer(db).offered;
    assert.equal(vectorStoreOf(db), "in-process");
    const vectors = new Map<number, Float32Array>();
    useVectorModel(db, "test", dims);
    for (let id = 1; id <= 150; id++) {
      connectionOf(db)
        .prepare(`INSERT INTO activity (safe_id, id, ref, kind, occurred_at, title, body, content_hash, updated_at) VALUES (?, ?, ?, 'payment', 0, 't', 'b', 'h', 0)`)
        .run(boundSafeId(db), id, `test:${id}`);
      vectors.set(id, randomVector());
    }
    storeVectors(db, "test", [...vectors].map(([id, vector]) => ({ id, contentHash: "h", vector })));
    const query = randomVector();
    const before = nearestActivities(db, query, { limit: 10, mode: "exact" }).map((row) => row.id);
    if (testEngine === "postgres") {
      // (The extension may be installed in this database already, by an earlier test or process.)
      const state = !offered ? "not available" : pgvectorOffer(db).schema ? `installed, not used: ${pgvectorTurnedOff}` : `available, not installed: ${pgvectorTurnedOff}`;
      assert.equal(readStorageInfo(db).pgvector, state);
    }

    // Another process opens it allowing pgvector: the vectors move, in the same bits.
    const version = readVectorsVersion(db);
    const auto = openWith("auto");
    assert.equal(vectorStoreOf(db), offered ? "pgvector" : "in-process", "every handle reads the recorded choice");
    assert.equal(countStoredVectors(db), 150);
    if (offered) {
      assert.notEqual(readVectorsVersion(db), version);
      assert.deepEqual(readFloatVectors(db, 0, 1000), []);
      const moved = readPgvectors(db, 0, 1000);
      assert.equal(moved.length, 150);
      for (const { id, vector } of moved) assert.ok(bytesOf(vector).equals(bytesOf(vectors.get(id)!)), `vector ${id}`);
      assert.deepEqual(readStorageInfo(auto), { engine: "postgres", vectorSearch: "pgvector (hnsw)", pgvector: "in use" });
    }
    assert.deepEqual(
      nearestActivities(auto, query, { limit: 10, mode: "exact" }).map((row) => row.id),
      before,
    );

    // Turned off again: back to the floats and the in-process index.
    const off = openWith("off");
    assert.equal(vectorStoreOf(off), "in-process");
    const floats = readFloatVectors(off, 0, 1000);
    assert.equal(floats.length, 150);
    for (const { id, vector } of floats) assert.ok(bytesOf(vector).equals(bytesOf(vectors.get(id)!)), `vector ${id}`);
    assert.equal(loadBinaryIndex(off, dims / 8)?.size, 150);
    assert.deepEqual(
      nearestActivities(off, query, { limit: 10 }).map((row) => row.id),
      before,
    );
    if (offered) {
      assert.deepEqual(readStorageInfo(off), { engine: "postgres", vectorSearch: "in-process binary index", pgvector: `installed, not used: ${pgvectorTurnedOff}` });
      assert.equal(connectionOf(off).prepare("SELECT to_regclass('activity_pgvectors') IS NULL").pluck().get(), 1);
    }
  });

  it("chooses pgvector before any vector exists, makes its table with the first model, and reopening changes nothing", () => {
    const db = openWith("auto");
    const offered = testEngine === "postgres" && pgvectorOffer(db).offered;
    if (testEngine === "postgres") console.log(`      (this PostgreSQL server ${offered ? "offers" : "does not offer"} pgvector)`);
    assert.equal(readStorageInfo(db).vectorSearch, offered ? "pgvector (no vectors yet)" : "in-process binary index");
    const again = chooseVectorStore(db, { pgvector: "auto" });
    assert.equal(again.store, offered ? "pgvector" : "in-process");
    assert.equal(again.moved, 0);
    if (testEngine === "sqlite") assert.deepEqual(readStorageInfo(db), { engine: "sqlite", vectorSearch: "in-process binary index" });
    useVectorModel(db, "test", dims);
    assert.equal(readStorageInfo(db).vectorSearch, offered ? "pgvector (hnsw)" : "in-process binary index");
    // A model of another size remakes the table for it.
    useVectorModel(db, "wide", 4096 + 8);
    assert.equal(readStorageInfo(db).vectorSearch, offered ? "pgvector (exact scan)" : "in-process binary index");
    if (offered) assert.equal(connectionOf(db).prepare("SELECT atttypmod FROM pg_attribute WHERE attrelid = 'activity_pgvectors'::regclass AND attname = 'embedding'").pluck().get(), 4104);
  });
});
