import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";

/** One Web API call the fake received. `args` is the decoded body (JSON fields decoded). */
export type FakeSlackCall = { method: string; args: Record<string, any>; at: number; status: number; token?: string; team?: string };

/** A workspace the fake knows: its bot token, the OAuth code that installs it, and its channels (when given, the only ones its token may post to). */
export type FakeSlackWorkspace = { teamId: string; teamName: string; botToken: string; botUserId: string; code: string; channels?: string[] };

export type FakeSlackUser = { id: string; name: string; realName?: string };

export type FakeSlackMessage = {
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: unknown[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  updates: number;
};

export type FakeSlack = {
  /** Base address for WebClient's slackApiUrl, ending in /api/. */
  apiUrl: string;
  /** Base address for fake response_url hooks. */
  url: string;
  calls: FakeSlackCall[];
  /** The calls of one method (answered ones, not the 429s unless `includeRejected`). */
  callsOf: (method: string, includeRejected?: boolean) => FakeSlackCall[];
  /** Messages as they stand now (after chat.update), by channel. */
  messages: FakeSlackMessage[];
  findMessage: (channel: string, ts: string) => FakeSlackMessage | undefined;
  users: Map<string, FakeSlackUser>;
  /** The next `count` calls (of `method`, or of any method) answer 429 with Retry-After: `retryAfter` seconds. */
  rateLimitNext: (count: number, options?: { method?: string; retryAfter?: number }) => void;
  /** The next `count` calls answer HTTP `status` (5xx). */
  failNext: (count: number, options?: { method?: string; status?: number }) => void;
  /** Delay every answer by `ms` (to check that acks do not wait for the Web API). */
  setLatency: (ms: number) => void;
  /**
   * Knows a workspace (see FakeSlackWorkspace). Once one is known, every bot
   * call must carry a known workspace's token (else `invalid_auth`), and a
   * call naming a channel of another workspace answers `channel_not_found`.
   */
  addWorkspace: (workspace: FakeSlackWorkspace) => void;
  /** The OAuth app oauth.v2.access accepts (client id and secret). */
  setOAuthApp: (app: { clientId: string; clientSecret: string }) => void;
  /** The ws:// URL apps.connections.open hands out (a FakeSocketMode's). */
  setSocketModeUrl: (url: string | undefined) => void;
  /** Resolves when `predicate` holds, polling every 20 ms; rejects after `timeoutMs`. */
  waitFor: <T>(predicate: () => T | undefined | false | null, timeoutMs?: number, what?: string) => Promise<T>;
  reset: () => void;
  stop: () => Promise<void>;
};

type Fault = { remaining: number; method?: string; kind: "429" | "5xx"; retryAfter: number; status: number };

/**
 * A local stand-in for Slack's Web API: a real HTTP server that records every
 * call and answers chat.postMessage, chat.update, chat.postEphemeral,
 * views.open, views.push, chat.getPermalink, conversations.open,
 * conversations.history, users.info, auth.test and apps.connections.open
 * (Socket Mode, with an app-level token only) the way Slack does. It can answer 429 with
 * Retry-After, or 5xx, on demand.
 */
export async function startFakeSlack(): Promise<FakeSlack> {
  const calls: FakeSlackCall[] = [];
  const messages: FakeSlackMessage[] = [];
  const users = new Map<string, FakeSlackUser>();
  const faults: Fault[] = [];
  let latency = 0;
  let sequence = 0;
  const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++sequence % 1_000_000).padStart(6, "0")}`;

  const findMessage = (channel: string, ts: string) => messages.find((message) => message.channel === channel && message.ts === ts);

  let socketModeUrl: string | undefined;
  const workspaces: FakeSlackWorkspace[] = [];
  const usedCodes = new Set<string>();
  let oauthApp: { clientId: string; clientSecret: string } | undefined;
  const workspaceOfToken = (token: string) => workspaces.find((workspace) => workspace.botToken === token);
  /** Slack's checks of the token and the channel, once workspaces are known; undefined when the call may go on. */
  const refusalOf = (method: string, args: Record<string, any>, token: string): Record<string, unknown> | undefined => {
    if (workspaces.length === 0 || method === "oauth.v2.access" || method === "apps.connections.open") return undefined;
    const workspace = workspaceOfToken(token);
    if (!workspace) return { ok: false, error: "invalid_auth" };
    const channel = typeof args.channel === "string" ? args.channel : undefined;
    if (channel && workspace.channels && !channel.startsWith("D") && !workspace.channels.includes(channel)) return { ok: false, error: "channel_not_found" };
    return undefined;
  };
  const answer = (method: string, args: Record<string, any>, token: string): Record<string, unknown> => {
    const refusal = refusalOf(method, args, token);
    if (refusal) return refusal;
    switch (method) {
      case "auth.test": {
        const workspace = workspaceOfToken(token);
        if (workspace) return { ok: true, url: `https://${workspace.teamId.toLowerCase()}.slack.com/`, team: workspace.teamName, user: "treasury", team_id: workspace.teamId, user_id: workspace.botUserId, bot_id: `B${workspace.teamId}` };
        return { ok: true, url: "https://fake.slack.com/", team: "Fake", user: "treasury", team_id: "T0FAKE", user_id: "UBOT", bot_id: "BBOT" };
      }
      case "oauth.v2.access": {
        // Slack checks the app's credentials, then the code (one use, issued for this app).
        if (!oauthApp || args.client_id !== oauthApp.clientId) return { ok: false, error: "invalid_client_id" };
        if (args.client_secret !== oauthApp.clientSecret) return { ok: false, error: "bad_client_secret" };
        const workspace = workspaces.find((candidate) => candidate.code === args.code);
        if (!workspace || usedCodes.has(String(args.code))) return { ok: false, error: "invalid_code" };
        usedCodes.add(String(args.code));
        return {
          ok: true,
          app_id: "A0TREASURY",
          authed_user: { id: `UINSTALLER${workspace.teamId}` },
          scope: "commands,chat:write",
          token_type: "bot",
          access_token: workspace.botToken,
          bot_user_id: workspace.botUserId,
          team: { id: workspace.teamId, name: workspace.teamName },
          enterprise: null,
          is_enterprise_install: false,
        };
      }
      case "chat.postMessage": {
        if (!args.channel) return { ok: false, error: "channel_not_found" };
        if (!args.text && !args.blocks) return { ok: false, error: "no_text" };
        const message: FakeSlackMessage = {
          channel: String(args.channel),
          ts: nextTs(),
          thread_ts: args.thread_ts,
          text: args.text,
          blocks: args.blocks,
          metadata: args.metadata,
          updates: 0,
        };
        messages.push(message);
        return { ok: true, channel: message.channel, ts: message.ts, message: { text: message.text, ts: message.ts, bot_id: "BBOT" } };
      }
      case "chat.update": {
        const message = findMessage(String(args.channel), String(args.ts));
        if (!message) return { ok: false, error: "message_not_found" };
        message.text = args.text ?? message.text;
        message.blocks = args.blocks ?? message.blocks;
        message.updates += 1;
        return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
      }
      case "chat.postEphemeral":
        if (!args.channel || !args.user) return { ok: false, error: "user_not_in_channel" };
        return { ok: true, message_ts: nextTs() };
      case "chat.getPermalink":
        return { ok: true, channel: args.channel, permalink: `https://fake.slack.com/archives/${args.channel}/p${String(args.message_ts).replace(".", "")}` };
      case "views.open":
      case "views.push":
        if (!args.trigger_id) return { ok: false, error: "invalid_trigger_id" };
        return { ok: true, view: { id: `V${++sequence}`, ...(args.view ?? {}) } };
      case "apps.connections.open":
        // Slack answers this only for an app-level token (xapp-…), with a fresh WebSocket URL each time.
        if (!/^xapp-/.test(token)) return { ok: false, error: "not_allowed_token_type" };
        if (!socketModeUrl) return { ok: false, error: "internal_error" };
        return { ok: true, url: `${socketModeUrl}?ticket=${++sequence}` };
      case "conversations.open":
        return { ok: true, channel: { id: `D${String(args.users ?? "").split(",")[0]}` } };
      case "conversations.history": {
        const inChannel = messages
          .filter((message) => message.channel === args.channel && (!args.oldest || Number(message.ts) >= Number(args.oldest)))
          .reverse()
          .map((message) => ({ type: "message", ts: message.ts, text: message.text, bot_id: "BBOT", metadata: message.metadata }));
        return { ok: true, messages: inChannel, has_more: false };
      }
      case "conversations.replies": {
        const inThread = messages
          .filter((message) => message.channel === args.channel && (message.ts === args.ts || message.thread_ts === args.ts))
          .filter((message) => !args.oldest || Number(message.ts) >= Number(args.oldest))
          .map((message) => ({ type: "message", ts: message.ts, thread_ts: message.thread_ts, text: message.text, bot_id: "BBOT", metadata: message.metadata }));
        return { ok: true, messages: inThread, has_more: false };
      }
      case "users.info": {
        const user = users.get(String(args.user));
        if (!user) return { ok: true, user: { id: args.user, name: String(args.user).toLowerCase(), real_name: String(args.user), profile: { display_name: "", real_name: String(args.user) } } };
        return { ok: true, user: { id: user.id, name: user.name, real_name: user.realName ?? user.name, profile: { display_name: user.name, real_name: user.realName ?? user.name } } };
      }
      default:
        return { ok: true };
    }
  };

  const server: Server = createServer(async (request, response) => {
    const body = await readBody(request);
    const path = (request.url ?? "/").split("?")[0];
    const args = decodeBody(body, String(request.headers["content-type"] ?? ""));
    if (latency > 0) await new Promise((done) => setTimeout(done, latency));

    if (path.startsWith("/response/")) {
      calls.push({ method: `response_url:${path.slice("/response/".length)}`, args, at: Date.now(), status: 200 });
      response.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
      return;
    }
    const method = path.replace(/^\/api\//, "");
    const fault = faults.find((candidate) => candidate.remaining > 0 && (!candidate.method || candidate.method === method));
    if (fault) {
      fault.remaining -= 1;
      calls.push({ method, args, at: Date.now(), status: fault.kind === "429" ? 429 : fault.status });
      if (fault.kind === "429") {
        response.writeHead(429, { "content-type": "application/json", "retry-after": String(fault.retryAfter) }).end('{"ok":false,"error":"ratelimited"}');
      } else {
        response.writeHead(fault.status, { "content-type": "text/plain" }).end("upstream trouble");
      }
      return;
    }
    const token = String(request.headers.authorization ?? "").replace(/^Bearer\s+/i, "") || String(args.token ?? "");
    const result = answer(method, args, token);
    calls.push({ method, args, at: Date.now(), status: 200, token, team: workspaceOfToken(token)?.teamId });
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(result));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", () => done()));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    apiUrl: `${url}/api/`,
    url,
    calls,
    callsOf: (method, includeRejected = false) => calls.filter((call) => call.method === method && (includeRejected || call.status === 200)),
    messages,
    findMessage,
    users,
    rateLimitNext: (count, { method, retryAfter = 1 } = {}) => faults.push({ remaining: count, method, kind: "429", retryAfter, status: 429 }),
    failNext: (count, { method, status = 503 } = {}) => faults.push({ remaining: count, method, kind: "5xx", retryAfter: 0, status }),
    setLatency: (ms) => {
      latency = ms;
    },
    addWorkspace: (workspace) => {
      workspaces.push(workspace);
    },
    setOAuthApp: (app) => {
      oauthApp = app;
    },
    setSocketModeUrl: (url) => {
      socketModeUrl = url;
    },
    waitFor: async (predicate, timeoutMs = 10_000, what = "condition") => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = predicate();
        if (value) return value as any;
        if (Date.now() > deadline) throw new Error(`fake Slack: timed out waiting for ${what}`);
        await new Promise((done) => setTimeout(done, 20));
      }
    },
    reset: () => {
      calls.length = 0;
      messages.length = 0;
      faults.length = 0;
      latency = 0;
    },
    stop: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => done(Buffer.concat(chunks).toString("utf8")));
    request.on("error", fail);
  });
}

function decodeBody(body: string, contentType: string): Record<string, any> {
  if (!body) return {};
  if (contentType.includes("application/json")) {
    try {
      return JSON.parse(body);
    } catch {
      return { raw: body };
    }
  }
  const args: Record<string, any> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    if (/^[[{]/.test(value)) {
      try {
        args[key] = JSON.parse(value);
        continue;
      } catch {
        // keep as text
      }
    }
    args[key] = value;
  }
  return args;
}

// ---------------------------------------------------------------------------
// Signed requests to the real Bolt receiver
// ---------------------------------------------------------------------------

/** Slack's v0 request signature: HMAC-SHA256 of `v0:${timestamp}:${body}` with the signing secret. */
export function slackSignature(signingSecret: string, timestamp: number, body: string): string {
  return `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

export type SignedPostOptions = {
  /** Override the timestamp (e.g. 10 minutes ago for a stale request). */
  timestamp?: number;
  /** Override the signature (a bad one). */
  signature?: string;
  retryNum?: number;
  headers?: Record<string, string>;
};

export type SlackPoster = {
  /** POSTs a slash command, form-encoded, as Slack does. */
  command: (fields: Record<string, string>, options?: SignedPostOptions) => Promise<Response>;
  /** POSTs an interactivity payload (block_actions, view_submission) as `payload=<json>`. */
  interaction: (payload: Record<string, unknown>, options?: SignedPostOptions) => Promise<Response>;
  /** POSTs an Events API callback as JSON. */
  event: (callback: Record<string, unknown>, options?: SignedPostOptions) => Promise<Response>;
  /** POSTs any body with the given content type, signed. */
  raw: (body: string, contentType: string, options?: SignedPostOptions) => Promise<Response>;
};

/** Posts correctly signed requests (unless told otherwise) to a Bolt endpoint, the way Slack does. */
export function slackPoster(endpoint: string, signingSecret: string): SlackPoster {
  const raw = (body: string, contentType: string, options: SignedPostOptions = {}) => {
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      "content-type": contentType,
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": options.signature ?? slackSignature(signingSecret, timestamp, body),
      ...(options.retryNum !== undefined ? { "x-slack-retry-num": String(options.retryNum), "x-slack-retry-reason": "http_timeout" } : {}),
      ...options.headers,
    };
    return fetch(endpoint, { method: "POST", headers, body });
  };
  return {
    raw,
    command: (fields, options) => raw(new URLSearchParams(fields).toString(), "application/x-www-form-urlencoded", options),
    interaction: (payload, options) =>
      raw(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), "application/x-www-form-urlencoded", options),
    event: (callback, options) => raw(JSON.stringify(callback), "application/json", options),
  };
}

let triggerSequence = 0;
/** A fresh, unique trigger id such as Slack sends with each command and interaction. */
export function triggerId(): string {
  return `${Date.now()}.${++triggerSequence}.${Math.random().toString(16).slice(2, 10)}`;
}

let eventSequence = 0;
/** A fresh, unique Events API event id. */
export function eventId(): string {
  return `Ev${Date.now().toString(36).toUpperCase()}${(++eventSequence).toString(36).toUpperCase()}`;
}

// ---------------------------------------------------------------------------
// Socket Mode: Slack's side of the WebSocket
// ---------------------------------------------------------------------------

/** One acknowledgement the app sent back over the socket. */
export type SocketModeAck = { envelope_id: string; payload?: Record<string, any>; receivedAt: number };

export type SocketModeEnvelopeOptions = {
  /** Slack's redelivery of an envelope it got no ack for: 1, 2, 3 (Events API only). */
  retryAttempt?: number;
  retryReason?: string;
  /** Slash commands and view submissions may answer in the ack. */
  acceptsResponsePayload?: boolean;
  /** How long to wait for the ack before failing, like Slack (default 3000 ms). */
  ackWithinMs?: number;
};

export type FakeSocketMode = {
  /** ws://127.0.0.1:port/link: give it to the fake Web API's apps.connections.open. */
  url: string;
  /** Sockets opened so far (a reconnect opens another). */
  connections: () => number;
  /** True while a socket is open. */
  connected: () => boolean;
  /** Resolves when `count` sockets have been opened and the last one is open. */
  waitForConnections: (count: number, timeoutMs?: number) => Promise<void>;
  /**
   * Sends an envelope (`slash_commands`, `interactive`, `events_api`) on the open socket and
   * resolves with its acknowledgement; rejects if none comes back in time (Slack would redeliver).
   */
  send: (type: "slash_commands" | "interactive" | "events_api", payload: Record<string, unknown>, options?: SocketModeEnvelopeOptions) => Promise<SocketModeAck>;
  /** Drops the open socket without a close handshake, as a network failure would. */
  drop: () => void;
  /** Asks the app to reconnect, as Slack does before it recycles a server (`{type: "disconnect"}`). */
  requestReconnect: (reason?: string) => void;
  acks: SocketModeAck[];
  /** Messages from the app that are not acknowledgements of a sent envelope (should stay empty). */
  unexpected: string[];
  stop: () => Promise<void>;
};

/**
 * A local stand-in for Slack's Socket Mode server: a WebSocket server that
 * greets each connection with `hello` (the app's cue that it is connected),
 * answers pings with pongs (the `ws` package does), sends envelopes and checks
 * that each comes back as `{envelope_id, payload}` within 3 seconds, as
 * Slack does before redelivering.
 */
export async function startFakeSocketMode(): Promise<FakeSocketMode> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0, path: "/link" });
  await new Promise<void>((done) => server.once("listening", () => done()));
  const { port } = server.address() as AddressInfo;
  const acks: SocketModeAck[] = [];
  const unexpected: string[] = [];
  const waiting = new Map<string, (ack: SocketModeAck) => void>();
  let current: WebSocket | undefined;
  let connections = 0;
  let envelopes = 0;

  server.on("connection", (socket) => {
    connections += 1;
    current = socket;
    socket.on("message", (data) => {
      const text = data.toString();
      let message: any;
      try {
        message = JSON.parse(text);
      } catch {
        unexpected.push(text);
        return;
      }
      const resolve = typeof message?.envelope_id === "string" ? waiting.get(message.envelope_id) : undefined;
      if (!resolve) {
        unexpected.push(text);
        return;
      }
      waiting.delete(message.envelope_id);
      const ack: SocketModeAck = { envelope_id: message.envelope_id, payload: message.payload, receivedAt: Date.now() };
      acks.push(ack);
      resolve(ack);
    });
    socket.on("close", () => {
      if (current === socket) current = undefined;
    });
    socket.send(
      JSON.stringify({
        type: "hello",
        num_connections: 1,
        debug_info: { host: "applink-fake", build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: "A0TREASURY" },
      }),
    );
  });

  const isOpen = () => current !== undefined && current.readyState === WebSocket.OPEN;
  return {
    url: `ws://127.0.0.1:${port}/link`,
    connections: () => connections,
    connected: isOpen,
    waitForConnections: async (count, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!(connections >= count && isOpen())) {
        if (Date.now() > deadline) throw new Error(`fake Socket Mode: ${connections} connection(s), waited for ${count}`);
        await new Promise((done) => setTimeout(done, 20));
      }
    },
    send: (type, payload, options = {}) => {
      const socket = current;
      if (!socket || socket.readyState !== WebSocket.OPEN) return Promise.reject(new Error("fake Socket Mode: no open connection"));
      const envelopeId = `env-${++envelopes}-${Math.random().toString(16).slice(2, 10)}`;
      const envelope: Record<string, unknown> = {
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: options.acceptsResponsePayload ?? type === "slash_commands",
      };
      if (type === "events_api") {
        envelope.retry_attempt = options.retryAttempt ?? 0;
        envelope.retry_reason = options.retryReason ?? "";
      }
      const within = options.ackWithinMs ?? 3000;
      return new Promise<SocketModeAck>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(envelopeId);
          reject(new Error(`fake Socket Mode: no acknowledgement of ${type} envelope ${envelopeId} within ${within} ms`));
        }, within);
        waiting.set(envelopeId, (ack) => {
          clearTimeout(timer);
          resolve(ack);
        });
        socket.send(JSON.stringify(envelope));
      });
    },
    drop: () => current?.terminate(),
    requestReconnect: (reason = "refresh_requested") =>
      current?.send(JSON.stringify({ type: "disconnect", reason, debug_info: { host: "applink-fake" } })),
    acks,
    unexpected,
    stop: () =>
      new Promise<void>((done) => {
        for (const client of server.clients) client.terminate();
        server.close(() => done());
      }),
  };
}
