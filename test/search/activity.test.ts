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
import type { Address, Hex } from "viem";
import { deleteDiscussionMessage, editDiscussionMessage, insertDiscussionMessage, setProposalCardPermalink } from "../../db/discussion.ts";
import { writeDepositNote } from "../../db/deposit-notes.ts";
import { setProposalStatus } from "../../db/proposals.ts";
import { rollbackTo } from "../../db/chain-mirror/write.ts";
import type { BlockHeader } from "../../db/chain-mirror/records.ts";

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
    const rows = Number(connectionOf(f.db).prepare("SELECT count(*) FROM activity").pluck().get());
    assert.equal(first.inserted, rows);
    assert.deepEqual(syncActivity(f.db), { inserted: 0, updated: 0, deleted: 0, compared: 0, full: false });
    // The full-text index holds every row: SQLite's FTS5 table, or PostgreSQL's generated `activity.search` vector.
    const indexed = testEngine === "sqlite" ? "SELECT count(*) FROM activity_fts" : "SELECT count(*) FROM activity WHERE length(search) > 0";
    assert.equal(Number(connectionOf(f.db).prepare(indexed).pluck().get()), rows);
  });

  it("follows changes: a new status, an edited message, a rolled-back payment", () => {
    syncActivity(f.db);
    const p042 = f.hashOf("p042");
    connectionOf(f.db).prepare("UPDATE proposals SET status = 'cancelled' WHERE safe_tx_hash = ?").run(p042);
    connectionOf(f.db).prepare("UPDATE discussion_messages SET text = 'edited: nothing to see' WHERE safe_tx_hash = ?").run(p042);
    // The block of the last payment is replaced (a reorg): the mirror is rolled back to the block before it.
    const last = connectionOf(f.db).prepare("SELECT safe_tx_hash AS safeTxHash, block_number AS block FROM payments ORDER BY block_number DESC LIMIT 1").get() as { safeTxHash: string; block: number };
    const ancestor = connectionOf(f.db).prepare("SELECT number, hash, parent_hash AS parentHash, timestamp FROM blocks WHERE number < ? ORDER BY number DESC LIMIT 1").get(last.block) as BlockHeader;
    const above = (table: string) => Number(connectionOf(f.db).prepare(`SELECT count(*) FROM ${table} WHERE block_number > ? AND amount != '0'${table === "transfers" ? " AND direction = 'in'" : ""}`).pluck().get(ancestor.number));
    const rolledBack = above("payments") + above("transfers");
    rollbackTo(f.db, { ...ancestor, number: Number(ancestor.number), timestamp: Number(ancestor.timestamp) });
    const result = syncActivity(f.db);
    assert.equal(result.updated, 2);
    assert.equal(result.deleted, rolledBack);
    assert.ok(rolledBack >= 1);
    const status = connectionOf(f.db).prepare("SELECT status FROM activity WHERE ref = ?").pluck().get(`proposal:${p042}`);
    assert.equal(status, "cancelled");
    assert.equal(searchActivity(f.db, { query: "ignore previous instructions" }).filter((h) => h.kind === "message" && h.safeTxHash === p042).length, 0);
    assert.equal(searchActivity(f.db, { query: "edited nothing" })[0].safeTxHash, p042);
    assert.equal(connectionOf(f.db).prepare("SELECT count(*) FROM activity WHERE ref = ?").pluck().get(`payment:${last.safeTxHash}:0`), 0);
  });

  describe("after the first sync, only what changed is compared", () => {
    const sql = (text: string, ...parameters: unknown[]) => connectionOf(f.db).prepare(text).run(...parameters);
    const value = (text: string, ...parameters: unknown[]) => connectionOf(f.db).prepare(text).pluck().get(...parameters);
    const rowCount = () => Number(value("SELECT count(*) FROM activity"));
    let top: { number: number; hash: string };
    /** What a sync from nothing would change now: nothing, if the incremental syncs kept every row right. */
    const rebuiltFromNothing = () => {
      sql("DELETE FROM activity_sync");
      return syncActivity(f.db);
    };
    /** A new block with one outgoing payment of a SafeTx, and the checkpoint moved to it, as the indexer writes them. */
    const indexPayment = (safeTxHash: string, amount: string) => {
      const number = top.number + 1;
      const hash = `0x${number.toString(16).padStart(64, "0")}`;
      sql("INSERT INTO blocks (safe_id, number, hash, parent_hash, timestamp) VALUES (1, ?, ?, ?, ?)", number, hash, top.hash, 1_800_000_000);
      sql(
        `INSERT INTO payments (safe_id, safe_tx_hash, batch_index, token, to_address, amount, block_number, block_time, tx_hash, log_index, confirmed)
         VALUES (1, ?, 0, NULL, ?, ?, ?, ?, ?, 0, 0)`,
        safeTxHash, f.addressOf("ivy"), amount, number, 1_800_000_000, hash,
      );
      sql("UPDATE checkpoint SET block_number = ?, block_hash = ? WHERE safe_id = 1", number, hash);
      top = { number, hash };
    };

    beforeEach(() => {
      const checkpoint = connectionOf(f.db).prepare("SELECT block_number AS number, block_hash AS hash FROM checkpoint").get() as { number: number; hash: string };
      top = { number: Number(checkpoint.number), hash: checkpoint.hash };
      assert.equal(syncActivity(f.db).full, true);
    });

    it("compares nothing when nothing changed", () => {
      assert.deepEqual(syncActivity(f.db), { inserted: 0, updated: 0, deleted: 0, compared: 0, full: false });
    });

    it("follows the talk, a status, a card's link and a deposit's note, and ends where a rebuild from nothing would", () => {
      // The proposal with the longest thread.
      const busiest = String(value("SELECT safe_tx_hash FROM discussion_messages WHERE safe_tx_hash IS NOT NULL GROUP BY safe_tx_hash ORDER BY count(*) DESC, safe_tx_hash LIMIT 1"));
      const before = rowCount();
      const thread = Number(value("SELECT count(*) FROM discussion_messages WHERE safe_tx_hash = ?", busiest));
      const deposit = connectionOf(f.db).prepare("SELECT tx_hash AS txHash, token, amount, from_address AS \"from\" FROM transfers WHERE direction = 'in' LIMIT 1").get() as {
        txHash: Hex; token: Address | null; amount: string; from: Address;
      };
      const [first, second] = connectionOf(f.db).prepare("SELECT channel_id AS channelId, message_ts AS messageTs FROM discussion_messages WHERE safe_tx_hash = ? ORDER BY id").all(busiest) as {
        channelId: string; messageTs: string;
      }[];
      assert.ok(first && second && thread >= 2, "busiest has a thread of at least two messages");

      insertDiscussionMessage(f.db, { safeTxHash: busiest, channelId: first.channelId, messageTs: "1900000000.000001", threadTs: null, authorId: "U0NEW", authorName: "Newcomer", text: "a late word on the audit invoice", postedAt: 1_900_000_000 });
      editDiscussionMessage(f.db, { ...first, text: "edited: nothing to see", editedAt: 1_900_000_001 });
      deleteDiscussionMessage(f.db, { ...second, deletedAt: 1_900_000_002 });
      writeDepositNote(f.db, { ...deposit, amount: BigInt(deposit.amount), memo: "dues for the spring retreat", addedBy: "U0NEW", createdAt: 1_900_000_003 });
      const result = syncActivity(f.db);
      assert.equal(result.full, false);
      assert.deepEqual([result.inserted, result.deleted], [1, 1]);
      assert.ok(result.updated >= 2, "the edited message and the noted deposit");
      // busiest's own rows (its proposal, payments and thread) and the deposit: a few rows, not the history.
      assert.ok(result.compared <= thread + 8 && result.compared < before / 4, `compared ${result.compared} of ${before}`);
      assert.equal(rowCount(), before);
      assert.equal(searchActivity(f.db, { query: "late word audit invoice" })[0]?.safeTxHash, busiest);
      assert.equal(searchActivity(f.db, { query: "spring retreat" })[0]?.txHash, deposit.txHash);

      setProposalCardPermalink(f.db, busiest, "https://example.slack.com/archives/C0/p1900000000000100");
      setProposalStatus(f.db, busiest as Hex, "cancelled", { at: 1_900_000_004, from: ["pending", "executed", "rejected", "failed", "replaced"] });
      assert.equal(syncActivity(f.db).full, false);
      assert.deepEqual(connectionOf(f.db).prepare("SELECT status, permalink FROM activity WHERE ref = ?").get(`proposal:${busiest}`), {
        status: "cancelled",
        permalink: "https://example.slack.com/archives/C0/p1900000000000100",
      });
      assert.deepEqual(syncActivity(f.db), { inserted: 0, updated: 0, deleted: 0, compared: 0, full: false });
      assert.deepEqual(rebuiltFromNothing(), { inserted: 0, updated: 0, deleted: 0, compared: rowCount(), full: true });
    });

    it("adds the payments indexed since, and compares everything again after a reorg or a new name", () => {
      const p042 = f.hashOf("p042");
      const before = rowCount();
      indexPayment(p042, "7000000000000000");
      const added = syncActivity(f.db);
      assert.equal(added.full, false);
      assert.equal(added.inserted, 1);
      assert.equal(rowCount(), before + 1);
      assert.match(String(value("SELECT title FROM activity WHERE ref = ?", `payment:${p042}:0`)), /^Paid 0\.007 ETH to Ivy Tran/);

      // The block it was in is replaced (a reorg): the mirror is rolled back below it, and every row is compared.
      const ancestor = connectionOf(f.db).prepare("SELECT number, hash, parent_hash AS parentHash, timestamp FROM blocks WHERE number = ?").get(top.number - 1) as BlockHeader;
      rollbackTo(f.db, { ...ancestor, number: Number(ancestor.number), timestamp: Number(ancestor.timestamp) });
      const rolledBack = syncActivity(f.db);
      assert.equal(rolledBack.full, true);
      assert.equal(rolledBack.deleted, 1);
      assert.equal(rowCount(), before);

      const renames = sql("UPDATE members SET name = 'Ivy T. Tran' WHERE name = 'Ivy Tran'").changes + sql("UPDATE address_book SET label = 'Ivy T. Tran' WHERE label = 'Ivy Tran'").changes;
      assert.equal(renames, 1);
      const renamed = syncActivity(f.db);
      assert.equal(renamed.full, true);
      assert.ok(renamed.updated > 0);
      assert.equal(Number(value("SELECT count(*) FROM activity WHERE counterparty_label = 'Ivy Tran'")), 0);
      assert.deepEqual(rebuiltFromNothing(), { inserted: 0, updated: 0, deleted: 0, compared: rowCount(), full: true });
    });
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
