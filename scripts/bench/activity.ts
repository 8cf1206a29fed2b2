/**
 * `npm run bench:activity [-- --sizes 1000,10000,50000 --rounds 20]`: what keeping search's rows in line costs
 * (`syncActivity`, run after every indexer batch and on quiet batches) as a Safe's history grows. At each size (the
 * number of executed proposals) it builds a synthetic history in a temporary SQLite database: each proposal with
 * its transfer, card, payment and two thread messages, a deposit for every other proposal, a block and the
 * checkpoint. It times the first sync, then `--rounds` rounds of each of: a sync with nothing new, after one new
 * thread message, after a proposal's status changes, and after a new block with one payment. It prints the median
 * and the worst time of each, the rows compared, and the load average (the machine may be shared).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { syncActivity } from "../../search/activity.ts";
import { closeDatabase, openDatabase } from "../../db/open.ts";
import { forSafe, registerSafe } from "../../db/safes.ts";
import { connectionOf } from "../../db/connection.ts";
import type { TreasuryDatabase } from "../../db/handle.ts";

const { values } = parseArgs({ options: { sizes: { type: "string", default: "1000,10000,50000" }, rounds: { type: "string", default: "20" } } });
const sizes = values.sizes!.split(",").map(Number);
const rounds = Number(values.rounds);
const hex = (n: number, width = 64) => `0x${n.toString(16).padStart(width, "0")}`;
const safeTxHash = (n: number) => hex(1_000_000_000 + n);
const payee = (n: number) => hex(n % 400, 40);
const start = 1_767_225_600;

/** One executed proposal per `i`, with what people and the chain leave around it; `block` is the next block number. */
function build(db: TreasuryDatabase, size: number): { block: number } {
  const run = (sql: string) => connectionOf(db).prepare(sql);
  const statements = {
    book: run("INSERT INTO address_book (workspace, address, label, category, kind, added_by, created_at) VALUES ('', ?, ?, 'vendors', 'vendor', 'bench', 0)"),
    proposal: run(
      `INSERT INTO proposals (safe_id, safe_tx_hash, chain_id, safe_address, nonce, to_address, value, data, operation, kind, proposer, memo, category, status, review_token, executed_tx_hash, created_at, updated_at)
       VALUES (1, ?, 31337, '0x00000000000000000000000000000000005afe01', ?, ?, '0', '0x', 0, 'payment', 'U0BENCH', ?, 'vendors', 'executed', ?, ?, ?, ?)`,
    ),
    transfer: run("INSERT INTO proposal_transfers (safe_tx_hash, batch_index, token, to_address, amount) VALUES (?, 0, NULL, ?, ?)"),
    card: run("INSERT INTO proposal_messages (safe_tx_hash, channel_id, message_ts, permalink) VALUES (?, 'CBENCH', ?, ?)"),
    message: run(
      `INSERT INTO discussion_messages (safe_tx_hash, channel_id, message_ts, thread_ts, author_id, author_name, text, permalink, posted_at)
       VALUES (?, 'CBENCH', ?, ?, 'U0BENCH', 'Bench', ?, NULL, ?)`,
    ),
    block: run("INSERT INTO blocks (safe_id, number, hash, parent_hash, timestamp) VALUES (1, ?, ?, ?, ?)"),
    payment: run(
      `INSERT INTO payments (safe_id, safe_tx_hash, batch_index, token, to_address, amount, block_number, block_time, tx_hash, log_index, confirmed)
       VALUES (1, ?, 0, NULL, ?, ?, ?, ?, ?, 0, 1)`,
    ),
    deposit: run(
      `INSERT INTO transfers (safe_id, direction, token, from_address, to_address, amount, block_number, block_time, tx_hash, log_index, confirmed)
       VALUES (1, 'in', NULL, ?, '0x00000000000000000000000000000000005afe01', ?, ?, ?, ?, 1, 1)`,
    ),
  };
  connectionOf(db).transaction(() => {
    for (let n = 0; n < 400; n += 2) statements.book.run(payee(n), `Vendor ${n}`);
    for (let i = 0; i < size; i++) {
      const hash = safeTxHash(i);
      const at = start + i * 600;
      const amount = String(1_000_000_000_000_000n * BigInt(1 + (i % 50)));
      statements.proposal.run(hash, i, payee(i), `invoice ${i} for the ${i % 7 === 0 ? "hosting plan" : "design work"}`, `review-${i}`, hex(i), at, at);
      statements.transfer.run(hash, payee(i), amount);
      statements.card.run(hash, `${at}.000100`, `https://bench.slack.com/archives/CBENCH/p${at}000100`);
      for (const k of [1, 2]) statements.message.run(hash, `${at + k}.000200`, `${at}.000100`, `looks right to me, reply ${k} on invoice ${i}`, at + k);
      statements.block.run(i + 1, hex(i + 1), hex(i), at);
      statements.payment.run(hash, payee(i), amount, i + 1, at, hex(i));
      if (i % 2 === 0) statements.deposit.run(payee(i + 1), amount, i + 1, at, hex(2_000_000_000 + i));
    }
    run("INSERT INTO checkpoint (safe_id, block_number, block_hash) VALUES (1, ?, ?)").run(size, hex(size));
  })();
  return { block: size + 1 };
}

const loadAverage = () => loadavg().map((x) => x.toFixed(2)).join(" ");
const median = (times: number[]) => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;

console.log(`bench:activity – syncActivity as history grows; ${rounds} rounds of each change (--rounds); load average ${loadAverage()} (1, 5, 15 min; 2 cores)`);
for (const size of sizes) {
  const dir = mkdtempSync(join(tmpdir(), "bench-activity-"));
  const unbound = openDatabase({ path: join(dir, "treasury.db") });
  const db = forSafe(unbound, registerSafe(unbound, { chainId: 31337, address: "0x00000000000000000000000000000000005afe01", now: 0 }).id);
  const sql = (text: string, ...parameters: unknown[]) => connectionOf(db).prepare(text).run(...parameters);
  let { block } = build(db, size);
  const timed = () => {
    const started = performance.now();
    const result = syncActivity(db) as { compared?: number };
    return { ms: performance.now() - started, compared: result.compared };
  };
  const first = timed();
  const rows = Number(connectionOf(db).prepare("SELECT count(*) FROM activity").pluck().get());
  console.log(`\n${size.toLocaleString("en-US")} executed proposals: ${rows.toLocaleString("en-US")} activity rows; first sync ${first.ms.toFixed(0)} ms`);
  const changes: [string, (round: number) => void][] = [
    ["nothing new", () => {}],
    ["one new thread message", (round) => sql(
      "INSERT INTO discussion_messages (safe_tx_hash, channel_id, message_ts, thread_ts, author_id, author_name, text, posted_at) VALUES (?, 'CBENCH', ?, NULL, 'U0BENCH', 'Bench', 'one more question', ?)",
      safeTxHash(round % size), `${start + round}.009900`, start + round,
    )],
    ["a proposal's status", (round) => sql("UPDATE proposals SET status = ? WHERE safe_tx_hash = ?", round % 2 ? "failed" : "executed", safeTxHash((round * 7) % size))],
    ["a new block with one payment", (round) => {
      const hash = hex(3_000_000_000 + round);
      sql("INSERT INTO blocks (safe_id, number, hash, parent_hash, timestamp) VALUES (1, ?, ?, ?, ?)", block, hash, hex(block - 1), start + block * 600);
      sql(
        "INSERT INTO payments (safe_id, safe_tx_hash, batch_index, token, to_address, amount, block_number, block_time, tx_hash, log_index, confirmed) VALUES (1, ?, 0, NULL, ?, '1000', ?, ?, ?, 0, 0)",
        hex(4_000_000_000 + round), payee(round), block, start + block * 600, hash,
      );
      sql("UPDATE checkpoint SET block_number = ?, block_hash = ? WHERE safe_id = 1", block, hash);
      block++;
    }],
  ];
  console.log(`  load average before timing: ${loadAverage()}`);
  console.log("  sync after                       median ms   worst ms   rows compared");
  for (const [name, change] of changes) {
    const results = Array.from({ length: rounds }, (_, round) => {
      change(round);
      return timed();
    });
    const compared = results.at(-1)!.compared;
    console.log(
      `  ${name.padEnd(32)} ${median(results.map((r) => r.ms)).toFixed(2).padStart(9)} ${Math.max(...results.map((r) => r.ms)).toFixed(2).padStart(10)}   ${compared === undefined ? "(not reported)" : compared.toLocaleString("en-US")}`,
    );
  }
  closeDatabase(unbound);
  rmSync(dir, { recursive: true, force: true });
}
