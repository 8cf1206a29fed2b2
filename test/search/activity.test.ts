import assert from "node:assert/strict";
import { syncActivity } from "../../search/activity.ts";
import type { Embedder } from "../../search/embedder.ts";
import { ftsQuery, hybridSearch, searchActivity } from "../../search/search.ts";
import { countStoredVectors, embeddingBacklog, vectorModel } from "../../db/vectors.ts";
import { createEmbeddingWorker } from "../../search/worker.ts";
import { closeDatabase } from "../../db/open.ts";
import { openDatabase, testEngine } from "../helpers/database.ts";
import { buildFixtureDb, type FixtureDb } from "./fixture-db.ts";
import { connectionOf } from "../../db/connection.ts";
import { onlySafe } from "../helpers/safe-database.ts";

/** A small deterministic embedder (bag of hashed words), so worker mechanics run in milliseconds. */
function wordEmbedder(model = "test-words-64", dimensions = 64): Embedder & { calls: number } {
  const embedder = {
    model,
    calls: 0,
    dimensions: () => dimensions,
    ready: () => true,
    warmUp: async () => {},
    embed: async (texts: string[]) => {
      embedder.calls++;
      return texts.map((text) => {
        const v = new Float32Array(dimensions);
        for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
          let h = 0;
          for (const ch of word) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
          v[h % dimensions] += 1;
        }
        const norm = Math.hypot(...v) || 1;
        return v.map((x) => x / norm);
      });
    },
  };
  return embedder;
}

describe("search: activity, full-text and vector search", () => {
  let f: FixtureDb;
  beforeEach(() => {
    f = buildFixtureDb();
  });
  afterEach(() => f.close());

  it("builds one row per payment, deposit, proposal and message, idempotently", () => {
    const first = syncActivity(f.db);
    const kinds = Object.fromEntries(
      (connectionOf(f.db).prepare("SELECT kind, count(*) AS n FROM activity GROUP BY kind").all() as { kind: string; n: number }[]).map((r) => [r.kind, r.n]),
    );
    const payments = connectionOf(f.db).prepare("SELECT count(*) FROM payments").pluck().get();
    const deposits = connectionOf(f.db).prepare("SELECT count(*) FROM transfers WHERE direction = 'in'").pluck().get();
    const proposals = connectionOf(f.db).prepare("SELECT count(*) FROM proposals").pluck().get();
    const messages = connectionOf(f.db).prepare("SELECT count(*) FROM discussion_messages").pluck().get();
    assert.deepEqual(kinds, { payment: payments, deposit: deposits, proposal: proposals, message: messages });
    assert.equal(first.inserted, first.total);
    assert.deepEqual(syncActivity(f.db), { inserted: 0, updated: 0, deleted: 0, total: first.total });
    // The full-text index holds every row: SQLite's FTS5 table, or PostgreSQL's generated `activity.search` vector.
    const indexed = testEngine === "sqlite" ? "SELECT count(*) FROM activity_fts" : "SELECT count(*) FROM activity WHERE length(search) > 0";
    assert.equal(connectionOf(f.db).prepare(indexed).pluck().get(), first.total);
  });

  it("follows changes: a new status, an edited message, a rolled-back payment", () => {
    syncActivity(f.db);
    const p042 = f.hashOf("p042");
    connectionOf(f.db).prepare("UPDATE proposals SET status = 'cancelled' WHERE safe_tx_hash = ?").run(p042);
    connectionOf(f.db).prepare("UPDATE discussion_messages SET text = 'edited: nothing to see' WHERE safe_tx_hash = ?").run(p042);
    connectionOf(f.db).prepare("DELETE FROM payments WHERE safe_tx_hash = ?").run(f.hashOf("p036"));
    const result = syncActivity(f.db);
    assert.equal(result.updated, 2);
    assert.equal(result.deleted, 1);
    const status = connectionOf(f.db).prepare("SELECT status FROM activity WHERE ref = ?").pluck().get(`proposal:${p042}`);
    assert.equal(status, "cancelled");
    assert.equal(searchActivity(f.db, { query: "ignore previous instructions" }).filter((h) => h.kind === "message" && h.safeTxHash === p042).length, 0);
    assert.equal(searchActivity(f.db, { query: "edited nothing" })[0].safeTxHash, p042);
    assert.equal(connectionOf(f.db).prepare("SELECT count(*) FROM activity WHERE ref = ?").pluck().get(`payment:${f.hashOf("p036")}:0`), 0);
  });

  it("ranks by bm25 and filters by time, kind, token and counterparty", () => {
    syncActivity(f.db);
    const hits = searchActivity(f.db, { query: "security review audit" });
    assert.match(hits[0].title, /Lumen Audit/);
    const onlyPayments = searchActivity(f.db, { query: "Northwind Hosting", filters: { kinds: ["payment"], from: Date.UTC(2026, 5, 1) / 1000, to: Date.UTC(2026, 6, 1) / 1000 } });
    assert.equal(onlyPayments.length, 1);
    assert.match(onlyPayments[0].title, /240 USDC to Northwind Hosting/);
    const dai = searchActivity(f.db, { query: "contract work", filters: { token: "DAI", kinds: ["payment"] }, limit: 50 });
    assert.ok(dai.length >= 10 && dai.every((h) => h.symbol === "DAI"));
    const sam = searchActivity(f.db, { query: "contract", filters: { counterparty: f.addressOf("ivy") }, limit: 50 });
    assert.ok(sam.length > 0 && sam.every((h) => h.counterpartyLabel === "Ivy Tran"));
    assert.ok(searchActivity(f.db, { query: "contract", filters: { counterparty: "Ivy" }, limit: 50 }).length > 0);
  });

  it("treats SQL, regex and FTS5 syntax in a query as plain words", () => {
    syncActivity(f.db);
    for (const query of ["'; DROP TABLE activity; --", "(.*)[", '"NEAR(', "AND OR NOT", "title:*", "x".repeat(10_000), "", "\u0000\u202e"]) {
      assert.doesNotThrow(() => searchActivity(f.db, { query }), query.slice(0, 20));
    }
    assert.equal(ftsQuery('"NEAR( audit'), '"near" OR "audit"');
    assert.equal(ftsQuery("(.*)["), undefined);
    assert.ok(connectionOf(f.db).prepare("SELECT count(*) FROM activity").pluck().get());
  });

  it("embeds in the background, resumes a backlog after a restart, and re-embeds on a model change", async () => {
    syncActivity(f.db);
    const total = connectionOf(f.db).prepare("SELECT count(*) FROM activity").pluck().get() as number;
    const embedder = wordEmbedder();
    const worker = createEmbeddingWorker({ db: f.db, embedder, batchSize: 10 });
    // Stop after part of the work, as if the process died.
    await worker.drain().then(() => undefined);
    assert.equal(worker.backlog(), 0);
    connectionOf(f.db).prepare("DELETE FROM activity_embeddings WHERE activity_id % 2 = 0").run();
    assert.equal(embeddingBacklog(f.db, embedder.model), Math.floor(total / 2));
    // "Restart": a new worker on the same file drains what is left, in the background loop.
    closeDatabase(f.db);
    const db = onlySafe(openDatabase({ path: f.path }));
    f.db = db;
    const restarted = createEmbeddingWorker({ db, embedder, batchSize: 10, intervalMs: 10 });
    restarted.start();
    for (let i = 0; i < 200 && restarted.backlog() > 0; i++) await new Promise((r) => setTimeout(r, 10));
    await restarted.stop();
    assert.equal(restarted.backlog(), 0);
    assert.equal(vectorModel(db)?.model, "test-words-64");

    const result = await hybridSearch(db, { query: "hosting plan June", embedder, limit: 5 });
    assert.equal(result.mode, "hybrid");
    assert.ok(result.hits.some((h) => h.matchedBy.includes("meaning")));

    // Another model: everything is dropped and re-embedded, never mixed.
    const other = wordEmbedder("test-words-32", 32);
    const switched = createEmbeddingWorker({ db, embedder: other, batchSize: 50 });
    assert.equal(switched.backlog(), total);
    await switched.drain();
    assert.equal(switched.backlog(), 0);
    assert.deepEqual(vectorModel(db), { model: "test-words-32", dimensions: 32 });
    assert.equal(connectionOf(db).prepare("SELECT count(*) FROM activity_embeddings WHERE model != 'test-words-32'").pluck().get(), 0);
    assert.equal(countStoredVectors(db), total);
  });

  it("searches by words only, and says so with the backlog, when the model is slow or vectors are missing", async () => {
    syncActivity(f.db);
    const slow: Embedder = { ...wordEmbedder(), ready: () => false, embed: () => new Promise(() => {}) };
    const none = await hybridSearch(f.db, { query: "audit", embedder: slow });
    assert.equal(none.mode, "text");
    assert.match(none.note!, /words only.*no activity has been embedded.*waiting for embeddings/);
    await createEmbeddingWorker({ db: f.db, embedder: wordEmbedder() }).drain();
    const started = Date.now();
    const result = await hybridSearch(f.db, { query: "audit", embedder: slow, embedTimeoutMs: 100 });
    assert.ok(Date.now() - started < 2000);
    assert.equal(result.mode, "text");
    assert.match(result.note!, /did not answer within 100 ms/);
    assert.match(result.hits[0].title, /Lumen Audit/);
  });

  it("embeds with the offline model (no network, no key)", async function () {
    this.timeout(120_000);
    syncActivity(f.db);
    connectionOf(f.db).prepare("DELETE FROM activity WHERE kind != 'message'").run();
    const { createLocalEmbedder } = await import("../../search/embedder.ts");
    const embedder = createLocalEmbedder();
    const worker = createEmbeddingWorker({ db: f.db, embedder, batchSize: 16 });
    await worker.drain();
    assert.deepEqual(vectorModel(f.db), { model: "use-lite-512", dimensions: 512 });
    const result = await hybridSearch(f.db, { query: "why is the hosting bill more expensive", embedder, limit: 3 });
    assert.equal(result.mode, "hybrid");
    assert.match(result.hits.map((h) => h.body).join("\n"), /hosting up from 180 to 240|Pro plan/);
  });
});
