/**
 * `npm run bench:hosted` – a hosted deployment under Slack load, with kills.
 *
 * On one PostgreSQL schema: two `web`, two `worker` and two `indexer`
 * processes (`node dist/app/main.js --role …`, as shipped); 50 Slack
 * workspaces installed through the real OAuth flow against the fake Slack,
 * each with its own Safe on the local chain and a channel bound to it. Signed
 * Slack traffic (bench:slack's mix: commands, thread replies, chatter,
 * mentions, Slack retries) at BENCH_RATE requests/s (200) for BENCH_SECONDS
 * (60; `--quick`: 10) across the workspaces, sent to the two web processes
 * round-robin, while a depositor sends money to the Safes. Midway one web,
 * one worker and one indexer are SIGKILLed and replacements started.
 *
 * Then it waits for the jobs and the indexers to settle and prints ack
 * latency (from each request's scheduled send), the rate achieved, the jobs
 * done, and exactly-once counts – requests, retries, jobs, posts, indexed
 * deposits against the chain's own logs – with the targets beside them, and
 * where the cores went during the load: CPU seconds of each role (a
 * replacement counts whole, its start included), of PostgreSQL, of the chain
 * and fake Slack, and of the load generator (scripts/bench/cpu-time.ts).
 *
 * `--sqlite`: the same workload on one `--role all` process over a SQLite
 * file, for comparison (no kill there: one process owns the file).
 * `--remote-embeddings`: the processes embed the activity (each thread reply
 * is a row to embed) through EMBEDDINGS_URL, a stand-in for OpenAI's endpoint
 * in the chain's process, as a hosted deployment would; by default the
 * offline model runs on the same two cores (about 11 ms of CPU per text).
 *
 * `BENCH_NODE_FLAGS="--single-threaded-gc …"`: Node flags for every process of
 * the deployment, to try runtime settings. `BENCH_LATENCIES=file.json`: every
 * answered request's scheduled time and latency, and the kills', for a closer look.
 *
 * The chain and the fake Slack run in a child process (hosted-infra.ts), the
 * load generator in a worker thread (hosted-load.ts).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import pg from "pg";
import { createPublicClient, http } from "viem";
import { systemClock } from "../../core/clock.ts";
import type { TreasuryContext } from "../../core/context.ts";
import { readHistory } from "../../db/chain-mirror/history.ts";
import { connectionOf } from "../../db/connection.ts";
import { closeDatabase, openDatabase } from "../../db/open.ts";
import { forSafe, registerSafe } from "../../db/safes.ts";
import { bindChannel } from "../../db/slack.ts";
import { postgresForTests } from "../../test/helpers/postgres-server.ts";
import { addSlackPeople, commandFields, signingSecret, users } from "../../test/adapters/slack/harness.ts";
import { slackPoster } from "../../test/helpers/fake-slack.ts";
import { cpuSecondsOf, postgresCpuBetween, postgresCpuSeconds } from "./cpu-time.ts";
import { depositKey, readChainDeposits } from "./hosted-chain-truth.ts";
import { startHostedInfra, type HostedInfra } from "./hosted-infra.ts";
import type { EndpointMessage, LoadParameters, LoadResult } from "./hosted-load.ts";
import { kinds } from "./slack-mix.ts";
import { startTreasuryProcess, stopTreasuryProcesses, type TreasuryProcess } from "./hosted-processes.ts";

const sqlite = process.argv.includes("--sqlite");
const quick = process.argv.includes("--quick");
/** `--remote-embeddings`: the processes embed through an embeddings endpoint (EMBEDDINGS_URL, a local stand-in for OpenAI's) rather than the offline model on their own cores. */
const remoteEmbeddings = process.argv.includes("--remote-embeddings");
const seconds = Number(process.env.BENCH_SECONDS ?? (quick ? 10 : 60));
const rate = Number(process.env.BENCH_RATE ?? 200);
const depositsPerSecond = Number(process.env.BENCH_DEPOSITS ?? 2);
/** A killed worker's job goes to another after this many seconds without its heartbeat (pg-boss's floor is 10). */
const heartbeatSeconds = 10;
/** BENCH_KILL=0 runs the PostgreSQL deployment without the kills (to tell their effect from the load's). */
const kill = !sqlite && process.env.BENCH_KILL !== "0";

const load = () => loadavg().map((value) => value.toFixed(2)).join(" ");
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);
const say = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

async function main() {
  console.log(
    `bench:hosted – ${sqlite ? "SQLite, one --role all process" : "PostgreSQL, 2 web + 2 worker + 2 indexer processes"}; ${rate} requests/s for ${seconds} s (BENCH_RATE, BENCH_SECONDS${quick ? ", --quick" : ""}); ` +
      `embeddings ${remoteEmbeddings ? "through an endpoint (--remote-embeddings: the stand-in for OpenAI's, in the chain's process)" : "by the offline model in the processes"}`,
  );
  const infra = await startHostedInfra();
  say(`chain and fake Slack up: ${infra.workspaces.length} workspaces, each with its own Safe`);
  const logDir = mkdtempSync(join(tmpdir(), "bench-hosted-logs-"));
  const processes: TreasuryProcess[] = [];
  // Stopped by a signal: the service processes go too (SIGKILL: they hold nothing worth a clean stop here).
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.once(signal, () => {
      for (const running of processes) if (running.child.exitCode === null) running.child.kill("SIGKILL");
      process.exit(130);
    });
  let dropSchema: (() => Promise<void>) | undefined;
  try {
    // The database: a fresh PostgreSQL schema, or a SQLite file.
    let location: string;
    if (sqlite) location = join(infra.dir, "treasury.db");
    else {
      const server = await postgresForTests();
      const schema = `bench_hosted_${randomBytes(4).toString("hex")}`;
      const url = new URL(server.url);
      url.searchParams.set("schema", schema);
      location = url.toString();
      dropSchema = async () => {
        const client = new pg.Client({ connectionString: server.url });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema}_boss CASCADE`);
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      };
    }
    say(`database: ${location}`);
    const db = openDatabase({ path: location });
    // Each workspace's Safe registered to it, its channel bound to it; the people linked as the Slack harness does.
    const now = Math.floor(Date.now() / 1000);
    const safeIds = infra.workspaces.map(
      (workspace, index) => registerSafe(db, { chainId: infra.chainId, address: workspace.safe, name: `bench-${String(index).padStart(2, "0")}`, now, workspace: workspace.teamId }).id,
    );
    for (const workspace of infra.workspaces)
      bindChannel(db, { channelId: workspace.channel, chainId: infra.chainId, safeAddress: workspace.safe, boundBy: "bench", workspace: workspace.teamId });
    // People and payees are per workspace: each gets its own.
    for (const safeId of safeIds) addSlackPeople({ db: forSafe(db, safeId), now: systemClock } as TreasuryContext, "bench");

    const env: Record<string, string> = {
      ...(sqlite ? { DATABASE_PATH: location } : { DATABASE_URL: location }),
      RPC_URL: infra.rpcUrl,
      DEPLOYMENT_FILE: infra.deploymentFile,
      SLACK_BOT_TOKEN: infra.home.botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: `${infra.fakeUrl}/api`,
      SLACK_CLIENT_ID: infra.oauthApp.clientId,
      SLACK_CLIENT_SECRET: infra.oauthApp.clientSecret,
      SLACK_STATE_SECRET: "a-state-secret-of-the-bench-app!",
      HOST: "127.0.0.1",
      PORT: "0",
      LOG_LEVEL: "info",
      JOB_HEARTBEAT_SECONDS: String(heartbeatSeconds),
      ...(remoteEmbeddings ? { EMBEDDINGS_URL: infra.embeddings.url, EMBEDDINGS_MODEL: "text-embedding-3-small", OPENAI_API_KEY: infra.embeddings.apiKey } : {}),
    };
    let started = 0;
    const start = (role: string, name: string) => {
      const running = startTreasuryProcess({ name, role, env, logDir });
      processes.push(running);
      started += 1;
      return running;
    };

    // The first process makes the schema's per-Safe records; the others start side by side after it.
    const startedAt = performance.now();
    const webs: TreasuryProcess[] = [];
    const workers: TreasuryProcess[] = [];
    const indexers: TreasuryProcess[] = [];
    if (sqlite) webs.push(start("all", "all"));
    else {
      webs.push(start("web", "web-a"));
      await webs[0]!.started;
      webs.push(start("web", "web-b"));
      workers.push(start("worker", "worker-a"), start("worker", "worker-b"));
      indexers.push(start("indexer", "indexer-a"), start("indexer", "indexer-b"));
    }
    const urls = await Promise.all(webs.map((web) => web.started));
    await Promise.all([...workers, ...indexers].map((running) => running.started));
    say(`${processes.length} processes serve after ${((performance.now() - startedAt) / 1000).toFixed(1)} s (logs in ${logDir})`);

    // Every workspace installs the app through Slack's OAuth flow (the fake hands out its code), on the first web process.
    for (const workspace of infra.workspaces) {
      const begin = await fetch(`${urls[0]}/slack/install`, { redirect: "manual" });
      const state = new URL(String(begin.headers.get("location"))).searchParams.get("state") ?? "";
      const cookie = String(begin.headers.get("set-cookie") ?? "").split(";")[0]!;
      const done = await fetch(`${urls[0]}/slack/oauth_redirect?code=${encodeURIComponent(workspace.code)}&state=${encodeURIComponent(state)}`, { headers: { cookie }, redirect: "manual" });
      await done.text();
      if (done.status !== 200) throw new Error(`the install of ${workspace.teamId} answered ${done.status}`);
    }
    const count = (sql: string) => Number((connectionOf(db).prepare(sql).get() as { n: number | string }).n);
    const installed = count("SELECT COUNT(*) AS n FROM slack_installations");
    say(`${installed} workspaces installed the app through OAuth`);
    if (installed !== infra.workspaces.length) throw new Error(`${installed} installations stored, ${infra.workspaces.length} expected`);

    // One proposal card per workspace, in its channel: the thread the replies go to.
    for (const [index, workspace] of infra.workspaces.entries()) {
      const response = await slackPoster(`${urls[index % urls.length]}/slack/events`, signingSecret).command({
        ...commandFields(`pay 0.01 ETH to Acme Design Studio for bench ${workspace.teamId}`, users.dana, workspace.channel),
        team_id: workspace.teamId,
      });
      if (response.status !== 200) throw new Error(`the pay command in ${workspace.teamId} answered ${response.status}: ${await response.text()}`);
    }
    const cards = new Map<string, string>();
    for (let round = 0; round < 600 && cards.size < infra.workspaces.length; round += 1) {
      await sleep(200);
      for (const row of connectionOf(db).prepare("SELECT channel_id, message_ts FROM proposal_messages").all() as Array<{ channel_id: string; message_ts: string }>)
        cards.set(row.channel_id, row.message_ts);
    }
    if (cards.size !== infra.workspaces.length) throw new Error(`only ${cards.size} of ${infra.workspaces.length} proposal cards were posted`);
    say(`${cards.size} proposal cards posted, one per workspace`);

    // The baseline: everything after it is the load's.
    const settleJobs = async (timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (count("SELECT COUNT(*) AS n FROM slack_jobs WHERE status IN ('pending', 'running')") > 0 && Date.now() < deadline) await sleep(200);
    };
    await settleJobs(60_000);
    const chainClient = createPublicClient({ transport: http(infra.rpcUrl) });
    const safes = infra.workspaces.map((workspace) => workspace.safe);
    const indexedOf = (index: number, upTo: bigint) =>
      readHistory(forSafe(db, safeIds[index]!), { kinds: ["deposit"] })
        .filter((row) => row.blockNumber <= Number(upTo))
        .map((row) => depositKey({ txHash: row.txHash, token: row.token, amount: row.amount ?? 0n }));
    /** Waits (up to `timeoutMs`) until each Safe's indexed deposits equal the chain's up to `upTo`; returns the chain's. */
    const settleIndexers = async (upTo: bigint, timeoutMs: number) => {
      const truth = await readChainDeposits(infra.rpcUrl, safes, upTo);
      const matches = () => safes.filter((safe, index) => sameMultiset(indexedOf(index, upTo), truth.get(safe.toLowerCase())!.map(depositKey))).length;
      const deadline = Date.now() + timeoutMs;
      while (matches() < safes.length && Date.now() < deadline) await sleep(250);
      return truth;
    };
    /** Waits (up to `timeoutMs`) until every outbox entry (deposit notices) is delivered. */
    const settleOutbox = async (timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (count("SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NULL") > 0 && Date.now() < deadline) await sleep(250);
    };
    // The Safes' funding before the load is indexed and announced before the baseline, so the notices counted are the load's.
    const firstBlock = await chainClient.getBlockNumber();
    await settleIndexers(firstBlock, 60_000);
    await settleOutbox(60_000);
    const callsBefore = await infra.calls();
    const baseline = {
      received: count("SELECT COUNT(*) AS n FROM slack_received"),
      retries: count("SELECT COALESCE(SUM(retries), 0) AS n FROM slack_received"),
      jobs: count("SELECT COUNT(*) AS n FROM slack_jobs"),
      done: count("SELECT COUNT(*) AS n FROM slack_jobs WHERE status = 'done'"),
      discussion: count("SELECT COUNT(*) AS n FROM discussion_messages"),
      posts: callsBefore.posts.length,
    };

    // The load, the deposits, and midway the kills; the CPU each part spends meanwhile.
    const loadBefore = load();
    const cpuAtStart = new Map(processes.map((running) => [running, cpuSecondsOf(running.child.pid) ?? NaN]));
    const cpuAtKill = new Map<TreasuryProcess, number>();
    const infraCpuAtStart = cpuSecondsOf(infra.pid);
    const benchCpuAtStart = process.cpuUsage();
    const postgresCpuAtStart = postgresCpuSeconds();
    const loadStartedAt = performance.now();
    infra.startDeposits(depositsPerSecond);
    const generator = startLoad({
      endpoints: urls.map((url) => `${url}/slack/events`),
      workspaces: infra.workspaces.map((workspace) => ({ teamId: workspace.teamId, channel: workspace.channel, botUserId: workspace.botUserId, cardTs: cards.get(workspace.channel)! })),
      rate,
      seconds,
    });
    const kills: string[] = [];
    let replacementsServeAfter: number | undefined;
    const startCpuSeconds = new Map<string, number>();
    /** When the kills were made and the replacements served, in ms since the epoch (placed on the load's own clock below). */
    let phases: { killed: number; served: number } | undefined;
    if (kill) {
      await Promise.race([sleep((seconds * 1000) / 2), generator.result]);
      const killedAt = performance.now();
      for (const victim of [webs[0]!, workers[0]!, indexers[0]!]) {
        cpuAtKill.set(victim, cpuSecondsOf(victim.child.pid) ?? NaN);
        victim.child.kill("SIGKILL");
        kills.push(victim.name);
      }
      say(`SIGKILLed ${kills.join(", ")}; starting replacements`);
      generator.send({ type: "endpoint", index: 0, url: null });
      const web = start("web", "web-a2");
      const worker = start("worker", "worker-a2");
      const indexer = start("indexer", "indexer-a2");
      // What each replacement spent to start, while the others carried the load.
      const startCpu = (replacement: TreasuryProcess) => replacement.started.then((url) => (startCpuSeconds.set(replacement.name, cpuSecondsOf(replacement.child.pid) ?? NaN), url));
      const [webUrl] = await Promise.all([startCpu(web), startCpu(worker), startCpu(indexer)]);
      webs.push(web);
      workers.push(worker);
      indexers.push(indexer);
      generator.send({ type: "endpoint", index: 0, url: `${webUrl}/slack/events` });
      replacementsServeAfter = (performance.now() - killedAt) / 1000;
      phases = { killed: performance.timeOrigin + killedAt, served: performance.timeOrigin + performance.now() };
      say(`replacements serve ${replacementsServeAfter.toFixed(1)} s after the kills`);
    }
    const result = await generator.result;
    const loadAfter = load();
    const loadWallSeconds = (performance.now() - loadStartedAt) / 1000;
    const cpuOfRole = (role: string) =>
      processes
        .filter((running) => running.role === role)
        .reduce((sum, running) => sum + (cpuAtKill.get(running) ?? cpuSecondsOf(running.child.pid) ?? NaN) - (cpuAtStart.get(running) ?? 0), 0);
    const benchCpu = process.cpuUsage(benchCpuAtStart);
    const cpu = {
      web: cpuOfRole(sqlite ? "all" : "web"),
      worker: cpuOfRole("worker"),
      indexer: cpuOfRole("indexer"),
      postgres: sqlite ? 0 : postgresCpuBetween(postgresCpuAtStart, postgresCpuSeconds()),
      infra: (cpuSecondsOf(infra.pid) ?? NaN) - (infraCpuAtStart ?? NaN),
      bench: (benchCpu.user + benchCpu.system) / 1e6,
    };
    const deposits = await infra.stopDeposits();
    say(`load done: ${result.latencies.length} requests answered in ${result.elapsed.toFixed(1)} s; ${deposits} deposits made; settling`);

    // Settle: every job run, every deposit indexed (up to the head after the last deposit).
    const drainStarted = performance.now();
    await settleJobs(Number(process.env.BENCH_DRAIN_SECONDS ?? 120) * 1000);
    const drainSeconds = (performance.now() - drainStarted) / 1000;
    const lastBlock = await chainClient.getBlockNumber();
    const indexStarted = performance.now();
    const truth = await settleIndexers(lastBlock, 60_000);
    const indexSettleSeconds = (performance.now() - indexStarted) / 1000;
    // Deposit notices: one post per deposit during the load, in its Safe's channel (they follow the indexers, after the outbox).
    const noticesExpected = new Map(infra.workspaces.map((workspace) => [workspace.channel, truth.get(workspace.safe.toLowerCase())!.filter((deposit) => deposit.blockNumber > Number(firstBlock)).length]));
    const mentionThreads = new Set(result.mentions.map((mention) => `${mention.channel}:${mention.ts}`));
    const noticesOf = (posts: Awaited<ReturnType<HostedInfra["calls"]>>["posts"]) =>
      posts.filter((post) => post.method === "chat.postMessage" && !(post.threadTs && mentionThreads.has(`${post.channel}:${post.threadTs}`)));
    const expectedNotices = [...noticesExpected.values()].reduce((sum, n) => sum + n, 0);
    await settleOutbox(60_000);
    await sleep(1000);
    await settleJobs(30_000);
    const callsAfter = await infra.calls();
    const posts = callsAfter.posts.slice(baseline.posts);

    // --- figures -------------------------------------------------------------------------------------------------
    const latencies = [...result.latencies].sort((a, b) => a - b);
    const serviceTimes = [...result.serviceTimes].sort((a, b) => a - b);
    const { sent } = result;
    const sentTotal = kinds.reduce((sum, kind) => sum + sent[kind], 0);
    const unique = sentTotal - sent.retry;
    const received = count("SELECT COUNT(*) AS n FROM slack_received") - baseline.received;
    const retriesCounted = count("SELECT COALESCE(SUM(retries), 0) AS n FROM slack_received") - baseline.retries;
    // Each answered delivery beyond a request's first is a retry; a delivery cut off by the kill may or may not have committed first.
    const retriesLow = result.answered - unique;
    const retriesHigh = retriesLow + result.cutOff;
    const jobs = count("SELECT COUNT(*) AS n FROM slack_jobs") - baseline.jobs;
    const jobsDone = count("SELECT COUNT(*) AS n FROM slack_jobs WHERE status = 'done'") - baseline.done;
    const jobsFailed = count("SELECT COUNT(*) AS n FROM slack_jobs WHERE status = 'failed'");
    const jobsOpen = count("SELECT COUNT(*) AS n FROM slack_jobs WHERE status IN ('pending', 'running')");
    const jobsTakenAgain = count("SELECT COUNT(*) AS n FROM slack_jobs WHERE attempts > 1");
    const expectedJobs = sent.reply + sent.mention + sent.proposals;
    const discussion = count("SELECT COUNT(*) AS n FROM discussion_messages") - baseline.discussion;
    const answersPerMention = new Map(result.mentions.map((mention) => [`${mention.channel}:${mention.ts}`, 0]));
    for (const post of posts)
      if (post.method === "chat.postMessage" && post.threadTs && answersPerMention.has(`${post.channel}:${post.threadTs}`))
        answersPerMention.set(`${post.channel}:${post.threadTs}`, answersPerMention.get(`${post.channel}:${post.threadTs}`)! + 1);
    const answeredOnce = [...answersPerMention.values()].filter((n) => n === 1).length;
    const answeredTwice = [...answersPerMention.values()].filter((n) => n > 1).length;
    const ephemerals = posts.filter((post) => post.method === "chat.postEphemeral").length;
    const teamOfChannel = new Map(infra.workspaces.map((workspace) => [workspace.channel, workspace.teamId]));
    const wrongToken = posts.filter((post) => teamOfChannel.has(post.channel) && post.team !== teamOfChannel.get(post.channel)).length;
    const notices = noticesOf(posts);
    const noticeChannelsRight = infra.workspaces.filter((workspace) => notices.filter((post) => post.channel === workspace.channel).length === noticesExpected.get(workspace.channel)).length;
    let indexedRows = 0;
    let chainRows = 0;
    let missing = 0;
    let extra = 0;
    let safesEqual = 0;
    for (const [index, safe] of safes.entries()) {
      const indexed = indexedOf(index, lastBlock);
      const chain = truth.get(safe.toLowerCase())!.map(depositKey);
      indexedRows += indexed.length;
      chainRows += chain.length;
      const { onlyLeft, onlyRight } = multisetDifference(chain, indexed);
      missing += onlyLeft;
      extra += onlyRight;
      if (onlyLeft === 0 && onlyRight === 0) safesEqual += 1;
    }
    const queue = sqlite ? undefined : await queueStates(location);
    const leasesTaken = (pattern: RegExp) => processes.filter((running) => running.role === "indexer").map((running) => `${running.name} ${running.count(pattern)}`).join(", ");

    const row = (label: string, value: string | number, ok?: boolean) =>
      console.log(`${label.padEnd(58)} ${String(value).padStart(16)}${ok === undefined ? "" : ok ? "  ok" : "  MISMATCH"}`);
    console.log("");
    console.log(`load average before / after the load (1, 5, 15 min): ${loadBefore}  /  ${loadAfter}  (${navigator.hardwareConcurrency} cores)`);
    console.log(sqlite ? "deployment: one --role all process on SQLite (no kill: one process owns the file)" : `deployment: ${started} processes started in all; SIGKILLed midway: ${kills.join(", ")}; replacements served after ${replacementsServeAfter?.toFixed(1)} s`);
    if (startCpuSeconds.size > 0) console.log(`  CPU seconds each replacement spent to start: ${[...startCpuSeconds].map(([name, cpu]) => `${name} ${cpu.toFixed(2)}`).join(", ")}`);
    row("workspaces / Safes / channels bound", `${infra.workspaces.length} / ${safes.length} / ${cards.size}`);
    row("requests answered 200", latencies.length);
    row("rate achieved (requests/s; target 200)", (latencies.length / result.elapsed).toFixed(1), latencies.length / result.elapsed >= rate * 0.98);
    row("requests never answered 200", result.failures, result.failures === 0);
    if (result.failures) console.log(`    ${Object.entries(result.failureKinds).map(([what, n]) => `${what}: ${n}`).join(", ")}`);
    row("not sent (too many unanswered)", result.skipped, result.skipped === 0);
    row("ack latency p50 (ms, from scheduled send)", percentile(latencies, 50).toFixed(2));
    row("ack latency p99 (ms, from scheduled send; target < 50)", percentile(latencies, 99).toFixed(2), percentile(latencies, 99) < 50);
    row("ack latency max (ms, from scheduled send)", (latencies.at(-1) ?? NaN).toFixed(2));
    // The kills in seconds from the load's first scheduled request (its thread started a little after `loadStartedAt`).
    const onLoadClock = phases && { killed: (phases.killed - result.startedAtEpochMs) / 1000, served: (phases.served - result.startedAtEpochMs) / 1000 };
    if (onLoadClock) {
      const { killed, served } = onLoadClock;
      const within = (from: number, to: number) => result.latencies.filter((_, i) => result.scheduledAt[i]! >= from && result.scheduledAt[i]! < to).sort((a, b) => a - b);
      const figures = (sorted: number[]) => `${percentile(sorted, 50).toFixed(1)} / ${percentile(sorted, 99).toFixed(1)} (${sorted.length})`;
      row("  p50 / p99 (ms, requests) before the kills", figures(within(0, killed)));
      row("  … from the kills until the replacements serve", figures(within(killed, served)));
      row("  … after", figures(within(served, Infinity)));
    }
    if (process.env.BENCH_LATENCIES) {
      // Every answered request's scheduled send (s from the load's start) and latency (ms), with the kills on the same clock.
      writeFileSync(process.env.BENCH_LATENCIES, JSON.stringify({ phases: onLoadClock, scheduledAt: result.scheduledAt, latencies: result.latencies }));
    }
    const windows = Math.ceil(seconds / 5);
    const p99By5s = Array.from({ length: windows }, (_, w) =>
      percentile(result.latencies.filter((_, i) => Math.floor(result.scheduledAt[i]! / 5) === w).sort((a, b) => a - b), 99),
    );
    console.log(`  p99 (ms) of each 5 s of the load: ${p99By5s.map((value) => value.toFixed(0)).join(" ")}`);
    row("  time on the wire p50 / p99 (ms)", `${percentile(serviceTimes, 50).toFixed(2)} / ${percentile(serviceTimes, 99).toFixed(2)}`);
    row("  generator late at most (ms)", result.lateMax.toFixed(1));
    row("  answers per web endpoint (slot A, slot B)", result.perEndpoint.join(" / "));
    row("deliveries cut off by the kill / requests re-delivered", `${result.cutOff} / ${result.redelivered}`);
    const cpuFigure = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : "n/a");
    const cpuTotal = Object.values(cpu).reduce((sum, value) => sum + value, 0);
    console.log(
      `CPU seconds during the load (${loadWallSeconds.toFixed(1)} s wall): ${sqlite ? `all ${cpuFigure(cpu.web)}` : `web ${cpuFigure(cpu.web)}, worker ${cpuFigure(cpu.worker)}, indexer ${cpuFigure(cpu.indexer)}, PostgreSQL ${cpuFigure(cpu.postgres)}`}, ` +
        `chain + fake Slack${remoteEmbeddings ? " + fake embeddings" : ""} ${cpuFigure(cpu.infra)}, load generator ${cpuFigure(cpu.bench)}; ${cpuFigure(cpuTotal)} in all, ${(cpuTotal / loadWallSeconds).toFixed(2)} cores busy on average`,
    );
    console.log("");
    row("sent: help / proposals commands", `${sent.help} / ${sent.proposals}`);
    row("sent: thread replies / chatter / mentions", `${sent.reply} / ${sent.chatter} / ${sent.mention}`);
    row("sent: Slack retries of earlier events", sent.retry);
    row("unique requests accepted (slack_received) / sent", `${received} / ${unique}`, received === unique);
    row(`retries recognised / expected${retriesHigh > retriesLow ? " (range: cut-off deliveries)" : ""}`, `${retriesCounted} / ${retriesLow === retriesHigh ? retriesLow : `${retriesLow}..${retriesHigh}`}`, retriesCounted >= retriesLow && retriesCounted <= retriesHigh);
    row("jobs queued / expected (replies + mentions + proposals)", `${jobs} / ${expectedJobs}`, jobs === expectedJobs);
    row("jobs done / queued", `${jobsDone} / ${jobs}`, jobsDone === jobs);
    row("jobs failed / still open", `${jobsFailed} / ${jobsOpen}`, jobsFailed === 0 && jobsOpen === 0);
    row("jobs taken again after their worker died (attempts > 1)", jobsTakenAgain);
    if (queue) row("queue deliveries by state (pg-boss)", Object.entries(queue).map(([state, n]) => `${state} ${n}`).join(", ") || "none");
    row("discussion_messages rows / thread replies", `${discussion} / ${sent.reply}`, discussion === sent.reply);
    row("mentions answered once in their thread / mentions", `${answeredOnce} / ${sent.mention}`, answeredOnce === sent.mention && answeredTwice === 0);
    row("  mentions answered twice", answeredTwice, answeredTwice === 0);
    row("ephemeral replies / proposals commands", `${ephemerals} / ${sent.proposals}`, ephemerals === sent.proposals);
    row("deposit notices posted / deposits during the load", `${notices.length} / ${expectedNotices}`, notices.length === expectedNotices);
    row("  channels with exactly their Safe's notices", `${noticeChannelsRight} / ${infra.workspaces.length}`, noticeChannelsRight === infra.workspaces.length);
    row("posts made with another workspace's token", wrongToken, wrongToken === 0);
    row("indexed deposits / the chain's (all Safes)", `${indexedRows} / ${chainRows}`, indexedRows === chainRows);
    row("  missing / extra or doubled", `${missing} / ${extra}`, missing === 0 && extra === 0);
    row("  Safes whose rows equal the chain's", `${safesEqual} / ${safes.length}`, safesEqual === safes.length);
    if (!sqlite) row("  indexer leases taken, by process", leasesTaken(/"lease":"indexer:/));
    row("jobs drain after the load (s)", drainSeconds.toFixed(1));
    row("indexers settle after the drain (s)", indexSettleSeconds.toFixed(1));
    console.log(`Web API calls during the load: ${Object.entries(callsAfter.byMethod).map(([method, n]) => [method, n - (callsBefore.byMethod[method] ?? 0)] as const).filter(([, n]) => n > 0).map(([method, n]) => `${method} ${n}`).join(", ")}`);
    const exact =
      received === unique &&
      retriesCounted >= retriesLow &&
      retriesCounted <= retriesHigh &&
      jobs === expectedJobs &&
      jobsDone === jobs &&
      jobsFailed === 0 &&
      jobsOpen === 0 &&
      discussion === sent.reply &&
      answeredOnce === sent.mention &&
      answeredTwice === 0 &&
      ephemerals === sent.proposals &&
      notices.length === expectedNotices &&
      noticeChannelsRight === infra.workspaces.length &&
      wrongToken === 0 &&
      safesEqual === safes.length &&
      result.failures === 0 &&
      result.skipped === 0;
    console.log(exact ? `\nnothing lost, nothing doubled${sqlite ? "" : " through the kills"}` : "\nSOME COUNTS DO NOT MATCH");
    console.log(percentile(latencies, 99) < 50 ? "p99 under 50 ms: met" : "p99 under 50 ms: NOT met");
    process.exitCode = exact ? 0 : 1;
    closeDatabase(db);
  } finally {
    await stopTreasuryProcesses(processes);
    await infra.stop();
    if (process.env.BENCH_KEEP) console.log("BENCH_KEEP: the database is kept");
    else await dropSchema?.().catch((error) => console.error(`could not drop the bench schema: ${error}`));
  }
}

/** The load in a worker thread; `send` tells it about web processes going and coming. */
function startLoad(parameters: LoadParameters): { result: Promise<LoadResult>; send: (message: EndpointMessage) => void } {
  const worker = new Worker(new URL("./hosted-load.ts", import.meta.url), { workerData: { hostedLoad: parameters }, execArgv: ["--import", "tsx"] });
  const result = new Promise<LoadResult>((done, fail) => {
    worker.on("message", (message) => {
      if (message?.type === "result") {
        done(message.result as LoadResult);
        void worker.terminate();
      }
    });
    worker.once("error", fail);
  });
  return { result, send: (message) => worker.postMessage(message) };
}

/** pg-boss's deliveries by state, read from its own table (`<schema>_boss.job`). */
async function queueStates(location: string): Promise<Record<string, number> | undefined> {
  const url = new URL(location);
  const schema = url.searchParams.get("schema");
  url.searchParams.delete("schema");
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT state, count(*)::int AS n FROM "${schema}_boss".job GROUP BY state ORDER BY state`);
    return Object.fromEntries(rows.map((row: { state: string; n: number }) => [row.state, row.n]));
  } catch {
    return undefined;
  } finally {
    await client.end();
  }
}

function multisetDifference(left: string[], right: string[]): { onlyLeft: number; onlyRight: number } {
  const counts = new Map<string, number>();
  for (const key of left) counts.set(key, (counts.get(key) ?? 0) + 1);
  for (const key of right) counts.set(key, (counts.get(key) ?? 0) - 1);
  let onlyLeft = 0;
  let onlyRight = 0;
  for (const n of counts.values()) {
    if (n > 0) onlyLeft += n;
    else onlyRight -= n;
  }
  return { onlyLeft, onlyRight };
}

function sameMultiset(left: string[], right: string[]): boolean {
  const { onlyLeft, onlyRight } = multisetDifference(left, right);
  return onlyLeft === 0 && onlyRight === 0;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
