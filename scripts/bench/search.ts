/**
 * `npm run bench:search [-- --sizes 100000,1000000 --queries 200]`: builds synthetic activity
 * (rows, FTS5 index, float and binary-quantized vectors of 512 dimensions) at each size in a
 * temporary database, then prints hybrid-query latency p50/p99 (with the load average, since the
 * machine may be shared) and a table of recall@10 against exact float KNN for binary candidate
 * generation (in-memory Hamming scan or sqlite-vec vec0 KNN) + float rescoring at several
 * candidate counts. `--db DIR` keeps built databases in DIR and reuses them.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { searchActivity } from "../../search/search.ts";
import { loadBinaryIndex } from "../../search/binary-index.ts";
import { defaultCandidates, nearestActivities, type NearestParameters } from "../../search/vectors.ts";
import { openDatabase, closeDatabase } from "../../db/open.ts";
import { forSafe, registerSafe } from "../../db/safes.ts";
import { writeMeta } from "../../db/meta.ts";
import type { TreasuryDatabase } from "../../db/handle.ts";
import { connectionOf } from "../../db/connection.ts";

const { values } = parseArgs({
  options: { db: { type: "string" }, sizes: { type: "string", default: "100000,1000000" }, queries: { type: "string", default: "200" }, recall: { type: "string", default: "50" } },
});
const sizes = values.sizes!.split(",").map(Number);
const queryCount = Number(values.queries);
const recallQueries = Number(values.recall);
const dims = 512;
const clusters = 2000;

// A deterministic generator, so runs compare.
let seed = 42;
const random = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
const gaussian = () => Math.sqrt(-2 * Math.log(random() || 1e-9)) * Math.cos(2 * Math.PI * random());

const centers: Float32Array[] = Array.from({ length: clusters }, () => Float32Array.from({ length: dims }, gaussian));
function vectorNear(center: Float32Array, spread: number): Float32Array {
  const v = new Float32Array(dims);
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    v[i] = center[i] + spread * gaussian();
    norm += v[i] * v[i];
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < dims; i++) v[i] /= norm;
  return v;
}

const payees = ["Acme Design Studio", "Pixel Forge", "Northwind Hosting", "Bright & Pine Legal", "Quill Copywriting", "Orbit Travel", "Sam Okafor", "Ivy Tran", "Lumen Audit", "Harbor Labs", "Meridian Co"];
const topics = ["invoice", "hosting plan", "contract work", "logo", "brand kit", "security review", "audit report", "flights", "hotel", "conference booth", "illustrations", "legal templates", "bylaws", "grant tranche", "hackathon prizes", "blog post", "docs polish", "design system", "mobile app", "analytics dashboard", "staging cluster", "traffic spike", "onboarding flow", "annual report", "on-call", "mid-year review"];
const months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const kinds = ["payment", "deposit", "proposal", "message"] as const;
const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];

function build(db: TreasuryDatabase, size: number): void {
  writeMeta(db, "search_embedding_model", "synthetic-512");
  writeMeta(db, "search_embedding_dimensions", String(dims));
  const activity = connectionOf(db).prepare(
    `INSERT INTO activity (safe_id, id, ref, kind, occurred_at, title, body, token, symbol, decimals, amount, counterparty, counterparty_label, content_hash, updated_at)
     VALUES (1, ?, ?, ?, ?, ?, ?, NULL, ?, 6, ?, ?, ?, 'x', 0)`,
  );
  const fts = connectionOf(db).prepare("INSERT INTO activity_fts (rowid, title, body) VALUES (?, ?, ?)");
  const vec = connectionOf(db).prepare("INSERT INTO activity_vectors (activity_id, embedding) VALUES (?, ?)");
  const bit = connectionOf(db).prepare("INSERT INTO activity_vec_bit (rowid, embedding) VALUES (?, vec_quantize_binary(?))");
  const embedded = connectionOf(db).prepare("INSERT INTO activity_embeddings (activity_id, model, content_hash, embedded_at) VALUES (?, 'synthetic-512', 'x', 0)");
  const batch = 20_000;
  const started = performance.now();
  for (let start = 1; start <= size; start += batch) {
    connectionOf(db).transaction(() => {
      for (let id = start; id < Math.min(start + batch, size + 1); id++) {
        const kind = pick(kinds);
        const payee = pick(payees);
        const topic = `${pick(topics)} ${pick(topics)}`;
        const title = `${kind} ${payee} ${topic}`;
        const body = `${payee} ${topic} ${pick(months)} invoice INV-${id % 9000} note ${pick(topics)}`;
        const rowid = BigInt(id);
        activity.run(rowid, `bench:${id}`, kind, 1_767_225_600 + (id % 31_536_000), title, body, "USDC", String(1 + (id % 100_000) * 1_000_000), `0x${(id % 5000).toString(16).padStart(40, "0")}`, payee);
        fts.run(rowid, title, body);
        const v = vectorNear(centers[id % clusters], 0.9);
        const blob = Buffer.from(v.buffer);
        vec.run(rowid, blob);
        bit.run(rowid, blob);
        embedded.run(rowid);
      }
    })();
    if ((start - 1) % 200_000 === 0 && start > 1) process.stdout.write(`  ${start - 1} rows, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  }
  console.log(`  built ${size} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
};
const loadAverage = () => loadavg().map((x) => x.toFixed(2)).join(" ");

for (const size of sizes) {
  // --db DIR keeps the built databases there and reuses them on the next run.
  const dir = values.db ?? mkdtempSync(join(tmpdir(), "bench-search-"));
  const path = join(dir, `bench-${size}.db`);
  const reuse = values.db !== undefined && existsSync(path);
  const unbound = openDatabase({ path });
  const db = forSafe(unbound, registerSafe(unbound, { chainId: 31337, address: "0x00000000000000000000000000000000005afe01", now: 0 }).id);
  connectionOf(db).pragma("cache_size = -1000000");
  console.log(`\n${size.toLocaleString("en-US")} activity rows`);
  if (!reuse) build(db, size);
  else console.log(`  reusing ${path}`);
  // Queries come from their own seed, so a fresh build and a reused database see the same ones.
  seed = 7 + size;
  const queries = Array.from({ length: queryCount }, () => ({
    text: `${pick(payees)} ${pick(topics)} ${pick(months)}`,
    vector: vectorNear(centers[Math.floor(random() * clusters)], 0.9),
  }));
  let started = performance.now();
  loadBinaryIndex(db, dims / 8);
  console.log(`  in-memory binary index loaded in ${(performance.now() - started).toFixed(0)} ms`);
  // Warm up the page cache.
  for (const q of queries.slice(0, 20)) searchActivity(db, { query: q.text, queryVector: q.vector, limit: 10 });
  console.log(`  load average before timing: ${loadAverage()}`);
  const latencies: number[] = [];
  for (const q of queries) {
    started = performance.now();
    searchActivity(db, { query: q.text, queryVector: q.vector, limit: 10 });
    latencies.push(performance.now() - started);
  }
  const textOnly: number[] = [];
  const vectorOnly: number[] = [];
  for (const q of queries.slice(0, 50)) {
    started = performance.now();
    searchActivity(db, { query: q.text, limit: 10 });
    textOnly.push(performance.now() - started);
    started = performance.now();
    nearestActivities(db, q.vector, { limit: 10 });
    vectorOnly.push(performance.now() - started);
  }
  const hybrid = stats(latencies);
  console.log(
    `  parts: FTS5 side p50 ${stats(textOnly).p50.toFixed(1)} ms; vector side (binary scan of ${defaultCandidates(10, false)} candidates + rescoring) p50 ${stats(vectorOnly).p50.toFixed(1)} ms`,
  );
  console.log(
    `  hybrid query (FTS5 bm25 + binary scan + float rescoring, RRF): p50 ${hybrid.p50.toFixed(1)} ms, p99 ${hybrid.p99.toFixed(1)} ms over ${latencies.length} queries (load average ${loadAverage()})`,
  );

  // Recall@10 against exact float KNN, for several candidate counts and both binary scans.
  const recallSet = queries.slice(0, recallQueries);
  if (recallSet.length === 0) {
    closeDatabase(db);
    continue;
  }
  const exactTimes: number[] = [];
  const exact = recallSet.map((q) => {
    const began = performance.now();
    const ids = nearestActivities(db, q.vector, { limit: 10, mode: "exact" }).map((r) => r.id);
    exactTimes.push(performance.now() - began);
    return ids;
  });
  console.log(`  exact float KNN p50 ${stats(exactTimes).p50.toFixed(0)} ms; recall@10 vs exact over ${recallSet.length} queries:`);
  console.log("    scan        candidates  recall@10  vector side p50  p99");
  const rows: [NearestParameters["scan"], number][] = [
    ["sqlite-vec", 40],
    ...[40, 100, 200, 400, 800, 1600, 3200].map((n) => ["memory", n] as [NearestParameters["scan"], number]),
  ];
  if (size <= 100_000) rows.splice(1, 0, ["sqlite-vec", 200]);
  for (const [scan, candidates] of rows) {
    let hits = 0;
    let total = 0;
    const times: number[] = [];
    recallSet.forEach((q, i) => {
      const began = performance.now();
      const approx = new Set(nearestActivities(db, q.vector, { limit: 10, scan, candidates }).map((r) => r.id));
      times.push(performance.now() - began);
      hits += exact[i].filter((id) => approx.has(id)).length;
      total += exact[i].length;
    });
    const t = stats(times);
    const chosen = scan === "memory" && candidates === defaultCandidates(10, false) ? "  <- default" : "";
    console.log(
      `    ${scan!.padEnd(11)} ${String(candidates).padStart(10)}  ${(hits / total).toFixed(3).padStart(9)}  ${t.p50.toFixed(1).padStart(12)} ms  ${t.p99.toFixed(1)} ms${chosen}`,
    );
  }
  // For comparison: sqlite-vec's vec_distance_hamming in a plain scan (no vec0 KNN).
  const plain: number[] = [];
  for (const q of recallSet.slice(0, 5)) {
    const began = performance.now();
    connectionOf(db).prepare("SELECT rowid FROM activity_vec_bit ORDER BY vec_distance_hamming(embedding, vec_quantize_binary(?)) LIMIT 400").all(Buffer.from(q.vector.buffer));
    plain.push(performance.now() - began);
  }
  console.log(`  (sqlite-vec vec_distance_hamming full scan, top 400: p50 ${stats(plain).p50.toFixed(0)} ms over ${plain.length} queries)`);
  closeDatabase(db);
  if (!values.db) rmSync(dir, { recursive: true, force: true });
}
