// `npm run bench:indexer-writes [-- --executions 40000] [--per-batch 500,5000] [--payments-per-execution 1]`
//
// The chain mirror's writes alone (db/chain-mirror/write.ts writeBatch: rows, blocks, checkpoint, confirmations,
// outbox), on a fresh SQLite file, with rows shaped like the indexer bench's history (each execution with two signers
// and its payments, each payment's token transfer out of the Safe, and a deposit beside it; `--payments-per-execution
// 50` is the shape of `bench:indexer --million`, MultiSend batches of 50). For each batch size it runs twice in this process: with the writer
// checkpointing the write-ahead log itself (SQLite's default) and with db/bulk-writes.ts (checkpoints on a worker,
// a 64 MiB page cache), and prints the writing thread's CPU time (steady on a busy machine, unlike wall time) and the cost per execution in the first and last quarter of the history: a cost that
// grows from one to the other is a backfill that slows down as history grows.
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { getAddress, keccak256, toHex, zeroAddress, type Hex } from "viem";
import { beginBulkWrites } from "../../db/bulk-writes.ts";
import { startConfirmingFromScratch, writeBatch } from "../../db/chain-mirror/write.ts";
import type { BlockHeader, ChainMirrorRows } from "../../db/chain-mirror/records.ts";
import { closeDatabase, openDatabase } from "../../db/open.ts";
import { forSafe, registerSafe } from "../../db/safes.ts";

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : fallback;
}
const executions = Number(option("executions", "40000"));
const batchSizes = option("per-batch", "500,5000").split(",").map(Number);
const paymentsPerExecution = Number(option("payments-per-execution", "1"));

const hash = (n: number, salt: string) => keccak256(toHex(`${salt}${n}`));
const token = getAddress("0x5fbdb2315678afecb367f032d93f642f64180aa3");
const executor = getAddress("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
const cosigner = getAddress("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
const safe = getAddress("0x399c61b017a871181d8b6c418c93a8bb361e3db8");
const signatures = `0x${"ab".repeat(130)}` as Hex;

/** Milliseconds per batch, writing `executions` executions (and as many deposits) `perBatch` at a time, and the writing thread's CPU time in all. */
async function run(perBatch: number, bulk: boolean): Promise<{ times: number[]; cpuMs: number; allThreadsMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), "bench-indexer-writes-"));
  const unbound = openDatabase({ path: join(dir, "treasury.db") });
  const db = forSafe(unbound, registerSafe(unbound, { chainId: 31337, address: safe, now: 1_700_000_000 }).id);
  startConfirmingFromScratch(db);
  const bulkWrites = bulk ? beginBulkWrites(db) : undefined;
  const times: number[] = [];
  let cpuMs = 0;
  const processBefore = process.cpuUsage();
  let block = 100;
  for (let done = 0; done < executions; ) {
    const rows: ChainMirrorRows = { executions: [], transfers: [], ownerChanges: [], moduleEvents: [], approvedHashes: [] };
    const headers = new Map<number, BlockHeader>();
    for (let index = 0; index < perBatch && done < executions; index++, done++) {
      if (index % 150 === 0) {
        block++;
        headers.set(block, { number: block, hash: hash(block, "block"), parentHash: hash(block - 1, "block"), timestamp: 1_700_000_000 + block });
      }
      const position = { blockNumber: block, blockTime: 1_700_000_000 + block, logIndex: 1 };
      const payee = getAddress(`0x${(0x1000 + (done % 500)).toString(16).padStart(40, "0")}`);
      rows.executions.push({
        ...position, txHash: hash(done, "tx"), safeTxHash: hash(done, "safeTx"), nonce: done, to: token, value: 0n,
        data: `0xa9059cbb${"00".repeat(64)}`, operation: 0, safeTxGas: 0n, baseGas: 0n, gasPrice: 0n, gasToken: zeroAddress,
        refundReceiver: zeroAddress, signatures, success: true, feePayment: 0n, executor,
        signers: [{ owner: executor, kind: "approved_hash" }, { owner: cosigner, kind: "eoa" }],
        payments: Array.from({ length: paymentsPerExecution }, (_, batchIndex) => ({ batchIndex, token, to: payee, amount: 1n + BigInt(batchIndex) })),
      });
      for (let batchIndex = 0; batchIndex < paymentsPerExecution; batchIndex++)
        rows.transfers.push({ ...position, txHash: hash(done, "tx"), logIndex: 2 + batchIndex, direction: "out", token, from: safe, to: payee, amount: 1n + BigInt(batchIndex) });
      rows.transfers.push({ ...position, txHash: hash(done, "deposit"), direction: "in", token, from: zeroAddress, to: safe, amount: 1_000_000n + BigInt(done) });
    }
    const started = performance.now();
    const cpuBefore = process.threadCpuUsage();
    writeBatch(db, {
      batch: rows,
      headers,
      checkpoint: headers.get(block)!,
      confirmedUpTo: block,
      newTokens: times.length === 0 ? [{ address: token, symbol: "TT", name: "Test token", decimals: 6 }] : [],
    });
    times.push(performance.now() - started);
    const cpu = process.threadCpuUsage(cpuBefore);
    cpuMs += (cpu.user + cpu.system) / 1000;
  }
  await bulkWrites?.stop();
  const processCpu = process.cpuUsage(processBefore);
  closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
  return { times, cpuMs, allThreadsMs: (processCpu.user + processCpu.system) / 1000 };
}

console.log(`Load average ${loadavg().map((n) => n.toFixed(2)).join(" ")} (a shared machine: compare the rows of one run).`);
console.log(
  `${executions} executions of ${paymentsPerExecution} payment${paymentsPerExecution === 1 ? "" : "s"} and ${executions} deposits ` +
    `(about ${((6 + 2 * paymentsPerExecution) * executions).toLocaleString("en")} rows with signers, payments, transfers, outbox)`,
);
console.log(`per batch  checkpoints             total s  writer CPU s  all threads CPU s  µs/execution, first quarter  last quarter  last/first`);
for (const perBatch of batchSizes)
  for (const bulk of [false, true]) {
    const { times, cpuMs, allThreadsMs } = await run(perBatch, bulk);
    const sum = (list: number[]) => list.reduce((total, ms) => total + ms, 0);
    const quarter = Math.max(1, Math.floor(times.length / 4));
    const perExecution = (list: number[]) => (1000 * sum(list)) / (list.length * perBatch);
    const first = perExecution(times.slice(0, quarter));
    const last = perExecution(times.slice(-quarter));
    console.log(
      `${String(perBatch).padStart(9)}  ${(bulk ? "on a worker (bulk)" : "in the writer").padEnd(22)}  ${(sum(times) / 1000).toFixed(2).padStart(7)}  ${(cpuMs / 1000).toFixed(2).padStart(12)}  ${(allThreadsMs / 1000).toFixed(2).padStart(17)}  ${first.toFixed(0).padStart(28)}  ${last.toFixed(0).padStart(12)}  ${(last / first).toFixed(2).padStart(10)}`,
    );
  }
