import {
  BaseError,
  createPublicClient,
  http,
  HttpRequestError,
  isHex,
  ResponseBodyTooLargeError,
  RpcRequestError,
  TimeoutError,
  type Address,
  type Hex,
} from "viem";
import { chainFor } from "../core/chain.ts";
import { shortMessageOf } from "../core/errors.ts";
import { erc20Abi } from "../core/tokens.ts";
import { checksumAddress } from "./addresses.ts";
import type { BlockHeader } from "../db/chain-mirror/records.ts";
import { MalformedRpcResponseError, RangeTooLargeError, RpcFailedError, RpcRetryableError } from "./errors.ts";

/** A log as the indexer uses it: checked, numbers as numbers. */
export type RawLog = {
  address: Address;
  topics: Hex[];
  data: Hex;
  blockNumber: number;
  blockHash: Hex;
  transactionHash: Hex;
  transactionIndex: number;
  logIndex: number;
};


export type RetryPolicy = {
  /** Tries in all, the first included. */
  attempts: number;
  /** Wait before the second try; doubles each time, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
};

export const defaultRetryPolicy: RetryPolicy = { attempts: 5, baseDelayMs: 250, maxDelayMs: 4_000 };

/** A pause the RPC layer takes before asking again: the provider rate-limited us (and said for how long), or a call failed. */
export type RpcWait = { reason: "rate-limited" | "failed"; what: string; ms: number; error: string; attempt: number };

/** The longest Retry-After the indexer honours as given; a longer one is waited in steps of this. */
const maxRetryAfterMs = 60_000;
/** Rate-limit answers one call may get (each waited out as the provider asks) before it counts as failed. */
const maxRateLimitedWaits = 20;

export type CreateIndexerRpcParameters = {
  rpcUrl: string;
  chainId: number;
  /** Per-request timeout, milliseconds. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Aborts waits between retries (the indexer is stopping). */
  signal?: AbortSignal;
  /** Told before each pause, so the caller can say what it is waiting for. */
  onWait?: (wait: RpcWait) => void;
};

export type IndexerRpc = ReturnType<typeof createIndexerRpc>;

/**
 * The few JSON-RPC calls the indexer makes, each checked for shape, with
 * bounded retries and backoff on retryable failures. A `RangeTooLargeError` is
 * passed up at once (the caller asks again for fewer blocks); anything else
 * that still fails after the last try becomes an `RpcFailedError`.
 */
export function createIndexerRpc({ rpcUrl, chainId, timeoutMs = 15_000, retry, signal, onWait }: CreateIndexerRpcParameters) {
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...retry };
  const transport = (batch: boolean) =>
    http(rpcUrl, {
      timeout: timeoutMs,
      retryCount: 0,
      batch: batch ? { batchSize: 100, wait: 0 } : false,
      // The size cap is ours (boundedFetch): viem's own reads a body chunk by chunk into a growing string, which costs
      // more than the JSON-RPC answer's parsing on a busy backfill.
      fetchFn: boundedFetch,
      maxResponseBodySize: false,
    });
  // Our own retries, not viem's: one place decides what is worth trying again.
  const client = createPublicClient({ chain: chainFor(chainId, rpcUrl), transport: transport(true), cacheTime: 0 });
  /**
   * eth_getLogs goes alone, one HTTP request each: packed into a JSON-RPC batch with the other ranges read ahead,
   * it would wait for all of them and come back as one answer too large to read.
   */
  const unbatched = createPublicClient({ chain: chainFor(chainId, rpcUrl), transport: transport(false), cacheTime: 0 });
  /** Time spent waiting on the RPC, for the benchmark's "what bounds it". */
  const stats = { requests: 0, busyMs: 0 };
  let inFlight = 0;
  let busySince = 0;
  /** When the provider rate-limited us with a Retry-After: no call starts before this time (ms since epoch). */
  let pausedUntil = 0;

  /** `canShrink`: the caller can ask for fewer blocks, so a refused range is passed up at once. */
  async function call<T>(what: string, request: () => Promise<T>, canShrink = false): Promise<T> {
    let rateLimited = 0;
    for (let attempt = 1; ; attempt++) {
      while (Date.now() < pausedUntil && !signal?.aborted) await sleep(pausedUntil - Date.now(), signal);
      if (inFlight++ === 0) busySince = performance.now();
      stats.requests++;
      let delay: number;
      try {
        return await request();
      } catch (raw) {
        const error = classifyRpcError(raw, rpcUrl);
        if (error instanceof RangeTooLargeError && canShrink) throw error;
        if (!(error instanceof RpcRetryableError))
          throw new RpcFailedError(`The RPC at ${rpcUrl} refused ${what}: ${error.shortMessage}`, { cause: raw });
        const retryAfter = retryAfterMsOf(raw);
        if (retryAfter !== undefined && ++rateLimited <= maxRateLimitedWaits) {
          // The provider said how long to wait: every call waits that long, and it is not counted as a failed try.
          // (Calls answered by the same 429, e.g. one JSON-RPC batch, share one pause and one report.)
          attempt--;
          const alreadyPaused = pausedUntil > Date.now();
          pausedUntil = Math.max(pausedUntil, Date.now() + retryAfter);
          if (!alreadyPaused) onWait?.({ reason: "rate-limited", what, ms: retryAfter, error: error.shortMessage, attempt });
          continue;
        }
        if (attempt >= policy.attempts)
          throw new RpcFailedError(`The RPC at ${rpcUrl} failed ${attempt} times for ${what}: ${error.shortMessage}`, {
            cause: raw,
          });
        delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)) * (0.75 + Math.random() / 2);
        onWait?.({ reason: "failed", what, ms: Math.round(delay), error: error.shortMessage, attempt });
      } finally {
        if (--inFlight === 0) stats.busyMs += performance.now() - busySince;
      }
      await sleep(delay, signal);
    }
  }

  const request = (method: string, params: unknown[]) =>
    client.request({ method: method as never, params: params as never }) as Promise<unknown>;
  const requestAlone = (method: string, params: unknown[]) =>
    unbatched.request({ method: method as never, params: params as never }) as Promise<unknown>;

  return {
    url: rpcUrl,
    stats,
    async getChainId(): Promise<number> {
      return call("eth_chainId", async () => toNumber(await request("eth_chainId", []), "eth_chainId"));
    },
    async getBlockNumber(): Promise<number> {
      return call("eth_blockNumber", async () => toNumber(await request("eth_blockNumber", []), "eth_blockNumber"));
    },
    async getCode(address: Address, blockNumber?: number): Promise<Hex> {
      return call("eth_getCode", async () => {
        const code = await request("eth_getCode", [address, blockNumber === undefined ? "latest" : toQuantity(blockNumber)]);
        if (!isHex(code)) throw new MalformedRpcResponseError("eth_getCode returned something that is not hex data.");
        return code;
      });
    },
    /** The header of block `number`, or undefined when the chain does not have it (yet). */
    async getBlockHeader(number: number): Promise<BlockHeader | undefined> {
      return call(`block ${number}`, async () => {
        const block = await request("eth_getBlockByNumber", [toQuantity(number), false]);
        if (block === null) return undefined;
        return toHeader(block, number);
      });
    },
    /** Logs of `fromBlock..toBlock` (inclusive); a list of addresses, or of values at a topic's place, matches any of them. */
    async getLogs(filter: { address?: Address | Address[]; topics: (Hex | Hex[] | null)[]; fromBlock: number; toBlock: number }): Promise<RawLog[]> {
      const what = `eth_getLogs for blocks ${filter.fromBlock}-${filter.toBlock}`;
      return call(what, async () => {
        const result = await requestAlone("eth_getLogs", [
          {
            ...(filter.address ? { address: filter.address } : {}),
            topics: filter.topics,
            fromBlock: toQuantity(filter.fromBlock),
            toBlock: toQuantity(filter.toBlock),
          },
        ]);
        if (!Array.isArray(result)) throw new MalformedRpcResponseError(`${what} returned ${describe(result)}, not a list of logs.`);
        return result.map((log) => toLog(log, filter.fromBlock, filter.toBlock));
      }, filter.toBlock > filter.fromBlock);
    },
    /**
     * A call the indexer can do without (debug_traceTransaction, a past
     * eth_call): `{ refused }` with the RPC's words when it does not offer the
     * method or cannot answer for that block (not retried), else `{ result }`.
     * Failures that may pass (timeouts, 429, 5xx) are retried as for any call.
     */
    async optional(method: string, params: unknown[], what: string): Promise<{ result: unknown } | { refused: string }> {
      return call(what, async () => {
        try {
          return { result: await request(method, params) };
        } catch (raw) {
          const refusal = refusalOf(raw);
          if (refusal !== undefined) return { refused: refusal };
          throw raw;
        }
      });
    },
    /** An ERC-20's symbol, name and decimals; a token that does not answer gets a placeholder. */
    async readTokenMetadata(address: Address): Promise<{ address: Address; symbol: string; name: string; decimals: number }> {
      const read = (functionName: "symbol" | "name" | "decimals") =>
        call(`${functionName}() of token ${address}`, () =>
          client.readContract({ address, abi: erc20Abi, functionName }),
        ).catch(() => undefined);
      const [symbol, name, decimals] = await Promise.all([read("symbol"), read("name"), read("decimals")]);
      return {
        address,
        symbol: typeof symbol === "string" && symbol.length > 0 ? symbol.slice(0, 32) : `${address.slice(0, 8)}…`,
        name: typeof name === "string" ? name.slice(0, 100) : "",
        decimals: typeof decimals === "number" && decimals <= 255 ? decimals : 0,
      };
    },
  };
}

/** The largest JSON-RPC answer read (a larger one is refused as too large: the indexer asks for fewer blocks). */
const maxResponseBytes = 10 * 1024 * 1024;

/**
 * `fetch`, with answers over `maxResponseBytes` refused: by their
 * Content-Length before reading when they give one (then the body is read in
 * one go), else counted while they are read.
 */
export async function boundedFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const response = await fetch(input, init);
  const tooLarge = (size: number) => new ResponseBodyTooLargeError({ maxSize: maxResponseBytes, size });
  const declared = response.headers.get("content-length");
  if (declared !== null && Number.isFinite(Number(declared))) {
    if (Number(declared) <= maxResponseBytes) return response;
    await response.body?.cancel();
    throw tooLarge(Number(declared));
  }
  if (!response.body) return response;
  let size = 0;
  const counted = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.byteLength;
        if (size > maxResponseBytes) controller.error(tooLarge(size));
        else controller.enqueue(chunk);
      },
    }),
  );
  return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
}

const rangeRefusal =
  /block range|range (is )?too (large|wide|big)|too many (results|logs|blocks)|more than \d+ (results|logs)|response (size|is too)|too large|limit exceeded|exceeds? (the )?(max|limit)|query timeout|10000 results/i;

/** Sorts an RPC failure into: range too large, malformed answer, worth retrying, or not. */
export function classifyRpcError(error: unknown, rpcUrl: string): RpcRetryableError | RpcFailedError {
  if (error instanceof RpcRetryableError || error instanceof RpcFailedError) return error;
  const message = error instanceof BaseError ? `${error.shortMessage} ${error.details ?? ""}` : String((error as Error)?.message ?? error);
  const inner = error instanceof BaseError ? error.walk((cause) => cause instanceof RpcRequestError || cause instanceof HttpRequestError || cause instanceof TimeoutError) : undefined;
  const code = (inner as { code?: unknown } | undefined)?.code ?? (error as { code?: unknown })?.code;
  const status = (inner as { status?: unknown } | undefined)?.status;
  // Rate limited: whatever the body says (often -32005 "limit exceeded", which is not about the range).
  if (status === 429) return new RpcRetryableError(`The RPC at ${rpcUrl} is rate-limiting the indexer (HTTP 429).`, { cause: error });
  if (error instanceof BaseError && error.walk((cause) => (cause as Error)?.name === "ResponseBodyTooLargeError") !== null)
    return new RangeTooLargeError(`The RPC at ${rpcUrl} sent a response too large to read.`, { cause: error });
  if (inner instanceof TimeoutError || error instanceof TimeoutError)
    return new RangeTooLargeError(`The RPC at ${rpcUrl} did not answer in time.`, { cause: error });
  if (status === 413 || code === -32005 || rangeRefusal.test(message))
    return new RangeTooLargeError(`The RPC at ${rpcUrl} refused the block range: ${shortMessageOf(error)}`, { cause: error });
  if (inner instanceof HttpRequestError) {
    if (inner.cause instanceof SyntaxError || /JSON/i.test(message))
      return new MalformedRpcResponseError(`The RPC at ${rpcUrl} returned malformed data (not JSON).`, { cause: error });
    if (status === undefined || status === 408 || status === 429 || (typeof status === "number" && status >= 500))
      return new RpcRetryableError(`The RPC at ${rpcUrl} failed: ${shortMessageOf(error)}`, { cause: error });
    return new RpcFailedError(`The RPC at ${rpcUrl} answered HTTP ${status}.`, { cause: error });
  }
  if (code === -32601 || code === -32602 || code === -32600)
    return new RpcFailedError(`The RPC at ${rpcUrl} refused the request: ${shortMessageOf(error)}`, { cause: error });
  if (typeof code === "number") return new RpcRetryableError(`The RPC at ${rpcUrl} failed: ${shortMessageOf(error)}`, { cause: error });
  // Not an RPC error we know: a network failure (retry) or our own bug (do not hide it).
  if (error instanceof BaseError) return new RpcRetryableError(`The RPC at ${rpcUrl} failed: ${shortMessageOf(error)}`, { cause: error });
  return new RpcFailedError(`Talking to the RPC at ${rpcUrl} failed: ${shortMessageOf(error)}`, { cause: error });
}

const methodRefusal =
  /method .*(not found|not supported|not available|does not exist|unsupported|not whitelisted|not allowed)|(not|un)supported method|not (supported|available|enabled)|namespace|missing trie node|header not found|historical state|pruned|execution reverted/i;

/** The RPC's words when it does not offer a method or cannot answer it for that block; undefined for failures that may pass. */
function refusalOf(error: unknown): string | undefined {
  const inner = error instanceof BaseError ? error.walk((cause) => cause instanceof RpcRequestError || cause instanceof HttpRequestError) : undefined;
  const code = (inner as { code?: unknown } | undefined)?.code ?? (error as { code?: unknown })?.code;
  const status = (inner as { status?: unknown } | undefined)?.status;
  const message = error instanceof BaseError ? `${error.shortMessage} ${error.details ?? ""}` : String((error as Error)?.message ?? error);
  if (code === -32601 || code === -32004 || code === 3 || status === 403 || status === 405 || methodRefusal.test(message))
    return (error instanceof BaseError ? (error.details || error.shortMessage) : message).slice(0, 200);
  return undefined;
}

/**
 * How long a rate-limited answer (HTTP 429 or 503) asks us to wait, from its
 * Retry-After header (seconds, or an HTTP date), at most a minute; undefined when it says nothing.
 */
export function retryAfterMsOf(error: unknown): number | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const inner = error.walk((cause) => cause instanceof HttpRequestError || cause instanceof RpcRequestError) as
    | { status?: number; headers?: Headers }
    | null;
  if (!inner || (inner.status !== 429 && inner.status !== 503)) return undefined;
  const value = inner.headers?.get("retry-after")?.trim();
  if (!value) return undefined;
  const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value) - Date.now();
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(maxRetryAfterMs, Math.max(0, Math.round(ms)));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((done) => {
    if (signal?.aborted) return done();
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), done()), { once: true });
  });
}

const toQuantity = (value: number) => `0x${value.toString(16)}`;

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

function toNumber(value: unknown, what: string): number {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{1,14}$/.test(value))
    throw new MalformedRpcResponseError(`${what} returned ${describe(value)}, not a hex quantity.`);
  return Number.parseInt(value, 16);
}

const isHash = (value: unknown): value is Hex => typeof value === "string" && /^0x[0-9a-fA-F]{64}$/.test(value);

function toHeader(block: unknown, number: number): BlockHeader {
  const raw = block as Record<string, unknown>;
  if (!raw || typeof raw !== "object" || !isHash(raw.hash) || !isHash(raw.parentHash))
    throw new MalformedRpcResponseError(`Block ${number} came back as ${describe(block)}, without a hash and parent hash.`);
  const header = {
    number: toNumber(raw.number, `block ${number}`),
    hash: raw.hash.toLowerCase() as Hex,
    parentHash: raw.parentHash.toLowerCase() as Hex,
    timestamp: toNumber(raw.timestamp, `block ${number}`),
  };
  if (header.number !== number) throw new MalformedRpcResponseError(`Asked for block ${number}, the RPC returned block ${header.number}.`);
  return header;
}

function toLog(log: unknown, fromBlock: number, toBlock: number): RawLog {
  const raw = log as Record<string, unknown>;
  const bad = (field: string) =>
    new MalformedRpcResponseError(`eth_getLogs for blocks ${fromBlock}-${toBlock} returned a log with a bad ${field}: ${describe(log)}`);
  if (!raw || typeof raw !== "object") throw bad("shape");
  if (typeof raw.address !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(raw.address)) throw bad("address");
  if (!Array.isArray(raw.topics) || !raw.topics.every(isHash)) throw bad("topics");
  if (typeof raw.data !== "string" || !isHex(raw.data)) throw bad("data");
  if (!isHash(raw.blockHash)) throw bad("blockHash");
  if (!isHash(raw.transactionHash)) throw bad("transactionHash");
  if (raw.removed === true) throw new MalformedRpcResponseError("eth_getLogs returned a removed log.");
  const blockNumber = toNumber(raw.blockNumber, "a log's blockNumber");
  if (blockNumber < fromBlock || blockNumber > toBlock) throw bad("blockNumber (outside the range asked for)");
  return {
    address: checksumAddress(raw.address),
    topics: (raw.topics as Hex[]).map((topic) => topic.toLowerCase() as Hex),
    data: raw.data.toLowerCase() as Hex,
    blockNumber,
    blockHash: raw.blockHash.toLowerCase() as Hex,
    transactionHash: raw.transactionHash.toLowerCase() as Hex,
    transactionIndex: toNumber(raw.transactionIndex, "a log's transactionIndex"),
    logIndex: toNumber(raw.logIndex, "a log's logIndex"),
  };
}
