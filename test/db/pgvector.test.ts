import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ActivityFilters, ActivityKind } from "../../db/activity.ts";
import { connectionOf } from "../../db/connection.ts";
import type { TreasuryDatabase } from "../../db/handle.ts";
import { closeDatabase } from "../../db/open.ts";
import { pgvectorOffer } from "../../db/pgvector.ts";
import { boundSafeId } from "../../db/safes.ts";
import { readStorageInfo } from "../../db/storage.ts";
import { vectorStoreOf } from "../../db/vector-store.ts";
import { countStoredVectors } from "../../db/vectors.ts";
import { removeActivity } from "../../search/activity.ts";
import { searchActivity } from "../../search/search.ts";
import { nearestActivities, storeVectors, useVectorModel } from "../../search/vectors.ts";
import { testEngine } from "../helpers/database.ts";
import { openSafeDatabase } from "../helpers/safe-database.ts";

let seed = 7;
const random = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) - 0.5;
const randomVector = (dims: number) => Float32Array.from({ length: dims }, random);
const kinds: ActivityKind[] = ["payment", "deposit", "proposal", "message"];

/** Cosine distance in double precision, computed here, independently of pgvector and sqlite-vec. */
function cosineDistance(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return 1 - dot / Math.sqrt(aa * bb);
}

type Row = { id: number; kind: ActivityKind; occurredAt: number; vector: Float32Array };

/** The `limit` rows nearest to `query` among `rows`, by brute force (ties by id). */
function bruteForce(rows: Row[], query: Float32Array, limit: number): { id: number; distance: number }[] {
  return rows
    .map((row) => ({ id: row.id, distance: cosineDistance(row.vector, query) }))
    .sort((a, b) => a.distance - b.distance || a.id - b.id)
    .slice(0, limit);
}

function addActivity(db: TreasuryDatabase, row: Row): void {
  connectionOf(db)
    .prepare(`INSERT INTO activity (safe_id, id, ref, kind, occurred_at, title, body, content_hash, updated_at) VALUES (?, ?, ?, ?, ?, 't', 'b', 'h', 0)`)
    .run(boundSafeId(db), row.id, `test:${row.id}`, row.kind, row.occurredAt);
}

function fill(db: TreasuryDatabase, dims: number, count: number): Row[] {
  const rows: Row[] = Array.from({ length: count }, (_, i) => ({ id: i + 1, kind: kinds[i % 4]!, occurredAt: 1_000 + i, vector: randomVector(dims) }));
  useVectorModel(db, `test-${dims}`, dims);
  for (const row of rows) addActivity(db, row);
  storeVectors(db, `test-${dims}`, rows.map(({ id, vector }) => ({ id, contentHash: "h", vector })));
  return rows;
}

/** The same ids in the same order, and each distance within float rounding of the brute-force one. */
function assertSameNearest(actual: { id: number; distance: number }[], expected: { id: number; distance: number }[], label: string): void {
  assert.deepEqual(
    actual.map((row) => row.id),
    expected.map((row) => row.id),
    label,
  );
  actual.forEach((row, i) => assert.ok(Math.abs(row.distance - expected[i]!.distance) < 1e-5, `${label}: distance of ${row.id}`));
}

describe("db/pgvector: vectors stored and searched by pgvector where the server offers it", function () {
  this.timeout(60_000);
  let dir: string;
  let db: TreasuryDatabase;
  // Whether this run's server offers pgvector: on one that does not, each test asserts the fallback instead.
  let offered = false;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "pgvector-"));
    db = openSafeDatabase(join(dir, "t.db"));
    offered = testEngine === "postgres" && pgvectorOffer(db).offered;
    if (testEngine === "postgres") console.log(`      (this PostgreSQL server ${offered ? "offers" : "does not offer"} pgvector)`);
  });
  afterEach(() => {
    closeDatabase(db);
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves vector search with an HNSW index where offered, else the in-process index, and /healthz's storage says which", () => {
    const rows = fill(db, 96, 300);
    const storage = readStorageInfo(db);
    if (offered) {
      assert.equal(vectorStoreOf(db), "pgvector");
      assert.deepEqual(storage, { engine: "postgres", vectorSearch: "pgvector (hnsw)", pgvector: "in use" });
      // The vectors are in pgvector's column, not in the float table.
      assert.equal(connectionOf(db).prepare("SELECT count(*) FROM activity_vectors").pluck().get(), 0);
      assert.equal(connectionOf(db).prepare("SELECT count(*) FROM activity_pgvectors").pluck().get(), 300);
      assert.equal(connectionOf(db).prepare("SELECT to_regclass('activity_pgvectors_hnsw') IS NOT NULL").pluck().get(), 1);
    } else {
      assert.equal(vectorStoreOf(db), "in-process");
      assert.equal(storage.vectorSearch, "in-process binary index");
      assert.equal(storage.pgvector, testEngine === "postgres" ? "not available" : undefined);
    }
    assert.equal(countStoredVectors(db), 300);
    // Either way the answers are the nearest rows by cosine distance.
    for (let q = 0; q < 5; q++) {
      const query = randomVector(96);
      const expected = bruteForce(rows, query, 10);
      assertSameNearest(nearestActivities(db, query, { limit: 10, mode: "exact" }), expected, `exact, query ${q}`);
      assertSameNearest(nearestActivities(db, query, { limit: 10 }), expected, `default, query ${q}`);
    }
  });

  it("applies search filters (time, kind, and the Safe) before taking the nearest", () => {
    const rows = fill(db, 96, 400);
    const cases: { filters: ActivityFilters; keep: (row: Row) => boolean }[] = [
      { filters: { kinds: ["deposit"] }, keep: (row) => row.kind === "deposit" },
      { filters: { from: 1_100, to: 1_130 }, keep: (row) => row.occurredAt >= 1_100 && row.occurredAt < 1_130 },
      // A filter that drops nearly everything still gives every matching row (3 of 400).
      { filters: { kinds: ["message"], from: 1_000, to: 1_010 }, keep: (row) => row.kind === "message" && row.occurredAt < 1_010 },
    ];
    for (const { filters, keep } of cases) {
      const query = randomVector(96);
      const expected = bruteForce(rows.filter(keep), query, 10);
      for (const mode of ["binary", "exact"] as const)
        assertSameNearest(nearestActivities(db, query, { limit: 10, mode, filters }), expected, `${JSON.stringify(filters)} ${mode}`);
    }
    // Another Safe's rows never appear under a filter.
    const other = openSafeDatabase(join(dir, "t.db"), { address: "0x5afE00000000000000000000000000000000beef" });
    try {
      const query = randomVector(96);
      const foreign: Row = { id: 10_001, kind: "deposit", occurredAt: 1_050, vector: query };
      addActivity(other, foreign);
      storeVectors(other, "test-96", [{ id: foreign.id, contentHash: "h", vector: query }]);
      assert.equal(nearestActivities(db, query, { limit: 1 })[0]!.id, foreign.id, "unfiltered: every stored vector, as before");
      const filtered = nearestActivities(db, query, { limit: 5, filters: { kinds: ["deposit"] } });
      assertSameNearest(filtered, bruteForce(rows.filter((row) => row.kind === "deposit"), query, 5), "filtered: this Safe's rows only");
    } finally {
      closeDatabase(other);
    }
  });

  it("breaks distance ties by id, returns as many rows as asked past the index's default depth, and follows removals", () => {
    const rows = fill(db, 96, 300);
    const query = randomVector(96);
    // Three more rows with the query's own vector: distance 0, listed by id.
    const twins: Row[] = [303, 301, 302].map((id) => ({ id, kind: "payment", occurredAt: 5_000, vector: query }));
    for (const twin of twins) addActivity(db, twin);
    storeVectors(db, "test-96", twins.map(({ id, vector }) => ({ id, contentHash: "h", vector })));
    const all = [...rows, ...twins];
    assert.deepEqual(
      nearestActivities(db, query, { limit: 3 }).map((row) => row.id),
      [301, 302, 303],
    );
    // 60 rows: more than pgvector's default ef_search (40).
    assertSameNearest(nearestActivities(db, query, { limit: 60, mode: "exact" }), bruteForce(all, query, 60), "exact, 60");
    assert.equal(nearestActivities(db, query, { limit: 60 }).length, 60);
    removeActivity(db, 301);
    assert.deepEqual(
      nearestActivities(db, query, { limit: 2 }).map((row) => row.id),
      [302, 303],
    );
    assert.equal(countStoredVectors(db), 302);
  });

  it("indexes a half-precision copy above 2,000 dimensions and still ranks by the full vectors", () => {
    const rows = fill(db, 2048, 120);
    const storage = readStorageInfo(db);
    assert.equal(storage.vectorSearch, offered ? "pgvector (hnsw over halfvec)" : "in-process binary index");
    const query = randomVector(2048);
    const expected = bruteForce(rows, query, 10);
    assertSameNearest(nearestActivities(db, query, { limit: 10, mode: "exact" }), expected, "exact");
    assertSameNearest(nearestActivities(db, query, { limit: 10 }), expected, "default");
    const deposits = bruteForce(rows.filter((row) => row.kind === "deposit"), query, 5);
    assertSameNearest(nearestActivities(db, query, { limit: 5, filters: { kinds: ["deposit"] } }), deposits, "filtered");
  });

  it("feeds the hybrid search's meaning side", () => {
    const rows = fill(db, 96, 200);
    const target = rows[123]!;
    const hits = searchActivity(db, { query: "zzz-no-such-word", queryVector: target.vector, limit: 3 });
    assert.equal(hits[0]?.id, target.id);
    assert.deepEqual(hits[0]?.matchedBy, ["meaning"]);
  });
});
