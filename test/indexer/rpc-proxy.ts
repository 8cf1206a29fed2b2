import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

export type JsonRpcCall = { jsonrpc: "2.0"; id: unknown; method: string; params: unknown[] };

/**
 * What the proxy does with one call: "forward" it to the real node, answer it
 * with `{ result }` or `{ error }`, send a raw body (and headers, e.g.
 * Retry-After) for the whole HTTP request ("raw"), never answer ("hang"), or
 * drop the connection ("drop"): before answering, or halfway through the
 * real node's answer ("half-body").
 */
export type ProxyAction =
  | { kind: "forward" }
  | { kind: "result"; result: unknown }
  | { kind: "error"; code: number; message: string }
  | { kind: "raw"; status: number; body: string; contentType?: string; headers?: Record<string, string> }
  | { kind: "hang" }
  | { kind: "drop"; when: "before-answer" | "half-body" };

/** One HTTP request as the proxy saw it: when it arrived (ms since epoch), its calls, and how it was answered. */
export type ProxiedRequest = { at: number; calls: JsonRpcCall[]; outcome: "answered" | "raw" | "hang" | "drop"; status: number };

export type RpcProxy = { url: string; calls: JsonRpcCall[]; requests: ProxiedRequest[]; close: () => Promise<void> };

/** A tiny JSON-RPC proxy in front of a real node that misbehaves as `decide` says (single and batch requests). */
export async function startRpcProxy(target: string, decide: (call: JsonRpcCall) => ProxyAction): Promise<RpcProxy> {
  const calls: JsonRpcCall[] = [];
  const requests: ProxiedRequest[] = [];
  const forward = async (call: JsonRpcCall) => {
    const response = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(call) });
    return response.json();
  };
  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const at = Date.now();
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as JsonRpcCall | JsonRpcCall[];
    const list = Array.isArray(body) ? body : [body];
    calls.push(...list);
    const actions = list.map(decide);
    const seen = (outcome: ProxiedRequest["outcome"], status = 0) => requests.push({ at, calls: list, outcome, status });
    if (actions.some((action) => action.kind === "hang")) return void seen("hang"); // never answers
    const drop = actions.find((action) => action.kind === "drop");
    if (drop?.kind === "drop" && drop.when === "before-answer") {
      seen("drop");
      request.socket.destroy();
      return;
    }
    const raw = actions.find((action) => action.kind === "raw");
    if (raw && raw.kind === "raw") {
      seen("raw", raw.status);
      response.writeHead(raw.status, { "content-type": raw.contentType ?? "text/html", ...raw.headers });
      response.end(raw.body);
      return;
    }
    const answers = await Promise.all(
      list.map(async (call, index) => {
        const action = actions[index];
        if (action.kind === "result") return { jsonrpc: "2.0", id: call.id, result: action.result };
        if (action.kind === "error") return { jsonrpc: "2.0", id: call.id, error: { code: action.code, message: action.message } };
        return forward(call);
      }),
    );
    const text = JSON.stringify(Array.isArray(body) ? answers : answers[0]);
    if (drop) {
      // The real answer starts, then the connection is cut: the client has headers and half a body.
      seen("drop", 200);
      response.writeHead(200, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) });
      response.write(text.slice(0, Math.floor(text.length / 2)), () => request.socket.destroy());
      return;
    }
    seen("answered", 200);
    response.writeHead(200, { "content-type": "application/json" });
    response.end(text);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", () => done()));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
