/**
 * `npm run bench:cli [-- --runs 7 --start-runs 3 --question "..."]`: whole-process wall times, as a
 * person at a terminal sees them, each run several times (median and min), with the load average
 * (the machine may be shared):
 * - `node -e 0`, the floor every command pays;
 * - `treasury --help` (the `bin/treasury.js` the `treasury` command runs, on the project's Node);
 * - `treasury ask "<question>"` on a database made by replaying the bundled fixture (`npm run seed`
 *   into a temporary folder, once per bench run);
 * - `npm start` until `/healthz` first answers 200: the first start (fresh data folder: demo replay)
 *   and a restart (same folder: the chain journal is replayed, nothing deployed again).
 * Targets on a quiet machine: `--help` under 200 ms over `node -e 0`, `ask` under 500 ms, first start
 * under 10 s, restart under 3 s.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "7" },
    "start-runs": { type: "string", default: "3" },
    question: { type: "string", default: "How much USDC did we pay in 2026?" },
    keep: { type: "boolean", default: false },
  },
});
const runs = Number(values.runs);
const startRuns = Number(values["start-runs"]);
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const node = process.execPath;
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const scratch = mkdtempSync(join(tmpdir(), "treasury-bench-cli-"));
const load = () => loadavg().map((value) => value.toFixed(2)).join(" ");

type Row = { name: string; times: number[]; target?: string };
const rows: Row[] = [];

/** Environment of one treasury data folder; no inherited treasury settings, so runs compare. */
function dataEnv(folder: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (/^(RPC_URL|SAFE_|SLACK_|OPENAI_|EMBEDDINGS_|DEMO_FIXTURE|PORT|LOCAL_CHAIN_PORT)/.test(key)) delete env[key];
  return {
    ...env,
    DATABASE_PATH: join(folder, "treasury.db"),
    DEPLOYMENT_FILE: join(folder, "deployment.json"),
    CHAIN_JOURNAL_FILE: join(folder, "chain-journal.jsonl"),
    LOG_LEVEL: "warn",
    ...extra,
  };
}

/** Wall time of one process from spawn to exit, in ms; a non-zero exit stops the bench. */
function timeProcess(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd: root, env, encoding: "utf8" });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return elapsed;
}

function measure(name: string, count: number, once: () => number, target?: string): Row {
  once(); // warm the file cache; not counted
  const row: Row = { name, times: [], target };
  for (let run = 0; run < count; run++) row.times.push(once());
  rows.push(row);
  console.log(`  ${name}: ${row.times.map((time) => time.toFixed(0)).join(", ")} ms  (load ${load()})`);
  return row;
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/** `npm start` on a data folder, until `/healthz` answers 200; then SIGTERM and wait for the exit. Returns ms to the 200. */
async function timeStart(folder: string): Promise<number> {
  const [port, chainPort] = [await freePort(), await freePort()];
  const env = dataEnv(folder, { PORT: String(port), LOCAL_CHAIN_PORT: String(chainPort) });
  const started = performance.now();
  // Its own process group, so the signal reaches npm's child too.
  const child = spawn(npm, ["start", "--silent"], { cwd: root, env, stdio: ["ignore", "ignore", "pipe"], detached: true });
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  let finished: number | undefined;
  try {
    while (finished === undefined) {
      if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode} before /healthz answered:\n${stderr}`);
      if (performance.now() - started > 180_000) throw new Error(`/healthz did not answer in 180 s:\n${stderr}`);
      const status = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) finished = performance.now() - started;
      else await new Promise((done) => setTimeout(done, 20));
    }
  } finally {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      // already gone
    }
    await exited;
  }
  return finished;
}

async function measureStarts(): Promise<void> {
  const first: Row = { name: "npm start, first run (demo) to /healthz 200", times: [], target: "< 10 s" };
  const restart: Row = { name: "npm start, restart to /healthz 200", times: [], target: "< 3 s" };
  for (let run = 0; run < startRuns; run++) {
    const folder = mkdtempSync(join(scratch, "start-"));
    first.times.push(await timeStart(folder));
    restart.times.push(await timeStart(folder));
    console.log(`  start run ${run + 1}: first ${first.times.at(-1)!.toFixed(0)} ms, restart ${restart.times.at(-1)!.toFixed(0)} ms  (load ${load()})`);
    rmSync(folder, { recursive: true, force: true });
  }
  rows.push(first, restart);
}

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

try {
  console.log(`bench:cli in ${root}; ${runs} runs each (${startRuns} for npm start); node ${process.version}; load ${load()}`);
  const bin = join(root, "bin/treasury.js");

  const bare = measure("node -e 0", runs, () => timeProcess(node, ["-e", "0"]));
  const help = measure("treasury --help", runs, () => timeProcess(node, [bin, "--help"]), "< node -e 0 + 200 ms");

  const seeded = join(scratch, "seeded");
  console.log(`  replaying the bundled fixture into ${seeded} (npm run seed)...`);
  const seedMs = timeProcess(npm, ["run", "--silent", "seed", "--", "--quiet"], dataEnv(seeded, { CHAIN_JOURNAL_FILE: "none" }));
  console.log(`  seeded in ${(seedMs / 1000).toFixed(1)} s  (load ${load()})`);
  measure(`treasury ask "${values.question}"`, runs, () => timeProcess(node, [bin, "ask", values.question!], dataEnv(seeded)), "< 500 ms");

  await measureStarts();

  console.log(`\nload average ${load()} (1, 5, 15 min) on ${root}`);
  const table = [["what", "median ms", "min ms", "target"], ...rows.map((row) => [row.name, median(row.times).toFixed(0), Math.min(...row.times).toFixed(0), row.target ?? ""])];
  const widths = table[0].map((_, column) => Math.max(...table.map((line) => line[column].length)));
  for (const line of table) console.log(line.map((cell, column) => (column === 1 || column === 2 ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))).join("  ").trimEnd());
  console.log(`--help over node -e 0: median ${(median(help.times) - median(bare.times)).toFixed(0)} ms, min ${(Math.min(...help.times) - Math.min(...bare.times)).toFixed(0)} ms`);
} finally {
  if (!values.keep) rmSync(scratch, { recursive: true, force: true });
}
