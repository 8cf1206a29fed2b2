// `npm run bench:indexer [-- --executions 10000 --deposits 10000 --per-block 150 --safe l2|l1]`
// `npm run bench:indexer -- --sizes 1000,10000,30000,100000` (executions = deposits = size, each size in its own process)
// `npm run bench:indexer -- --million [--regenerate]`: a 1,000,000-event history (19,000 executions that each pay 50
//   payees through MultiSendCallOnly, and 12,000 deposits), generated once and kept in .cache/bench-indexer/
//   (its chain journal and deployment), replayed on later runs; `--regenerate` makes it again.
// `--payments-per-execution N` (executions as MultiSend batches of N transfers) and `--cache` work with any size.
//
// Writes a long Safe history on a local Hardhat (EDR) chain served over HTTP by a
// separate process (so the chain's own CPU is not counted against the indexer),
// then times a cold backfill of it into a fresh SQLite file and prints events/s,
// peak memory, and where the time went (waiting on the RPC, writing SQLite, or
// decoding and recovering signers in between). The ceiling, a plain fetch of the
// same logs and headers with no decoding or storage (scripts/bench/ceiling.ts),
// runs on the same chain just before and just after the indexer.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createIndexer } from "../../indexer/indexer.ts";
import { defaultProgressMode } from "../../indexer/progress.ts";
import { readIndexedSafeState } from "../../db/chain-mirror/safe-state.ts";
import { recoveryStats } from "../../indexer/signers.ts";
import { executionReadStats } from "../../indexer/l1-executions.ts";
import { openDatabase, closeDatabase } from "../../db/open.ts";
import { forSafe, registerSafe } from "../../db/safes.ts";
import { createChainClient } from "../../core/chain.ts";
import { loadConfig } from "../../app/config.ts";
import { readDeployment, type Deployment } from "../../core/deployment.ts";
import { describeTreasurySafe } from "../../core/safe/setup.ts";
import { systemClock } from "../../core/clock.ts";
import { createLogger } from "../../core/logger.ts";
import { readSafeState } from "../../core/safe/read-state.ts";
import { ensureDeployment } from "../../devchain/ensure-deployment.ts";
import { startLocalNode } from "../../devchain/node.ts";
import { generateSafeHistory } from "./indexer-history.ts";
import { useL1Safe } from "./indexer-l1-safe.ts";
import { connectionOf } from "../../db/connection.ts";
import { fetchCeiling, type CeilingResult } from "./ceiling.ts";
import { loadavg } from "node:os";
import { projectRoot } from "../../core/project-files.ts";

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

const million = process.argv.includes("--million");
const executions = option("executions", million ? 19_000 : 10_000);
const deposits = option("deposits", million ? 12_000 : 10_000);
/** Above 1, each execution is a MultiSend batch of this many transfers (each a Transfer log out of the Safe). */
const paymentsPerExecution = option("payments-per-execution", million ? 50 : 1);
// A block holds 30M gas: 150 single transfers fit, 12 batches of 50 do.
const perBlock = option("per-block", paymentsPerExecution > 1 ? Math.max(1, Math.floor(600 / paymentsPerExecution)) : 150);
/** Keep the generated chain in .cache/bench-indexer/ and replay it on the next run with the same options. */
const cached = million || process.argv.includes("--cache");
/** "l2": the demo SafeL2 v1.4.1 (executions read from its logs); "l1": a Safe v1.3.0 L1 (each execution read from its transaction). */
const safeKind = process.argv.includes("--safe") ? process.argv[process.argv.indexOf("--safe") + 1] : "l2";
if (safeKind !== "l1" && safeKind !== "l2") throw new Error(`--safe takes l1 or l2, not ${safeKind}`);

/** What one size's run reports to the `--sizes` table. */
type SizeResult = { executions: number; events: number; seconds: number; eventsPerSecond: number; peakMb: number; ceilingSeconds: number; cpuSeconds?: number };

type ChainReady = { url: string; deploymentFile: string; blocks: number; generateSeconds: number; replaySeconds?: number; safe: Deployment["safe"] };

/** The child: a local chain with the history on it, served until stdin closes. */
async function serveChain(): Promise<void> {
  const cacheDir = join(projectRoot, ".cache", "bench-indexer", `${safeKind}-${executions}x${paymentsPerExecution}-${deposits}-${perBlock}`);
  const readyFile = join(cacheDir, "ready.json");
  if (cached && process.argv.includes("--regenerate")) rmSync(cacheDir, { recursive: true, force: true });
  if (cached && existsSync(readyFile)) {
    // Made before: replaying the journal gives the same blocks, with the same hashes.
    const started = performance.now();
    process.stderr.write(`  replaying the chain kept in ${cacheDir}\n`);
    const node = await startLocalNode({ port: 0, journalFile: join(cacheDir, "chain.journal") });
    const recorded = JSON.parse(readFileSync(readyFile, "utf8")) as ChainReady;
    const ready: ChainReady = { ...recorded, url: node.url, replaySeconds: (performance.now() - started) / 1000 };
    process.stdout.write(`${JSON.stringify(ready)}\n`);
    process.stdin.resume();
    process.stdin.on("end", () => void node.stop().then(() => process.exit(0)));
    return;
  }
  if (cached) rmSync(cacheDir, { recursive: true, force: true }), mkdirSync(cacheDir, { recursive: true });
  const node = await startLocalNode({ port: 0, ...(cached ? { journalFile: join(cacheDir, "chain.journal") } : {}) });
  const dir = cached ? cacheDir : mkdtempSync(join(tmpdir(), "bench-indexer-chain-"));
  const deploymentFile = join(dir, "deployment.json");
  const ensured = await ensureDeployment({ provider: node.provider, file: deploymentFile });
  const deployment = safeKind === "l1" ? await useL1Safe(node.provider, ensured.deployment, executions) : ensured.deployment;
  const started = performance.now();
  let lastReport = 0;
  const { blocks } = await generateSafeHistory({
    provider: node.provider,
    deployment,
    executions,
    deposits,
    perBlock,
    paymentsPerExecution,
    onProgress: (done) => {
      if (performance.now() - lastReport < 5_000) return;
      lastReport = performance.now();
      process.stderr.write(`  generating: ${done.executions} executions, ${done.deposits} deposits, ${done.blocks} blocks\n`);
    },
  });
  const ready: ChainReady = { url: node.url, deploymentFile, blocks, generateSeconds: (performance.now() - started) / 1000, safe: deployment.safe };
  if (cached) writeFileSync(readyFile, JSON.stringify(ready));
  process.stdout.write(`${JSON.stringify(ready)}\n`);
  process.stdin.resume();
  process.stdin.on("end", () => void node.stop().then(() => process.exit(0)));
}

/** Ranges the ceiling reads at once, and the logs it aims at per range (the chain's layout is known here). */
const ceilingInFlight = 4;
const ceilingLogsPerRange = 5_000;

async function main(): Promise<void> {
  console.log(`Load average ${loadavg().map((n) => n.toFixed(2)).join(" ")} (a shared machine: figures move with it).`);
  console.log(`Safe: ${safeKind === "l1" ? "v1.3.0 L1 (GnosisSafe: executions read from their transactions)" : "v1.4.1 SafeL2 (executions read from its logs)"}`);
  console.log(
    `Generating ${executions} Safe executions${paymentsPerExecution > 1 ? ` (MultiSend batches of ${paymentsPerExecution} transfers)` : ""} and ${deposits} incoming ERC-20 transfers (${perBlock} of each per block)${cached ? ", or replaying them from .cache/bench-indexer/" : ""}...`,
  );
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--serve-chain", ...process.argv.slice(2)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const ready = await new Promise<ChainReady>((done, fail) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line.startsWith("{")) done(JSON.parse(line) as ChainReady);
    });
    child.on("exit", (code) => fail(new Error(`the chain process exited with ${code}`)));
  });
  console.log(
    ready.replaySeconds !== undefined
      ? `History ready: ${ready.blocks} blocks replayed from the cache in ${ready.replaySeconds.toFixed(1)} s (generated once in ${ready.generateSeconds.toFixed(1)} s), served at ${ready.url}.`
      : `History ready: ${ready.blocks} blocks in ${ready.generateSeconds.toFixed(1)} s, served at ${ready.url}.`,
  );

  const dir = mkdtempSync(join(tmpdir(), "bench-indexer-db-"));
  const databasePath = join(dir, "treasury.db");
  const deployment = { ...readDeployment(ready.deploymentFile)!, safe: ready.safe };
  const config = loadConfig({ RPC_URL: ready.url, DATABASE_PATH: databasePath, DEPLOYMENT_FILE: ready.deploymentFile, LOG_LEVEL: "info" });
  const client = createChainClient({ rpcUrl: ready.url, chainId: deployment.chainId });
  const unbound = openDatabase({ path: databasePath });
  const db = forSafe(unbound, registerSafe(unbound, { chainId: deployment.chainId, address: deployment.safe.address, now: Math.floor(Date.now() / 1000) }).id);
  const ctx = {
    config,
    chainId: deployment.chainId,
    rpcUrl: ready.url,
    safeAddress: deployment.safe.address,
    client,
    db,
    safe: await describeTreasurySafe(client, deployment.safe.address, { creationBlock: deployment.safe.creationBlock }),
    tokens: deployment.tokens,
    logger: createLogger("info", process.stderr as never),
    now: systemClock,
  };
  // Each execution logs SafeMultiSigTransaction, ExecutionSuccess and the token's Transfers; each deposit one Transfer.
  const logsPerBlock = (2 + paymentsPerExecution) * Math.min(perBlock, executions) + Math.min(perBlock, deposits);
  const head = Number(await client.getBlockNumber({ cacheTime: 0 }));
  const ceiling = () =>
    fetchCeiling({
      url: ready.url,
      safe: deployment.safe.address,
      fromBlock: ctx.safe.creationBlock,
      toBlock: head,
      blocksPerRange: Math.max(1, Math.floor(ceilingLogsPerRange / Math.max(1, logsPerBlock))),
      inFlight: ceilingInFlight,
    });
  try {
    const ceilingCpuBefore = process.cpuUsage();
    const ceilingBefore: CeilingResult = await ceiling();
    const ceilingCpu = process.cpuUsage(ceilingCpuBefore);
    const rssBefore = process.resourceUsage().maxRSS;
    const cpuBefore = { process: process.cpuUsage(), thread: process.threadCpuUsage() };
    const result = await createIndexer({ ctx, progress: defaultProgressMode() }).runOnce();
    const cpu = { process: process.cpuUsage(cpuBefore.process), thread: process.threadCpuUsage(cpuBefore.thread) };
    const peakMb = process.resourceUsage().maxRSS / 1024;
    const ceilingAfter: CeilingResult = await ceiling();

    const count = (sql: string) => (connectionOf(db).prepare(sql).get() as { n: number }).n;
    const indexedExecutions = count("SELECT count(*) AS n FROM safe_executions");
    const indexedDeposits = count("SELECT count(*) AS n FROM transfers WHERE direction = 'in' AND token IS NOT NULL");
    const signers = count("SELECT count(*) AS n FROM execution_signers");
    const payments = count("SELECT count(*) AS n FROM payments");
    const live = await readSafeState(client, deployment.safe.address, []);
    const indexed = readIndexedSafeState(db);
    const seconds = result.durationMs / 1000;
    const l1Ms = executionReadStats.ms;
    const otherMs = Math.max(0, result.durationMs - result.rpcMs - result.sqliteMs - recoveryStats.ms - l1Ms);
    const share = (ms: number) => `${((100 * ms) / result.durationMs).toFixed(0)}%`;
    const parts = [
      ["waiting on the RPC (eth_getLogs, block headers; the next range is read ahead)", result.rpcMs],
      ["SQLite (rows, checkpoint, outbox: one transaction per batch)", result.sqliteMs],
      [`recovering signers (${recoveryStats.signatures} ECDSA signatures; on worker threads for busy ranges, overlapping the rest)`, recoveryStats.ms],
      [`L1 executions read from ${executionReadStats.transactions} transactions, ${executionReadStats.traces} call traces`, l1Ms],
      ["the rest in this process (parsing RPC answers, decoding logs)", otherMs],
    ] as const;
    const bound = [...parts].sort((a, b) => b[1] - a[1])[0];

    console.log("");
    console.log(`Cold backfill of blocks ${deployment.deploymentBlock}..${result.toBlock} over HTTP`);
    console.log(`  events indexed      ${result.events} (${indexedExecutions} Safe executions, ${indexedDeposits} incoming ERC-20 transfers, ${signers} signers recovered)`);
    console.log(`  payments decoded ${payments} of ${executions * paymentsPerExecution}`);
    console.log(`  batches             ${result.batches}`);
    console.log(`  wall time           ${seconds.toFixed(2)} s`);
    console.log(`  events per second   ${Math.round(result.events / seconds)} (target 5000)`);
    console.log(`  peak memory (RSS)   ${peakMb.toFixed(0)} MB (${(rssBefore / 1024).toFixed(0)} MB before indexing)`);
    for (const [label, ms] of parts) console.log(`  ${label.padEnd(80)} ${(ms / 1000).toFixed(2)} s  ${share(ms)}`);
    console.log(`  bounded by          ${bound[0]}`);
    const ceilingMs = Math.min(ceilingBefore.ms, ceilingAfter.ms);
    console.log(
      `  ceiling (fetch only) ${(ceilingBefore.ms / 1000).toFixed(2)} s before, ${(ceilingAfter.ms / 1000).toFixed(2)} s after the indexer ` +
        `(${ceilingAfter.logs} logs, ${ceilingAfter.headers} headers, ${ceilingInFlight} ranges in flight, ${ceilingAfter.requests} HTTP requests)`,
    );
    const cpuSeconds = (usage: NodeJS.CpuUsage) => ((usage.user + usage.system) / 1e6).toFixed(2);
    console.log(
      `  CPU time            ${cpuSeconds(cpu.thread)} s on the indexer's main thread, ${cpuSeconds(cpu.process)} s in all its threads (signer and checkpoint workers too); ` +
        `the ceiling's fetch took ${cpuSeconds(ceilingCpu)} s (the chain's process not counted)`,
    );
    console.log(`  indexer / ceiling   ${(result.durationMs / ceilingMs).toFixed(2)}x (target 1.5x; against the faster of the two ceiling runs)`);
    console.log(`  signature library   ${recoveryStats.signatures > 0 && recoveryStats.ms / recoveryStats.signatures < 1 ? "secp256k1 (native)" : "viem (JavaScript)"}, ${((1000 * recoveryStats.ms) / Math.max(1, recoveryStats.signatures)).toFixed(0)} µs per signature`);
    console.log(
      `  state check         owners ${indexed.owners.join() === live.owners.join() ? "equal" : "DIFFER"}, threshold ${indexed.threshold === live.threshold ? "equal" : "DIFFERS"}, nonce ${indexed.nonce} (chain ${live.nonce})`,
    );
    if (process.argv.includes("--json")) {
      const line: SizeResult = {
        executions, events: result.events, seconds, eventsPerSecond: result.events / seconds, peakMb, ceilingSeconds: ceilingMs / 1000,
        cpuSeconds: (cpu.process.user + cpu.process.system) / 1e6,
      };
      console.log(`RESULT ${JSON.stringify(line)}`);
    }
    if (payments < executions * paymentsPerExecution || indexedExecutions < executions || indexedDeposits < deposits || indexed.nonce !== live.nonce) process.exitCode = 1;
  } finally {
    closeDatabase(db);
    rmSync(dir, { recursive: true, force: true });
    child.stdin?.end();
  }
}

/** `--sizes a,b,c`: one process per size (so each peak RSS is its own), then a table. */
async function sizes(list: number[]): Promise<void> {
  console.log(`Load average ${loadavg().map((n) => n.toFixed(2)).join(" ")} at the start (a shared machine).`);
  const rest = process.argv.slice(2).filter((_, index, all) => all[index] !== "--sizes" && all[index - 1] !== "--sizes");
  const results: SizeResult[] = [];
  for (const size of list) {
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), ...rest, "--executions", String(size), "--deposits", String(size), "--json"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const lines: string[] = [];
    createInterface({ input: child.stdout }).on("line", (line) => (lines.push(line), console.log(`  [${size}] ${line}`)));
    const code = await new Promise<number | null>((done) => child.on("exit", done));
    const line = lines.find((text) => text.startsWith("RESULT "));
    if (!line) throw new Error(`the run for ${size} executions exited with ${code} and no result`);
    results.push(JSON.parse(line.slice("RESULT ".length)) as SizeResult);
    if (code !== 0) process.exitCode = 1;
  }
  console.log("");
  console.log(`executions  events    wall s  events/s  ceiling s  indexer/ceiling  peak RSS MB  CPU s (all threads)`);
  for (const r of results)
    console.log(
      `${String(r.executions).padStart(10)}  ${String(r.events).padStart(8)}  ${r.seconds.toFixed(2).padStart(6)}  ${Math.round(r.eventsPerSecond).toString().padStart(8)}  ${r.ceilingSeconds.toFixed(2).padStart(9)}  ${(r.seconds / r.ceilingSeconds).toFixed(2).padStart(15)}x  ${r.peakMb.toFixed(0).padStart(11)}  ${(r.cpuSeconds ?? 0).toFixed(2).padStart(19)}`,
    );
  const at10k = results.find((r) => r.executions === 10_000);
  const largest = results[results.length - 1];
  if (at10k && largest !== at10k)
    console.log(`events/s at ${largest.executions} = ${(largest.eventsPerSecond / at10k.eventsPerSecond).toFixed(2)}x that at 10000 (target >= 0.9)`);
  console.log(`Load average ${loadavg().map((n) => n.toFixed(2)).join(" ")} at the end.`);
}

const sizesIndex = process.argv.indexOf("--sizes");
if (process.argv.includes("--serve-chain")) await serveChain();
else if (sizesIndex >= 0) await sizes(process.argv[sizesIndex + 1].split(",").map(Number));
else await main();
