import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { removeActivity } from "../../search/activity.ts";
import { binaryCandidates, loadBinaryIndex } from "../../search/binary-index.ts";
import { quantizeBinary } from "../../db/vectors.ts";
import { nearestActivities, storeVectors, useVectorModel } from "../../search/vectors.ts";
import { closeDatabase, openDatabase as openSqliteDatabase } from "../../db/open.ts";
import { openDatabase, testEngine } from "../helpers/database.ts";
import type { TreasuryDatabase } from "../../db/handle.ts";
import { connectionOf } from "../../db/connection.ts";
import { forSafe, registerSafe } from "../../db/safes.ts";
import { onlySafe, openSafeDatabase, testSafeAddress } from "../helpers/safe-database.ts";

const dims = 96; // 12 bytes: not a multiple of the 16-byte SIMD chunk, so padding is exercised

let seed = 1;
const random = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) - 0.5;
const randomVector = () => Float32Array.from({ length: dims }, random);

function hamming(a: Uint8Array, b: Uint8Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) for (let x = a[i] ^ b[i]; x; x &= x - 1) d++;
  return d;
}

function addActivity(db: TreasuryDatabase, id: number): void {
  connectionOf(db).prepare(
    `INSERT INTO activity (safe_id, id, ref, kind, occurred_at, title, body, content_hash, updated_at) VALUES (1, ?, ?, 'message', 0, 't', 'b', 'h', 0)`,
  ).run(id, `test:${id}`);
}

describe("search/binary-index: in-memory Hamming scan", () => {
  let dir: string;
  let db: TreasuryDatabase;
  const vectors = new Map<number, Float32Array>();
  let reference: TreasuryDatabase | undefined;

  /**
   * A database holding the same vectors in sqlite-vec's tables, to compare with
   * sqlite-vec itself: the test's own database on SQLite; on PostgreSQL (which
   * has no sqlite-vec) a SQLite file opened directly, since this is about sqlite-vec.
   */
  const sqliteVec = (): TreasuryDatabase => {
    if (testEngine === "sqlite") return db;
    if (reference) return reference;
    const sqlite = openSqliteDatabase({ path: join(dir, "sqlite-vec.db") });
    reference = forSafe(sqlite, registerSafe(sqlite, { chainId: 31337, address: testSafeAddress, now: 0 }).id);
    useVectorModel(reference, "test", dims);
    for (const id of vectors.keys()) addActivity(reference, id);
    storeVectors(reference, "test", [...vectors].map(([id, vector]) => ({ id, contentHash: "h", vector })));
    return reference;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "binary-index-"));
    // On PostgreSQL this index is the fallback for servers without pgvector: pgvector is turned off here.
    db = openSafeDatabase(join(dir, "t.db"), { pgvector: "off" });
    useVectorModel(db, "test", dims);
    vectors.clear();
    for (let id = 1; id <= 300; id++) {
      addActivity(db, id);
      vectors.set(id, randomVector());
    }
    storeVectors(db, "test", [...vectors].map(([id, vector]) => ({ id, contentHash: "h", vector })));
  });
  afterEach(() => {
    closeDatabase(db);
    if (reference) closeDatabase(reference);
    reference = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it("quantizes like sqlite-vec's vec_quantize_binary", () => {
    for (const vector of [...vectors.values()].slice(0, 20)) {
      const sql = connectionOf(sqliteVec()).prepare("SELECT vec_quantize_binary(?)").pluck().get(Buffer.from(vector.buffer)) as Buffer;
      assert.deepEqual(Buffer.from(quantizeBinary(vector)), sql);
    }
  });

  it("returns exactly the rows nearest by Hamming distance, as many as asked", () => {
    const query = randomVector();
    const q = quantizeBinary(query);
    const distance = new Map([...vectors].map(([id, v]) => [id, hamming(q, quantizeBinary(v))]));
    for (const count of [1, 10, 57, 300, 1000]) {
      const ids = binaryCandidates(db, query, count)!;
      assert.equal(ids.length, Math.min(count, 300));
      assert.equal(new Set(ids).size, ids.length);
      const worstIn = Math.max(...ids.map((id) => distance.get(id)!));
      const chosen = new Set(ids);
      const bestOut = Math.min(...[...distance].filter(([id]) => !chosen.has(id)).map(([, d]) => d));
      assert.ok(worstIn <= bestOut, `count ${count}: ${worstIn} > ${bestOut}`);
    }
    // Same distances as sqlite-vec's own KNN over the vec0 table.
    const viaSqliteVec = nearestActivities(sqliteVec(), query, { limit: 10, scan: "sqlite-vec", candidates: 300 });
    const viaMemory = nearestActivities(db, query, { limit: 10, candidates: 300 });
    assert.deepEqual(viaMemory, viaSqliteVec);
  });

  it("follows writes in place, removals, other connections and rolled-back transactions", () => {
    const query = randomVector();
    const index = loadBinaryIndex(db, dims / 8)!;
    assert.equal(index.size, 300);
    // A new row whose vector is the query itself comes first; the copy is patched, not reloaded.
    addActivity(db, 301);
    storeVectors(db, "test", [{ id: 301, contentHash: "h", vector: query }]);
    assert.equal(loadBinaryIndex(db, dims / 8), index);
    assert.equal(index.size, 301);
    assert.equal(nearestActivities(db, query, { limit: 1 })[0].id, 301);
    // Changed vector for the same row: still one slot.
    const far = query.map((x) => -x);
    storeVectors(db, "test", [{ id: 301, contentHash: "h2", vector: far }]);
    assert.equal(index.size, 301);
    assert.notEqual(nearestActivities(db, query, { limit: 1 })[0].id, 301);
    // Removed rows leave the copy (swap-remove keeps the others findable).
    removeActivity(db, 301);
    removeActivity(db, 5);
    assert.equal(index.size, 299);
    assert.ok(!binaryCandidates(db, query, 1000)!.includes(5));
    assert.equal(binaryCandidates(db, vectors.get(300)!, 1)![0], 300);

    // Another connection writes: this one reloads on its next query.
    const other = onlySafe(openDatabase({ path: join(dir, "t.db"), pgvector: "off" }));
    addActivity(other, 302);
    storeVectors(other, "test", [{ id: 302, contentHash: "h", vector: query }]);
    closeDatabase(other);
    assert.equal(nearestActivities(db, query, { limit: 1 })[0].id, 302);
    const reloaded = loadBinaryIndex(db, dims / 8)!;
    assert.notEqual(reloaded, index);
    assert.equal(reloaded.size, 300);

    // Another connection writes, then this one writes before any query: its patch must not hide the other write.
    const third = onlySafe(openDatabase({ path: join(dir, "t.db"), pgvector: "off" }));
    addActivity(third, 304);
    const near = query.map((x, i) => (i === 0 ? -x : x));
    storeVectors(third, "test", [{ id: 304, contentHash: "h", vector: near }]);
    closeDatabase(third);
    addActivity(db, 305);
    storeVectors(db, "test", [{ id: 305, contentHash: "h", vector: randomVector() }]);
    assert.deepEqual(
      nearestActivities(db, near, { limit: 2 }).map((r) => r.id),
      [304, 302],
    );
    assert.equal(loadBinaryIndex(db, dims / 8)!.size, 302);
    removeActivity(db, 304);
    removeActivity(db, 305);

    // A write that rolls back leaves no trace in the copy.
    assert.throws(() =>
      connectionOf(db).transaction(() => {
        addActivity(db, 303);
        storeVectors(db, "test", [{ id: 303, contentHash: "h", vector: query.map((x) => x * 2) }]);
        throw new Error("abort");
      })(),
    );
    assert.ok(!binaryCandidates(db, query, 1000)!.includes(303));
    assert.equal(loadBinaryIndex(db, dims / 8)!.size, 300);
  });

  it("grows past its capacity and drops everything on a model change", () => {
    const index = loadBinaryIndex(db, dims / 8)!;
    const capacity = index.capacity;
    const extra = Array.from({ length: capacity }, (_, i) => 1000 + i);
    for (const id of extra) addActivity(db, id);
    storeVectors(db, "test", extra.map((id) => ({ id, contentHash: "h", vector: randomVector() })));
    assert.ok(index.capacity > capacity);
    assert.equal(index.size, 300 + capacity);
    assert.equal(binaryCandidates(db, vectors.get(42)!, 1)![0], 42);
    useVectorModel(db, "other", 64);
    assert.deepEqual(binaryCandidates(db, randomVector().subarray(0, 64), 10), []);
  });
});
