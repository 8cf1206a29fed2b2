import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type FakeEmbeddings = {
  /** The /v1 base URL to give as EMBEDDINGS_URL. */
  url: string;
  /** The API key it requires (as `Authorization: Bearer …`). */
  apiKey: string;
  /** Every request it answered or refused: its model and how many texts. */
  requests: { model: unknown; texts: number; status: number }[];
  stop(): Promise<void>;
};

/** Inputs one request may carry, as OpenAI's embeddings endpoint allows. */
const maxInputs = 2048;

/**
 * A local stand-in for OpenAI's embeddings endpoint (POST /v1/embeddings), the
 * one a hosted deployment sets as EMBEDDINGS_URL. It checks what the real one
 * checks (the bearer key, a model, a non-empty string or list of at most 2,048
 * non-empty strings) and answers in its shape, in input order. Each vector is a
 * bag of hashed words (`dimensions`, default 1,536 as text-embedding-3-small),
 * so texts sharing words point the same way.
 */
export async function startFakeEmbeddings({ apiKey = "sk-fake-embeddings", dimensions = 1536 } = {}): Promise<FakeEmbeddings> {
  const requests: FakeEmbeddings["requests"] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const answer = (status: number, body: unknown, model?: unknown, texts = 0) => {
        requests.push({ model, texts, status });
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      };
      const refuse = (status: number, message: string, model?: unknown) => answer(status, { error: { message, type: "invalid_request_error" } }, model);
      if (req.method !== "POST" || !req.url?.endsWith("/embeddings")) return refuse(404, "not found");
      if (req.headers.authorization !== `Bearer ${apiKey}`) return refuse(401, "Incorrect API key provided.");
      let body: { model?: unknown; input?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return refuse(400, "We could not parse the JSON body of your request.");
      }
      if (typeof body.model !== "string" || !body.model) return refuse(400, "you must provide a model parameter");
      const input = typeof body.input === "string" ? [body.input] : body.input;
      if (!Array.isArray(input) || input.length === 0 || input.length > maxInputs || !input.every((text) => typeof text === "string" && text.length > 0))
        return refuse(400, `'input' must be a non-empty string or a list of 1 to ${maxInputs} non-empty strings.`, body.model);
      const data = (input as string[]).map((text, index) => ({ object: "embedding", index, embedding: bagOfWords(text, dimensions) }));
      const tokens = (input as string[]).reduce((sum, text) => sum + text.split(/\s+/).length, 0);
      answer(200, { object: "list", data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } }, body.model, input.length);
    });
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    apiKey,
    requests,
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
}

function bagOfWords(text: string, dimensions: number): number[] {
  const vector = Array.from({ length: dimensions }, (): number => 0);
  for (const word of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (!word) continue;
    const hash = createHash("sha256").update(word).digest();
    vector[hash.readUInt32BE(0) % dimensions]! += (hash[4]! & 1) === 1 ? 1 : -1;
  }
  // A text of no words still gets a direction of its own.
  if (!vector.some((value) => value !== 0)) vector[createHash("sha256").update(text).digest().readUInt32BE(0) % dimensions] = 1;
  return vector;
}
