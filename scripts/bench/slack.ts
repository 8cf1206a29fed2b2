/**
 * `npm run bench:slack` – signed Slack requests against the real Bolt receiver
 * on loopback: a mix of slash commands, thread replies, channel chatter, app
 * mentions and Slack retries, at a fixed rate (open loop) for BENCH_SECONDS
 * (default 30) at BENCH_RATE requests/s (default 250). Prints ack latency
 * p50/p99/max and checks, by counting rows and Web API calls, that every
 * request was accepted once and every job ran exactly once.
 *
 * Set-up, as in production: this process is the service (HTTP server, Bolt,
 * SQLite, the job worker). The chain and the fake Slack Web API run in a child
 * process (scripts/bench/slack-infra.ts) – they are other machines in real
 * life – and the load generator runs in a worker thread with its own clock.
 * Latency is measured from each request's *scheduled* send time to the end of
 * its answer, so a stalled server or a late generator shows up in the figures
 * (no coordinated omission). BENCH_PROFILE=file.cpuprofile writes a CPU
 * profile of the service thread during the load.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { Agent, type Server } from "node:http";
import { loadavg } from "node:os";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { createSlackAdapter, slackEndpoint } from "../../adapters/slack/adapter.ts";
import { createMetrics } from "../../adapters/web/metrics.ts";
import { createWebApp, listenWeb } from "../../adapters/web/server.ts";
import { developmentPrivateKey } from "../../devchain/accounts.ts";
import { createChainClient } from "../../core/chain.ts";
import { readDeployment } from "../../core/deployment.ts";
import { eventId, slackPoster } from "../../test/helpers/fake-slack.ts";
import type { TestChain } from "../../test/helpers/chain.ts";
import { createTestContext } from "../../test/helpers/context.ts";
import { addSlackPeople, channel, commandFields, eventCallback, signingSecret, users } from "../../test/adapters/slack/harness.ts";
import { startSlackInfra } from "./slack-infra.ts";
import { signedSlackPost } from "./signed-post.ts";
import { pickKind, type Kind } from "./slack-mix.ts";
import { connectionOf } from "../../db/connection.ts";
import { closeDatabase } from "../../db/open.ts";

const seconds = Number(process.env.BENCH_SECONDS ?? 30);
const rate = Number(process.env.BENCH_RATE ?? 250);
/** A safety valve only: requests not sent because this many were unanswered are reported as a failure. */
const maxInFlight = 1000;

function pick(random: number): Kind {
  if (process.env.BENCH_ONLY) return process.env.BENCH_ONLY as Kind;
  return pickKind(random);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Linux: nanoseconds this thread ran and waited for a CPU (/proc/thread-self/schedstat), or undefined elsewhere. */
function schedstat(): { ran: number; waited: number } | undefined {
  try {
    const [ran, waited] = readFileSync("/proc/thread-self/schedstat", "utf8").trim().split(/\s+/).map(Number);
    return { ran, waited };
  } catch {
    return undefined;
  }
}

const load = () => loadavg().map((value) => value.toFixed(2)).join(" ");

/** The service as `npm start` runs it (web app + Slack adapter), over the child's chain and fake Slack. */
async function startService() {
  const infra = await startSlackInfra();
  const deployment = readDeployment(infra.deploymentFile)!;
  const chain = {
    node: { url: infra.rpcUrl },
    deployment,
    client: createChainClient({ rpcUrl: infra.rpcUrl, chainId: deployment.chainId }),
    dir: infra.dir,
    deploymentFile: infra.deploymentFile,
  } as unknown as TestChain;
  const ctx = createTestContext(chain, {
    env: {
      SLACK_BOT_TOKEN: "xoxb-test-token",
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: `${infra.fakeUrl}/api`,
      SLACK_CHANNEL_ID: channel,
      RELAYER_PRIVATE_KEY: developmentPrivateKey(0),
    },
  });
  addSlackPeople(ctx, "bench");

  const unlimited = { perSecond: 10_000, burst: 10_000 };
  const adapter = createSlackAdapter({
    ctx,
    config: ctx.config,
    assistant: { config: ctx.config },
    rates: { "chat.postMessage": unlimited, "chat.update": unlimited, "chat.postEphemeral": unlimited },
    tickEveryMs: 500,
    // New jobs wake the worker at once; the poll only catches retries that come due.
    pollMs: 100,
    concurrency: 16,
    nudgeAfterMs: 24 * 3600_000,
    retryConfig: { retries: 3, factor: 1, minTimeout: 50, maxTimeout: 200 },
  });
  const server: Server = await listenWeb(createWebApp({ ctx, metrics: createMetrics(), routers: [adapter.router] }), "127.0.0.1", 0);
  const address = server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  ctx.config.PUBLIC_URL = baseUrl;
  await adapter.start();
  return {
    ctx,
    adapter,
    infra,
    endpoint: `${baseUrl}${slackEndpoint}`,
    stop: async () => {
      await adapter.stop();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      closeDatabase(ctx.db);
      await infra.stop();
    },
  };
}

async function main() {
  console.log(`bench:slack – ${rate} requests/s for ${seconds} s (set BENCH_RATE, BENCH_SECONDS)`);
  const service = await startService();
  const { ctx, adapter, infra } = service;
  const count = (sql: string, ...args: unknown[]) => (connectionOf(ctx.db).prepare(sql).get(...args) as { n: number }).n;
  try {
    // One proposal card whose thread the replies go to.
    await slackPoster(service.endpoint, signingSecret).command(commandFields("pay 10 USDC to Acme Design Studio for bench", users.dana));
    await adapter.idle();
    const card = connectionOf(ctx.db).prepare("SELECT message_ts FROM proposal_messages").get() as { message_ts: string };
    const callsBefore = await infra.calls();
    const baseline = {
      received: count("SELECT COUNT(*) AS n FROM slack_received"),
      jobs: count("SELECT COUNT(*) AS n FROM slack_jobs"),
      discussion: count("SELECT COUNT(*) AS n FROM discussion_messages"),
      ephemerals: callsBefore.byMethod["chat.postEphemeral"] ?? 0,
    };

    // The service thread, watched while the load runs.
    const delay = monitorEventLoopDelay({ resolution: 5 });
    const profiler = process.env.BENCH_PROFILE ? new Session() : undefined;
    if (profiler) {
      profiler.connect();
      await profiler.post("Profiler.enable");
      await profiler.post("Profiler.start");
    }
    const loadBefore = load();
    const utilisationBefore = performance.eventLoopUtilization();
    const cpuBefore = process.threadCpuUsage();
    const schedBefore = schedstat();
    delay.enable();
    const result = await runLoadInWorker({ endpoint: service.endpoint, cardTs: card.message_ts });
    delay.disable();
    const utilisation = performance.eventLoopUtilization(utilisationBefore);
    const cpu = process.threadCpuUsage(cpuBefore);
    const schedAfter = schedstat();
    const loadAfter = load();
    if (profiler) {
      const { profile } = await profiler.post("Profiler.stop");
      writeFileSync(process.env.BENCH_PROFILE!, JSON.stringify(profile));
      profiler.disconnect();
    }
    const { latencies, serviceTimes, sent, failures, failureKinds, skipped, elapsed, mentionTs, lateMax } = result;

    // Let the worker finish every job, then count.
    const drainStarted = performance.now();
    for (let round = 0; round < 600; round += 1) {
      await adapter.idle();
      if (count("SELECT COUNT(*) AS n FROM slack_jobs WHERE status IN ('pending', 'running')") === 0) break;
    }
    const drainSeconds = (performance.now() - drainStarted) / 1000;
    const callsAfter = await infra.calls();

    latencies.sort((a, b) => a - b);
    serviceTimes.sort((a, b) => a - b);
    const requests = latencies.length;
    const unique = requests - sent.retry;
    const received = count("SELECT COUNT(*) AS n FROM slack_received") - baseline.received;
    const retriesCounted = count("SELECT COALESCE(SUM(retries), 0) AS n FROM slack_received");
    const jobs = count("SELECT COUNT(*) AS n FROM slack_jobs") - baseline.jobs;
    const jobsDone = count("SELECT COUNT(*) AS n FROM slack_jobs WHERE status = 'done'");
    const jobsFailed = count("SELECT COUNT(*) AS n FROM slack_jobs WHERE status = 'failed'");
    const discussion = count("SELECT COUNT(*) AS n FROM discussion_messages") - baseline.discussion;
    // Each mention is answered in its own thread, exactly once.
    const answersPerMention = new Map(mentionTs.map((ts) => [ts, 0]));
    for (const thread of callsAfter.postMessageThreads) if (thread && answersPerMention.has(thread)) answersPerMention.set(thread, answersPerMention.get(thread)! + 1);
    const answeredOnce = [...answersPerMention.values()].filter((n) => n === 1).length;
    const answeredTwice = [...answersPerMention.values()].filter((n) => n > 1).length;
    const ephemerals = (callsAfter.byMethod["chat.postEphemeral"] ?? 0) - baseline.ephemerals;
    const expectedJobs = sent.reply + sent.mention + sent.proposals;

    const row = (label: string, value: string | number, ok?: boolean) =>
      console.log(`${label.padEnd(46)} ${String(value).padStart(14)}${ok === undefined ? "" : ok ? "  ok" : "  MISMATCH"}`);
    console.log("");
    row("load average before / after (1, 5, 15 min)", "");
    console.log(`    ${loadBefore}  /  ${loadAfter}  (${navigator.hardwareConcurrency} cores)`);
    row("requests answered", requests);
    row("rate achieved (requests/s)", (requests / elapsed).toFixed(1), requests / elapsed >= 200);
    row("non-200 answers", failures, failures === 0);
    if (failures) console.log(`    ${Object.entries(failureKinds).map(([what, n]) => `${what}: ${n}`).join(", ")}`);
    row(`not sent (${maxInFlight} unanswered)`, skipped, skipped === 0);
    row("ack latency p50 (ms, from scheduled send)", percentile(latencies, 50).toFixed(2));
    row("ack latency p99 (ms, from scheduled send)", percentile(latencies, 99).toFixed(2), percentile(latencies, 99) < 50);
    row("ack latency max (ms, from scheduled send)", latencies.at(-1)!.toFixed(2));
    row("  time on the wire p50 / p99 (ms)", `${percentile(serviceTimes, 50).toFixed(2)} / ${percentile(serviceTimes, 99).toFixed(2)}`);
    row("  generator late at most (ms)", lateMax.toFixed(1));
    row("service thread busy (event loop utilisation)", `${(utilisation.utilization * 100).toFixed(0)} %`);
    row("service thread CPU: ms per request / share of a core", `${((cpu.user + cpu.system) / 1000 / Math.max(1, latencies.length)).toFixed(2)} / ${((cpu.user + cpu.system) / 1e6 / elapsed * 100).toFixed(0)} %`);
    if (schedBefore && schedAfter)
      row("service thread waited for a free CPU (s)", `${((schedAfter.waited - schedBefore.waited) / 1e9).toFixed(2)} of ${elapsed.toFixed(1)}`);
    row("service event loop delay p50 / p99 / max (ms)", `${(delay.percentile(50) / 1e6).toFixed(1)} / ${(delay.percentile(99) / 1e6).toFixed(1)} / ${(delay.max / 1e6).toFixed(1)}`);
    console.log("");
    row("sent: help / proposals commands", `${sent.help} / ${sent.proposals}`);
    row("sent: thread replies / chatter / mentions", `${sent.reply} / ${sent.chatter} / ${sent.mention}`);
    row("sent: Slack retries of earlier events", sent.retry);
    row("slack_received rows (= unique requests)", `${received} / ${unique}`, received === unique);
    row("retries recognised (slack_received.retries)", `${retriesCounted} / ${sent.retry}`, retriesCounted === sent.retry);
    row("jobs queued (= replies + mentions + proposals)", `${jobs} / ${expectedJobs}`, jobs === expectedJobs);
    row("jobs done / failed", `${jobsDone} / ${jobsFailed}`, jobsFailed === 0);
    row("discussion_messages rows (= thread replies)", `${discussion} / ${sent.reply}`, discussion === sent.reply);
    row("mentions answered once in their thread", `${answeredOnce} / ${sent.mention}`, answeredOnce === sent.mention && answeredTwice === 0);
    row("ephemeral replies posted (= proposals cmds)", `${ephemerals} / ${sent.proposals}`, ephemerals === sent.proposals);
    row("worker drain after the load (s)", drainSeconds.toFixed(1));
    const webApiCalls = Object.entries(callsAfter.byMethod)
      .map(([method, n]) => [method, n - (callsBefore.byMethod[method] ?? 0)] as const)
      .filter(([, n]) => n > 0);
    console.log(`Web API calls the service made during the load: ${webApiCalls.map(([method, n]) => `${method} ${n}`).join(", ")}`);
    const ok =
      failures === 0 &&
      skipped === 0 &&
      received === unique &&
      retriesCounted === sent.retry &&
      jobs === expectedJobs &&
      jobsFailed === 0 &&
      discussion === sent.reply &&
      answeredOnce === sent.mention &&
      answeredTwice === 0 &&
      ephemerals === sent.proposals;
    console.log(ok ? "\nevery event processed exactly once" : "\nSOME COUNTS DO NOT MATCH");
    process.exitCode = ok ? 0 : 1;
  } finally {
    await service.stop();
  }
}

type LoadResult = {
  /** From the scheduled send time to the end of the answer. */
  latencies: number[];
  /** From the actual send to the end of the answer. */
  serviceTimes: number[];
  sent: Record<Kind, number>;
  failures: number;
  /** Non-200 answers and failed requests, by status or error code. */
  failureKinds: Record<string, number>;
  skipped: number;
  elapsed: number;
  mentionTs: string[];
  /** How late the generator itself sent a request, at worst. */
  lateMax: number;
};

/** The open-loop load: `rate` signed requests a second for `seconds`, each timed from its scheduled send until its answer. */
async function generateLoad({ endpoint, cardTs }: { endpoint: string; cardTs: string }): Promise<LoadResult> {
  const slack = keepAlivePoster(endpoint);
  const latencies: number[] = [];
  const serviceTimes: number[] = [];
  const sent: Record<Kind, number> = { help: 0, proposals: 0, reply: 0, chatter: 0, mention: 0, retry: 0 };
  const recentEvents: Array<Record<string, unknown>> = [];
  const mentionTs: string[] = [];
  let failures = 0;
  let inFlight = 0;
  let skipped = 0;
  let sequence = 0;
  let lateMax = 0;
  const failureKinds: Record<string, number> = {};
  const pending = new Set<Promise<void>>();

  const send = (kind: Kind): Promise<number> => {
    sequence += 1;
    const ts = `${Math.floor(Date.now() / 1000)}.${String(500_000 + sequence).padStart(6, "0")}`;
    switch (kind) {
      case "help":
        return slack.command(commandFields("help", users.ana));
      case "proposals":
        return slack.command(commandFields("proposals", users.ben));
      case "reply": {
        const callback = eventCallback({ type: "message", channel, channel_type: "channel", user: users.ben, text: `bench reply ${sequence}`, ts, thread_ts: cardTs, event_ts: ts }, eventId());
        recentEvents.push(callback);
        if (recentEvents.length > 200) recentEvents.shift();
        return slack.event(callback);
      }
      case "chatter":
        return slack.event(eventCallback({ type: "message", channel, channel_type: "channel", user: users.ana, text: `chatter ${sequence}`, ts, event_ts: ts }, eventId()));
      case "mention":
        mentionTs.push(ts);
        return slack.event(eventCallback({ type: "app_mention", channel, user: users.ana, text: `<@UBOT> balance ${sequence}`, ts, event_ts: ts }, eventId()));
      case "retry": {
        const earlier = recentEvents[Math.floor(Math.random() * recentEvents.length)];
        return slack.event(earlier, { retryNum: 1 });
      }
    }
  };

  const started = performance.now();
  const total = Math.floor(seconds * rate);
  for (let index = 0; index < total; index += 1) {
    const due = started + (index * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((done) => setTimeout(done, wait));
    if (inFlight >= maxInFlight) {
      skipped += 1;
      continue;
    }
    const kind = pick(Math.random());
    const kindSent: Kind = kind === "retry" && recentEvents.length === 0 ? "chatter" : kind;
    sent[kindSent] += 1;
    inFlight += 1;
    const begin = performance.now();
    lateMax = Math.max(lateMax, begin - due);
    const request = send(kindSent)
      .then((status) => {
        const end = performance.now();
        latencies.push(end - due);
        serviceTimes.push(end - begin);
        if (status !== 200) {
          failures += 1;
          failureKinds[`HTTP ${status}`] = (failureKinds[`HTTP ${status}`] ?? 0) + 1;
        }
      })
      .catch((error) => {
        failures += 1;
        const what = String(error?.cause?.code ?? error?.cause?.message ?? error?.message ?? error);
        failureKinds[what] = (failureKinds[what] ?? 0) + 1;
      })
      .finally(() => {
        inFlight -= 1;
        pending.delete(request);
      });
    pending.add(request);
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - started) / 1000;
  return { latencies, serviceTimes, sent, failures, failureKinds, skipped, elapsed, mentionTs, lateMax };
}

/** Signed Slack POSTs (`signedSlackPost`) over keep-alive sockets with no limit. */
function keepAlivePoster(endpoint: string) {
  // Idle sockets are closed here after 2 s, before the server's 5 s keep-alive timeout can close one just as a
  // request goes out on it (an ECONNRESET that is the generator's fault, not the service's).
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity, timeout: 2000 });
  const url = new URL(endpoint);
  const raw = (body: string, contentType: string, retryNum?: number) =>
    signedSlackPost(agent, url, body, contentType, retryNum !== undefined ? { num: retryNum, reason: "http_timeout" } : undefined);
  return {
    command: (fields: Record<string, string>) => raw(new URLSearchParams(fields).toString(), "application/x-www-form-urlencoded"),
    event: (callback: Record<string, unknown>, options: { retryNum?: number } = {}) => raw(JSON.stringify(callback), "application/json", options.retryNum),
  };
}

function runLoadInWorker(parameters: { endpoint: string; cardTs: string }): Promise<LoadResult> {
  return new Promise((done, fail) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: parameters, execArgv: ["--import", "tsx"] });
    worker.once("message", done);
    worker.once("error", fail);
  });
}

if (!isMainThread) {
  generateLoad(workerData).then((result) => parentPort!.postMessage(result));
} else {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
