/**
 * `npm run bench:slack` – signed Slack requests against the real Bolt receiver
 * on loopback: a mix of slash commands, thread replies, channel chatter, app
 * mentions and Slack retries, at a fixed rate (open loop) for BENCH_SECONDS
 * (default 30) at BENCH_RATE requests/s (default 250). Prints ack latency
 * p50/p99/max and checks, by counting rows, that every request was accepted
 * once and every job ran exactly once.
 *
 * The load generator runs in a worker thread; the server, the job worker, the
 * fake Slack Web API and the local chain share the main thread (and the
 * machine's cores with whatever else runs), so the figures are conservative.
 */
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { eventId, slackPoster } from "../../test/helpers/fake-slack.ts";
import { channel, commandFields, eventCallback, signingSecret, startSlackHarness, users } from "../../test/bot/slack/harness.ts";

const seconds = Number(process.env.BENCH_SECONDS ?? 30);
const rate = Number(process.env.BENCH_RATE ?? 250);
const maxInFlight = 256;

type Kind = "help" | "proposals" | "reply" | "chatter" | "mention" | "retry";
const mix: Array<[Kind, number]> = [
  ["reply", 0.4],
  ["chatter", 0.25],
  ["help", 0.2],
  ["proposals", 0.05],
  ["mention", 0.05],
  ["retry", 0.05],
];

function pick(random: number): Kind {
  if (process.env.BENCH_ONLY) return process.env.BENCH_ONLY as Kind;
  let sum = 0;
  for (const [kind, share] of mix) {
    sum += share;
    if (random < sum) return kind;
  }
  return "chatter";
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  console.log(`bench:slack – ${rate} requests/s for ${seconds} s (set BENCH_RATE, BENCH_SECONDS)`);
  const h = await startSlackHarness({
    rates: {
      "chat.postMessage": { perSecond: 10_000, burst: 10_000 },
      "chat.update": { perSecond: 10_000, burst: 10_000 },
      "chat.postEphemeral": { perSecond: 10_000, burst: 10_000 },
    },
    tickEveryMs: 500,
    pollMs: 20,
    concurrency: 16,
  });
  const { slack, ctx, fake } = h;
  const count = (sql: string, ...args: unknown[]) => (ctx.db.prepare(sql).get(...args) as { n: number }).n;
  try {
    // One proposal card whose thread the replies go to.
    await slack.command(commandFields("pay 10 USDC to Acme Design Studio for bench", users.dana));
    await h.adapter.idle();
    const card = ctx.db.prepare("SELECT message_ts FROM proposal_messages").get() as { message_ts: string };
    const baseline = {
      received: count("SELECT COUNT(*) AS n FROM slack_received"),
      jobs: count("SELECT COUNT(*) AS n FROM slack_jobs"),
      discussion: count("SELECT COUNT(*) AS n FROM discussion_messages"),
      answers: fake.callsOf("chat.postMessage").length,
      ephemerals: fake.callsOf("chat.postEphemeral").length,
    };

    const { latencies, sent, failures, skipped, elapsed } = await runLoadInWorker({ endpoint: `${h.baseUrl}/slack/events`, cardTs: card.message_ts });

    // Let the worker finish every job, then count.
    const drainStarted = performance.now();
    for (let round = 0; round < 600; round += 1) {
      await h.adapter.idle();
      if (count("SELECT COUNT(*) AS n FROM slack_jobs WHERE status IN ('pending', 'running')") === 0) break;
    }
    const drainSeconds = (performance.now() - drainStarted) / 1000;

    latencies.sort((a, b) => a - b);
    const requests = latencies.length;
    const unique = requests - sent.retry;
    const received = count("SELECT COUNT(*) AS n FROM slack_received") - baseline.received;
    const retriesCounted = count("SELECT COALESCE(SUM(retries), 0) AS n FROM slack_received");
    const jobs = count("SELECT COUNT(*) AS n FROM slack_jobs") - baseline.jobs;
    const jobsDone = count("SELECT COUNT(*) AS n FROM slack_jobs WHERE status = 'done'");
    const jobsFailed = count("SELECT COUNT(*) AS n FROM slack_jobs WHERE status = 'failed'");
    const discussion = count("SELECT COUNT(*) AS n FROM discussion_messages") - baseline.discussion;
    const answers = fake.callsOf("chat.postMessage").filter((call) => /holds/.test(String(call.args.text))).length;
    const ephemerals = fake.callsOf("chat.postEphemeral").length - baseline.ephemerals;
    const expectedJobs = sent.reply + sent.mention + sent.proposals;

    const row = (label: string, value: string | number, ok?: boolean) =>
      console.log(`${label.padEnd(44)} ${String(value).padStart(12)}${ok === undefined ? "" : ok ? "  ok" : "  MISMATCH"}`);
    console.log("");
    row("requests answered", requests);
    row("rate achieved (requests/s)", (requests / elapsed).toFixed(1), requests / elapsed >= 200);
    row("non-200 answers", failures, failures === 0);
    row("not sent (client had 256 in flight)", skipped, skipped === 0);
    row("ack latency p50 (ms)", percentile(latencies, 50).toFixed(2));
    row("ack latency p99 (ms)", percentile(latencies, 99).toFixed(2), percentile(latencies, 99) < 50);
    row("ack latency max (ms)", latencies.at(-1)!.toFixed(2));
    console.log("");
    row("sent: help / proposals commands", `${sent.help} / ${sent.proposals}`);
    row("sent: thread replies / chatter / mentions", `${sent.reply} / ${sent.chatter} / ${sent.mention}`);
    row("sent: Slack retries of earlier events", sent.retry);
    row("slack_received rows (= unique requests)", `${received} / ${unique}`, received === unique);
    row("retries recognised (slack_received.retries)", `${retriesCounted} / ${sent.retry}`, retriesCounted === sent.retry);
    row("jobs queued (= replies + mentions + proposals)", `${jobs} / ${expectedJobs}`, jobs === expectedJobs);
    row("jobs done / failed", `${jobsDone} / ${jobsFailed}`, jobsFailed === 0);
    row("discussion_messages rows (= thread replies)", `${discussion} / ${sent.reply}`, discussion === sent.reply);
    row("assistant answers posted (= mentions)", `${answers} / ${sent.mention}`, answers === sent.mention);
    row("ephemeral replies posted (= proposals cmds)", `${ephemerals} / ${sent.proposals}`, ephemerals === sent.proposals);
    row("worker drain after the load (s)", drainSeconds.toFixed(1));
    const ok =
      failures === 0 &&
      received === unique &&
      retriesCounted === sent.retry &&
      jobs === expectedJobs &&
      jobsFailed === 0 &&
      discussion === sent.reply &&
      answers === sent.mention &&
      ephemerals === sent.proposals;
    console.log(ok ? "\nevery event processed exactly once" : "\nSOME COUNTS DO NOT MATCH");
    process.exitCode = ok ? 0 : 1;
  } finally {
    await h.stop();
  }
}

type LoadResult = { latencies: number[]; sent: Record<Kind, number>; failures: number; skipped: number; elapsed: number };

/** The open-loop load: `rate` signed requests a second for `seconds`, each timed until its answer. */
async function generateLoad({ endpoint, cardTs }: { endpoint: string; cardTs: string }): Promise<LoadResult> {
  const slack = slackPoster(endpoint, signingSecret);
  const latencies: number[] = [];
  const sent: Record<Kind, number> = { help: 0, proposals: 0, reply: 0, chatter: 0, mention: 0, retry: 0 };
  const recentEvents: Array<Record<string, unknown>> = [];
  let failures = 0;
  let inFlight = 0;
  let skipped = 0;
  let sequence = 0;
  const pending = new Set<Promise<void>>();

  const send = (kind: Kind): Promise<Response> => {
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
        return slack.event(eventCallback({ type: "app_mention", channel, user: users.ana, text: `<@UBOT> balance ${sequence}`, ts, event_ts: ts }, eventId()));
      case "retry": {
        const earlier = recentEvents[Math.floor(Math.random() * recentEvents.length)];
        if (!earlier) return send("chatter");
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
    const request = send(kindSent)
      .then(async (response) => {
        await response.arrayBuffer();
        latencies.push(performance.now() - begin);
        if (response.status !== 200) failures += 1;
      })
      .catch(() => {
        failures += 1;
      })
      .finally(() => {
        inFlight -= 1;
        pending.delete(request);
      });
    pending.add(request);
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - started) / 1000;
  return { latencies, sent, failures, skipped, elapsed };
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
