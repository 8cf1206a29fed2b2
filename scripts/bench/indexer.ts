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
// decoding and recovering signers in between). The backfill runs in a process of
// its own from the build in dist/ (scripts/bench/indexer-backfill.ts), as `npm start`
// runs the indexer: its peak memory is its own, and its worker threads load
// compiled code, not TypeScript through tsx. The ceiling, a plain fetch of the
// same logs and headers with no decoding or storage (scripts/bench/ceiling.ts),
// runs on the same chain just before and just after the indexer.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createChainClient } from "../../core/chain.ts";
import { readDeployment, type Deployment } from "../../core/deployment.ts";
import { ensureDeployment } from "../../devchain/ensure-deployment.ts";
import { startLocalNode } from "../../devchain/node.ts";
import { generateSafeHistory } from "./indexer-history.ts";
import { useL1Safe } from "./indexer-l1-safe.ts";
import { fetchCeiling, type CeilingResult } from "./ceiling.ts";
import type { BackfillJob, BackfillReport } from "./indexer-backfill.ts";
import { availableParallelism, loadavg } from "node:os";
import { cpuSecondsOf } from "./cpu-time.ts";
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
  const deployment = readDeployment(ready.deploymentFile)!;
  const creationBlock = ready.safe.creationBlock;
  const head = Number(await createChainClient({ rpcUrl: ready.url, chainId: deployment.chainId }).getBlockNumber());
  // Each execution logs SafeMultiSigTransaction, ExecutionSuccess and the token's Transfers; each deposit one Transfer.
  const logsPerBlock = (2 + paymentsPerExecution) * Math.min(perBlock, executions) + Math.min(perBlock, deposits);
  const ceiling = () =>
    fetchCeiling({
      url: ready.url,
      safe: ready.safe.address,
      fromBlock: creationBlock,
      toBlock: head,
      blocksPerRange: Math.max(1, Math.floor(ceilingLogsPerRange / Math.max(1, logsPerBlock))),
      inFlight: ceilingInFlight,
    });
  try {
    // The chain's process CPU (Linux /proc), read around the ceiling and around the backfill's process.
    const chainCpu = () => cpuSecondsOf(child.pid) ?? Number.NaN;
    const chainBefore = chainCpu();
    const ceilingCpuBefore = process.cpuUsage();
    const ceilingBefore: CeilingResult = await ceiling();
    const ceilingCpu = process.cpuUsage(ceilingCpuBefore);
    const chainAfterCeiling = chainCpu();
    const job: BackfillJob = { url: ready.url, deploymentFile: ready.deploymentFile, safe: ready.safe, databasePath: join(dir, "treasury.db") };
    const { result, recovery, recoveryAlone, bareWrites, l1Reads, cpu, peakMb, rssBeforeMb, rows, state } = await runBackfill(job);
    const chainForIndexer = chainCpu() - chainAfterCeiling;
    const ceilingAfter: CeilingResult = await ceiling();

    const seconds = result.durationMs / 1000;
    const otherMs = Math.max(0, result.durationMs - result.rpcMs - result.sqliteMs - recovery.ms - l1Reads.ms);
    const share = (ms: number) => `${((100 * ms) / result.durationMs).toFixed(0)}%`;
    const parts = [
      ["waiting on the RPC (eth_getLogs, block headers; the next range is read ahead)", result.rpcMs],
      ["SQLite (rows, checkpoint, outbox: one transaction per batch)", result.sqliteMs],
      [`recovering signers (${recovery.signatures} ECDSA signatures; on worker threads for busy ranges, overlapping the rest)`, recovery.ms],
      [`L1 executions read from ${l1Reads.transactions} transactions, ${l1Reads.traces} call traces`, l1Reads.ms],
      ["the rest in this process (parsing RPC answers, decoding logs)", otherMs],
    ] as const;
    const bound = [...parts].sort((a, b) => b[1] - a[1])[0];

    console.log("");
    console.log(`Cold backfill of blocks ${deployment.deploymentBlock}..${result.toBlock} over HTTP`);
    console.log(`  events indexed      ${result.events} (${rows.executions} Safe executions, ${rows.deposits} incoming ERC-20 transfers, ${rows.signers} signers recovered)`);
    console.log(`  payments decoded ${rows.payments} of ${executions * paymentsPerExecution}`);
    console.log(`  batches             ${result.batches}`);
    console.log(`  wall time           ${seconds.toFixed(2)} s`);
    console.log(`  events per second   ${Math.round(result.events / seconds)} (target 5000)`);
    console.log(`  peak memory (RSS)   ${peakMb.toFixed(0)} MB (the backfill's process; ${rssBeforeMb.toFixed(0)} MB before indexing)`);
    for (const [label, ms] of parts) console.log(`  ${label.padEnd(80)} ${(ms / 1000).toFixed(2)} s  ${share(ms)}`);
    console.log(`  bounded by          ${bound[0]}`);
    const ceilingMs = Math.min(ceilingBefore.ms, ceilingAfter.ms);
    console.log(
      `  ceiling (fetch only) ${(ceilingBefore.ms / 1000).toFixed(2)} s before, ${(ceilingAfter.ms / 1000).toFixed(2)} s after the indexer ` +
        `(${ceilingAfter.logs} logs, ${ceilingAfter.headers} headers, ${ceilingInFlight} ranges in flight, ${ceilingAfter.requests} HTTP requests)`,
    );
    console.log(
      `  CPU time            ${cpu.mainThread.toFixed(2)} s on the indexer's main thread, ${cpu.allThreads.toFixed(2)} s in all its threads (signer and checkpoint workers too); ` +
        `the ceiling's fetch took ${((ceilingCpu.user + ceilingCpu.system) / 1e6).toFixed(2)} s (the chain's process not counted)`,
    );
    console.log(`  indexer / ceiling   ${(result.durationMs / ceilingMs).toFixed(2)}x (target 1.5x; against the faster of the two ceiling runs)`);
    // With every core busy, no schedule finishes sooner than the CPU time it needs spread over all the cores.
    const cores = availableParallelism();
    const ceilingCpuSeconds = (ceilingCpu.user + ceilingCpu.system) / 1e6;
    const floorSeconds = (cpu.allThreads + chainForIndexer) / cores;
    console.log(
      `  CPU floor           the chain's process spent ${(chainAfterCeiling - chainBefore).toFixed(2)} s serving the first ceiling and ${chainForIndexer.toFixed(2)} s while the backfill's process ran. ` +
        `On ${cores} cores the backfill cannot take less than (${cpu.allThreads.toFixed(2)} + ${chainForIndexer.toFixed(2)}) / ${cores} = ${floorSeconds.toFixed(2)} s, ` +
        `${((1000 * floorSeconds) / ceilingMs).toFixed(2)}x the ceiling (whose own floor is ${((ceilingCpuSeconds + chainAfterCeiling - chainBefore) / cores).toFixed(2)} s)`,
    );
    // What no indexer of this chain can skip, whatever its design: the chain serving the logs and headers (as it served
    // the ceiling), the client reading and parsing them (the ceiling's own CPU), one recovery per ECDSA signature
    // (timed alone, after the backfill), and storing the same rows with no key or index. Spread over every core, that
    // is the shortest any backfill of this chain can take here, before a log is decoded or a key is kept.
    const chainForCeiling = chainAfterCeiling - chainBefore;
    const recoveryAloneUs = (1000 * recoveryAlone.ms) / Math.max(1, recoveryAlone.signatures);
    const recoveryAloneSeconds = (recovery.signatures * recoveryAloneUs) / 1e6;
    const unavoidableSeconds = (chainForCeiling + ceilingCpuSeconds + recoveryAloneSeconds + bareWrites.ms / 1000) / cores;
    console.log(
      `  unavoidable work    chain serving ${chainForCeiling.toFixed(2)} s + fetching and parsing ${ceilingCpuSeconds.toFixed(2)} s + ${recovery.signatures} signatures at ` +
        `${recoveryAloneUs.toFixed(0)} µs alone ${recoveryAloneSeconds.toFixed(2)} s + storing ${bareWrites.rows} rows ` +
        `with no key or index ${(bareWrites.ms / 1000).toFixed(2)} s, over ${cores} cores: ${unavoidableSeconds.toFixed(2)} s, ` +
        `${((1000 * unavoidableSeconds) / ceilingMs).toFixed(2)}x the ceiling` +
        (1000 * unavoidableSeconds > 1.5 * ceilingMs ? ` (above the 1.5x target: no indexer can meet it on ${cores} cores)` : ""),
    );
    console.log(`  signature library   ${recovery.signatures > 0 && recovery.ms / recovery.signatures < 1 ? "secp256k1 (native)" : "viem (JavaScript)"}, ${((1000 * recovery.ms) / Math.max(1, recovery.signatures)).toFixed(0)} µs per signature`);
    console.log(
      `  state check         owners ${state.ownersEqual ? "equal" : "DIFFER"}, threshold ${state.thresholdEqual ? "equal" : "DIFFERS"}, nonce ${state.nonce} (chain ${state.chainNonce})`,
    );
    if (process.argv.includes("--json")) {
      const line: SizeResult = {
        executions, events: result.events, seconds, eventsPerSecond: result.events / seconds, peakMb, ceilingSeconds: ceilingMs / 1000,
        cpuSeconds: cpu.allThreads,
      };
      console.log(`RESULT ${JSON.stringify(line)}`);
    }
    if (rows.payments < executions * paymentsPerExecution || rows.executions < executions || rows.deposits < deposits || state.nonce !== state.chainNonce) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    child.stdin?.end();
  }
}

/** Runs the backfill in its own process, from the build (`npm run bench:indexer` builds first), and reads its report. */
async function runBackfill(job: BackfillJob): Promise<BackfillReport> {
  const script = join(projectRoot, "dist", "scripts", "bench", "indexer-backfill.js");
  if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` (npm run bench:indexer does) first`);
  // BENCH_PROFILE_DIR=dir: the backfill's process writes a V8 CPU profile there, one per thread.
  const profile = process.env.BENCH_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  // BENCH_NODE_FLAGS="--flag …": Node flags for the backfill's process (to try runtime settings).
  const flags = (process.env.BENCH_NODE_FLAGS ?? "").split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...profile, ...flags, script, JSON.stringify(job)], { stdio: ["ignore", "pipe", "inherit"] });
  let report: BackfillReport | undefined;
  createInterface({ input: child.stdout }).on("line", (line) => {
    if (line.startsWith("BACKFILL ")) report = JSON.parse(line.slice("BACKFILL ".length)) as BackfillReport;
    else console.log(line);
  });
  const code = await new Promise<number | null>((done) => child.on("exit", done));
  if (code !== 0 || !report) throw new Error(`the backfill's process exited with ${code}${report ? "" : " and no report"}`);
  return report;
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
