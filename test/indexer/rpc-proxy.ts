import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

export type JsonRpcCall = { jsonrpc: "2.0"; id: unknown; method: string; params: unknown[] };

/**
 * What the proxy does with one call: "forward" it to the real node, answer it
 * with `{ result }` or `{ error }`, send a raw body for the whole HTTP request
 * ("raw"), or never answer ("hang").
 */
export type ProxyAction =
  | { kind: "forward" }
  | { kind: "result"; result: unknown }
  | { kind: "error"; code: number; message: string }
  | { kind: "raw"; status: number; body: string; contentType?: string }
  | { kind: "hang" };

export type RpcProxy = { url: string; calls: JsonRpcCall[]; close: () => Promise<void> };

/** A tiny JSON-RPC proxy in front of a real node that misbehaves as `decide` says (single and batch requests). */
export async function startRpcProxy(target: string, decide: (call: JsonRpcCall) => ProxyAction): Promise<RpcProxy> {
  const calls: JsonRpcCall[] = [];
  const forward = async (call: JsonRpcCall) => {
    const response = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(call) });
    return response.json();
  };
  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as JsonRpcCall | JsonRpcCall[];
    const list = Array.isArray(body) ? body : [body];
    calls.push(...list);
    const actions = list.map(decide);
    if (actions.some((action) => action.kind === "hang")) return; // never answers
    const raw = actions.find((action) => action.kind === "raw");
    if (raw && raw.kind === "raw") {
      response.writeHead(raw.status, { "content-type": raw.contentType ?? "text/html" });
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
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(Array.isArray(body) ? answers : answers[0]));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", () => done()));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
