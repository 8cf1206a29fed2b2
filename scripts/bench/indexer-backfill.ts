// The measured part of `npm run bench:indexer`: one cold backfill, run by the bench as
// `node dist/scripts/bench/indexer-backfill.js '<job as JSON>'` (built ahead, no tsx),
// the way `npm start` runs the indexer, so its worker threads load compiled code too.
// Prints one line `BACKFILL {...}` (BackfillReport) on stdout; logs go to stderr.
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { createIndexer } from "../../indexer/indexer.ts";
import { defaultProgressMode } from "../../indexer/progress.ts";
import { readIndexedSafeState } from "../../db/chain-mirror/safe-state.ts";
import { recoveryStats } from "../../indexer/signers.ts";
import { recoverOwners } from "../../indexer/signature-recovery.ts";
import { executionReadStats } from "../../indexer/l1-executions.ts";
import { openDatabase, closeDatabase } from "../../db/open.ts";
import { forSafe, registerSafe } from "../../db/safes.ts";
import { connectionOf } from "../../db/connection.ts";
import type { TreasuryDatabase } from "../../db/handle.ts";
import { chainMirrorTables } from "../../db/chain-mirror/write.ts";
import { createChainClient } from "../../core/chain.ts";
import { loadConfig } from "../../app/config.ts";
import { readDeployment, type Deployment } from "../../core/deployment.ts";
import { describeTreasurySafe } from "../../core/safe/setup.ts";
import { systemClock } from "../../core/clock.ts";
import { createLogger } from "../../core/logger.ts";
import { readSafeState } from "../../core/safe/read-state.ts";
import type { IndexerRunResult } from "../../indexer/indexer.ts";

/** What the bench asks for: the chain to read and the fresh SQLite file to fill. */
export type BackfillJob = { url: string; deploymentFile: string; safe: Deployment["safe"]; databasePath: string };

export type BackfillReport = {
  result: IndexerRunResult;
  recovery: { signatures: number; ms: number };
  /** Signer recovery alone: the stored executions' signatures recovered again on the main thread, after the backfill, with nothing else running. */
  recoveryAlone: { signatures: number; ms: number };
  /** The least SQLite can take to store the rows the backfill wrote (see `timeBareWrites`). */
  bareWrites: { rows: number; ms: number };
  l1Reads: { transactions: number; traces: number; ms: number };
  /** CPU seconds of the backfill: this process's main thread, and all its threads (signer and checkpoint workers too). */
  cpu: { mainThread: number; allThreads: number };
  peakMb: number;
  rssBeforeMb: number;
  rows: { executions: number; deposits: number; signers: number; payments: number };
  state: { ownersEqual: boolean; thresholdEqual: boolean; nonce: number; chainNonce: number };
};

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]) as BackfillJob;
  const deployment = { ...readDeployment(job.deploymentFile)!, safe: job.safe };
  const config = loadConfig({ RPC_URL: job.url, DATABASE_PATH: job.databasePath, DEPLOYMENT_FILE: job.deploymentFile, LOG_LEVEL: "info" });
  const client = createChainClient({ rpcUrl: job.url, chainId: deployment.chainId });
  const unbound = openDatabase({ path: job.databasePath });
  const db = forSafe(unbound, registerSafe(unbound, { chainId: deployment.chainId, address: deployment.safe.address, now: Math.floor(Date.now() / 1000) }).id);
  try {
    const ctx = {
      config,
      chainId: deployment.chainId,
      rpcUrl: job.url,
      safeAddress: deployment.safe.address,
      client,
      db,
      safe: await describeTreasurySafe(client, deployment.safe.address, { creationBlock: deployment.safe.creationBlock }),
      tokens: deployment.tokens,
      logger: createLogger("info", process.stderr as never),
      now: systemClock,
    };
    const rssBefore = process.resourceUsage().maxRSS;
    const cpuBefore = { process: process.cpuUsage(), thread: process.threadCpuUsage() };
    const result = await createIndexer({ ctx, progress: defaultProgressMode() }).runOnce();
    const seconds = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1e6;
    const cpu = { mainThread: seconds(process.threadCpuUsage(cpuBefore.thread)), allThreads: seconds(process.cpuUsage(cpuBefore.process)) };
    const peakMb = process.resourceUsage().maxRSS / 1024;

    const recovery = { ...recoveryStats };
    const recoveryAlone = await timeRecoveryAlone(db);
    const bareWrites = timeBareWrites(db, join(dirname(job.databasePath), "bare-rows.db"));
    const count = (sql: string) => (connectionOf(db).prepare(sql).get() as { n: number }).n;
    const live = await readSafeState(client, deployment.safe.address, []);
    const indexed = readIndexedSafeState(db);
    const report: BackfillReport = {
      result,
      recovery,
      recoveryAlone,
      bareWrites,
      l1Reads: { ...executionReadStats },
      cpu,
      peakMb,
      rssBeforeMb: rssBefore / 1024,
      rows: {
        executions: count("SELECT count(*) AS n FROM safe_executions"),
        deposits: count("SELECT count(*) AS n FROM transfers WHERE direction = 'in' AND token IS NOT NULL"),
        signers: count("SELECT count(*) AS n FROM execution_signers"),
        payments: count("SELECT count(*) AS n FROM payments"),
      },
      state: {
        ownersEqual: indexed.owners.join() === live.owners.join(),
        thresholdEqual: indexed.threshold === live.threshold,
        nonce: indexed.nonce,
        chainNonce: live.nonce,
      },
    };
    process.stdout.write(`BACKFILL ${JSON.stringify(report)}\n`);
  } finally {
    closeDatabase(db);
  }
}

/**
 * Recovers the signers of up to 2,000 stored executions again, on this thread,
 * with the same code the signer workers run: what signer recovery costs when
 * it waits for nothing (in the backfill it shares the cores with everything else).
 */
async function timeRecoveryAlone(db: TreasuryDatabase): Promise<{ signatures: number; ms: number }> {
  const sample = connectionOf(db).prepare("SELECT safe_tx_hash AS hash, signatures FROM safe_executions WHERE signatures IS NOT NULL LIMIT 2000").all() as {
    hash: `0x${string}`;
    signatures: `0x${string}`;
  }[];
  const before = recoveryStats.signatures;
  const started = performance.now();
  for (const { hash, signatures } of sample) await recoverOwners(hash, signatures, Math.floor((signatures.length - 2) / 130));
  return { signatures: recoveryStats.signatures - before, ms: performance.now() - started };
}

/**
 * The least SQLite can take to store what the backfill stored: its rows (the chain mirror's and the outbox's) read
 * back, then inserted one by one, in one transaction, into tables with no key and no index, in a database file of
 * their own. Any design that keeps these rows pays at least this; only the inserts and the commit are timed.
 */
function timeBareWrites(db: TreasuryDatabase, file: string): { rows: number; ms: number } {
  const connection = connectionOf(db);
  connection.prepare("ATTACH DATABASE ? AS bare").run(file);
  connection.pragma("bare.journal_mode = WAL");
  let rows = 0;
  let ms = 0;
  try {
    const tables = [...chainMirrorTables.filter((table) => table !== "checkpoint"), "outbox"];
    for (const table of tables) connection.exec(`CREATE TABLE bare.${table} AS SELECT * FROM main.${table} WHERE 0`);
    connection.exec("BEGIN");
    for (const table of tables) {
      const columns = (connection.pragma(`main.table_info(${table})`) as unknown[]).length;
      const insert = connection.prepare(`INSERT INTO bare.${table} VALUES (${Array(columns).fill("?").join(", ")})`);
      const chunk = connection.prepare(`SELECT rowid AS _key, * FROM main.${table} WHERE rowid > ? ORDER BY rowid LIMIT 10000`).raw();
      for (let after = -1; ; ) {
        const read = chunk.all(after) as unknown[][];
        if (read.length === 0) break;
        after = Number(read[read.length - 1][0]);
        const started = performance.now();
        for (const row of read) insert.run(row.slice(1));
        ms += performance.now() - started;
        rows += read.length;
      }
    }
    const started = performance.now();
    connection.exec("COMMIT");
    ms += performance.now() - started;
  } finally {
    if (connection.inTransaction) connection.exec("ROLLBACK");
    connection.exec("DETACH DATABASE bare");
  }
  return { rows, ms };
}

main().catch((error: unknown) => {
  process.stderr.write(`the backfill failed (load ${loadavg()[0].toFixed(2)}): ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
