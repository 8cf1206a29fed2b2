import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One scripted reply of the fake model: tool calls, or a final text answer. */
export type FakeLlmReply =
  | { toolCalls: { name: string; arguments: unknown | string }[] }
  | { content: string }
  | ((request: FakeLlmRequest) => FakeLlmReply);

export type FakeLlmRequest = {
  model: string;
  messages: { role: string; content: string | null; tool_call_id?: string; tool_calls?: unknown[] }[];
  tools?: { type: string; function: { name: string; parameters: unknown } }[];
  tool_choice?: unknown;
  headers: IncomingMessage["headers"];
};

export type FakeLlm = {
  /** The /v1 base URL to give the OpenAI client. */
  url: string;
  /** Every chat completion request received, in order. */
  requests: FakeLlmRequest[];
  /** Replaces the script: each request consumes the next reply (the last one repeats). */
  script(replies: FakeLlmReply[]): void;
  /** Delay every answer by this many ms (to test timeouts). */
  delay(ms: number): void;
  stop(): Promise<void>;
};

/**
 * A local OpenAI-compatible server (POST /v1/chat/completions) that answers
 * from a script and records what it was sent: the only stand-in for an LLM
 * in the tests.
 */
export async function startFakeLlm(): Promise<FakeLlm> {
  let replies: FakeLlmReply[] = [{ content: "I have no script." }];
  let delayMs = 0;
  const requests: FakeLlmRequest[] = [];
  let callId = 0;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", async () => {
      if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "not found" } }));
        return;
      }
      const parsed = JSON.parse(body) as Omit<FakeLlmRequest, "headers">;
      const request = { ...parsed, headers: req.headers };
      requests.push(request);
      let reply = replies.length > 1 ? replies.shift()! : replies[0];
      while (typeof reply === "function") reply = reply(request);
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (res.destroyed) return;
      const message =
        "toolCalls" in reply
          ? {
              role: "assistant",
              content: null,
              tool_calls: reply.toolCalls.map((call) => ({
                id: `call_${++callId}`,
                type: "function",
                function: { name: call.name, arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments) },
              })),
            }
          : { role: "assistant", content: reply.content };
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          id: `chatcmpl-${requests.length}`,
          object: "chat.completion",
          created: Math.floor(Date.now() / 1000),
          model: parsed.model,
          choices: [{ index: 0, message, finish_reason: "toolCalls" in reply ? "tool_calls" : "stop" }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    script(next) {
      replies = next.length ? [...next] : [{ content: "I have no script." }];
    },
    delay(ms) {
      delayMs = ms;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
