/**
 * The load generator of `npm run bench:hosted`, run in a worker thread with
 * its own clock (as bench:slack's): open-loop signed Slack requests at `rate`
 * a second for `seconds`, spread over the workspaces in turn, sent to the web
 * processes round-robin (a trivial load balancer). Latency is measured from
 * each request's *scheduled* send time to the end of its answer.
 *
 * A delivery cut off by a dead web process (connection refused or reset) is
 * delivered again at once to another live one, as Slack retries an event
 * (`x-slack-retry-num`); a command is sent again with the same trigger id.
 * The dead endpoint is left out until the bench says its replacement serves.
 * Its latency still counts from the first scheduled send.
 */
import { Agent } from "node:http";
import { performance } from "node:perf_hooks";
import { parentPort, workerData } from "node:worker_threads";
import { eventId } from "../../test/helpers/fake-slack.ts";
import { commandFields, eventCallback, users } from "../../test/adapters/slack/harness.ts";
import { signedSlackPost } from "./signed-post.ts";
import { pickKind, type Kind } from "./slack-mix.ts";

/** A workspace as the generator sees it: where its proposal card is, whom to mention. */
export type LoadWorkspace = { teamId: string; channel: string; botUserId: string; cardTs: string };

export type LoadParameters = { endpoints: string[]; workspaces: LoadWorkspace[]; rate: number; seconds: number };

/** Messages the bench sends the generator: an endpoint is down (`url: null`) or serves again at `url`. */
export type EndpointMessage = { type: "endpoint"; index: number; url: string | null };

export type LoadResult = {
  /** From the scheduled send time to the end of the (last) answer, for every request answered 200. */
  latencies: number[];
  /** For each of `latencies`: its request's scheduled send, in seconds from the start of the load. */
  scheduledAt: number[];
  /** From the actual send of the answered delivery to its answer. */
  serviceTimes: number[];
  sent: Record<Kind, number>;
  /** Deliveries answered 200 (first deliveries, retries and re-deliveries). */
  answered: number;
  /** Requests that never got a 200 (a non-200 answer, or no web process took them). */
  failures: number;
  failureKinds: Record<string, number>;
  /** Deliveries cut off by a dead web process, each delivered again. */
  cutOff: number;
  /** Requests answered only after such a re-delivery. */
  redelivered: number;
  skipped: number;
  elapsed: number;
  /** When the first request was scheduled, in ms since the epoch (this thread's clock and the bench's differ in origin). */
  startedAtEpochMs: number;
  /** Each mention's channel and ts (its answer goes in that thread). */
  mentions: Array<{ channel: string; ts: string }>;
  lateMax: number;
  /** Answers per endpoint index. */
  perEndpoint: number[];
};

/** A safety valve only: requests not sent because this many were unanswered are reported as a failure. */
const maxInFlight = 2000;
const deadConnection = /ECONNREFUSED|ECONNRESET|EPIPE|socket hang up/;


type Delivery = { body: string; contentType: string; isEvent: boolean };

async function generateLoad({ endpoints, workspaces, rate, seconds }: LoadParameters): Promise<LoadResult> {
  // Idle sockets close after 2 s, before the server's 5 s keep-alive timeout can close one as a request goes out.
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity, timeout: 2000 });
  const live: Array<URL | null> = endpoints.map((endpoint) => new URL(endpoint));
  parentPort!.on("message", (message: EndpointMessage) => {
    if (message?.type === "endpoint") live[message.index] = message.url ? new URL(message.url) : null;
  });
  let turn = 0;
  const nextEndpoint = (): number | undefined => {
    for (let step = 0; step < live.length; step += 1) {
      const index = (turn + step) % live.length;
      if (live[index]) {
        turn = index + 1;
        return index;
      }
    }
    return undefined;
  };

  const post = (url: URL, { body, contentType }: Delivery, retryNum: number | undefined) =>
    signedSlackPost(agent, url, body, contentType, retryNum !== undefined ? { num: retryNum, reason: "http_error" } : undefined);

  const perEndpoint = endpoints.map(() => 0);
  let cutOff = 0;
  let redelivered = 0;
  let answered = 0;
  /** Delivers until one web process answers; resolves with the status and the time the answered delivery went out. */
  const deliver = async (delivery: Delivery, retryNum: number | undefined): Promise<{ status: number; begin: number }> => {
    let again = 0;
    for (;;) {
      const index = nextEndpoint();
      if (index === undefined) {
        if (again > 200) throw new Error("no web process served for 20 s");
        again += 1;
        await new Promise((done) => setTimeout(done, 100));
        continue;
      }
      const url = live[index]!;
      const begin = performance.now();
      try {
        const status = await post(url, delivery, again > 0 && delivery.isEvent ? (retryNum ?? 0) + again : retryNum);
        if (again > 0) redelivered += 1;
        perEndpoint[index]! += 1;
        if (status === 200) answered += 1;
        return { status, begin };
      } catch (error: any) {
        const what = String(error?.code ?? error?.message ?? error);
        if (!deadConnection.test(what) || again >= 5) throw error;
        cutOff += 1;
        again += 1;
        // That web process is gone: leave it out until the bench says its replacement serves.
        if (live[index] === url) live[index] = null;
      }
    }
  };

  const latencies: number[] = [];
  const scheduledAt: number[] = [];
  const serviceTimes: number[] = [];
  const sent: Record<Kind, number> = { help: 0, proposals: 0, reply: 0, chatter: 0, mention: 0, retry: 0 };
  const recentEvents: Array<Record<string, unknown>> = [];
  const mentions: Array<{ channel: string; ts: string }> = [];
  const failureKinds: Record<string, number> = {};
  let failures = 0;
  let inFlight = 0;
  let skipped = 0;
  let sequence = 0;
  let lateMax = 0;
  const pending = new Set<Promise<void>>();

  const command = (text: string, user: string, workspace: LoadWorkspace): Delivery => ({
    body: new URLSearchParams({ ...commandFields(text, user, workspace.channel), team_id: workspace.teamId, team_domain: workspace.teamId.toLowerCase() }).toString(),
    contentType: "application/x-www-form-urlencoded",
    isEvent: false,
  });
  const event = (inner: Record<string, unknown>, workspace: LoadWorkspace): Record<string, unknown> => ({
    ...eventCallback(inner, eventId()),
    team_id: workspace.teamId,
    authorizations: [{ team_id: workspace.teamId, user_id: workspace.botUserId, is_bot: true }],
  });
  const asDelivery = (callback: Record<string, unknown>): Delivery => ({ body: JSON.stringify(callback), contentType: "application/json", isEvent: true });

  const requestOf = (kind: Kind, workspace: LoadWorkspace): { delivery: Delivery; retryNum?: number } => {
    sequence += 1;
    const ts = `${Math.floor(Date.now() / 1000)}.${String(500_000 + (sequence % 500_000)).padStart(6, "0")}`;
    const { channel } = workspace;
    switch (kind) {
      case "help":
        return { delivery: command("help", users.ana, workspace) };
      case "proposals":
        return { delivery: command("proposals", users.ben, workspace) };
      case "reply": {
        const callback = event({ type: "message", channel, channel_type: "channel", user: users.ben, text: `bench reply ${sequence}`, ts, thread_ts: workspace.cardTs, event_ts: ts }, workspace);
        recentEvents.push(callback);
        if (recentEvents.length > 200) recentEvents.shift();
        return { delivery: asDelivery(callback) };
      }
      case "chatter":
        return { delivery: asDelivery(event({ type: "message", channel, channel_type: "channel", user: users.ana, text: `chatter ${sequence}`, ts, event_ts: ts }, workspace)) };
      case "mention":
        mentions.push({ channel, ts });
        return { delivery: asDelivery(event({ type: "app_mention", channel, user: users.ana, text: `<@${workspace.botUserId}> balance ${sequence}`, ts, event_ts: ts }, workspace)) };
      case "retry":
        return { delivery: asDelivery(recentEvents[Math.floor(Math.random() * recentEvents.length)]!), retryNum: 1 };
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
    const picked = pickKind(Math.random());
    const kind: Kind = picked === "retry" && recentEvents.length === 0 ? "chatter" : picked;
    sent[kind] += 1;
    const { delivery, retryNum } = requestOf(kind, workspaces[index % workspaces.length]!);
    inFlight += 1;
    lateMax = Math.max(lateMax, performance.now() - due);
    const request = deliver(delivery, retryNum)
      .then(({ status, begin }) => {
        const end = performance.now();
        if (status !== 200) {
          failures += 1;
          failureKinds[`HTTP ${status}`] = (failureKinds[`HTTP ${status}`] ?? 0) + 1;
          return;
        }
        latencies.push(end - due);
        scheduledAt.push((due - started) / 1000);
        serviceTimes.push(end - begin);
      })
      .catch((error) => {
        failures += 1;
        const what = String(error?.code ?? error?.cause?.code ?? error?.message ?? error);
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
  agent.destroy();
  return {
    latencies,
    scheduledAt,
    serviceTimes,
    sent,
    answered,
    failures,
    failureKinds,
    cutOff,
    redelivered,
    skipped,
    elapsed,
    startedAtEpochMs: performance.timeOrigin + started,
    mentions,
    lateMax,
    perEndpoint,
  };
}

if (parentPort && workerData?.hostedLoad) {
  generateLoad(workerData.hostedLoad as LoadParameters).then((result) => parentPort!.postMessage({ type: "result", result }));
}
