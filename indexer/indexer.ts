import type { Address } from "viem";
import type { TreasuryContext } from "../core/context.ts";
import { shortMessageOf } from "../core/errors.ts";
import { linksTo } from "./block-links.ts";
import { checkChainIdentity } from "./chain-identity.ts";
import { decodeLogs, mergeBatches, type DecodedBatch } from "./decode.ts";
import { IndexerError, RangeTooLargeError, RpcRetryableError, SafeNotFoundError } from "./errors.ts";
import { createBackfillProgress, defaultProgressMode, type BackfillProgress } from "./progress.ts";
import { findCommonAncestor } from "./reorg.ts";
import { createSharedChainReads, type SharedChainReads } from "./shared-reads.ts";
import { createSignerPool } from "./signer-pool.ts";
import { createIndexerRpc, type RawLog, type RetryPolicy } from "./rpc.ts";
import { createExecutionResolver } from "./l1-executions.ts";
import { lastExecutedNonce, listIndexedTokens, readCheckpoint } from "../db/chain-mirror/read.ts";
import type { BlockHeader, TokenMetadata } from "../db/chain-mirror/records.ts";
import { recordTokens, rollbackTo, startConfirmingFromScratch, writeBatch } from "../db/chain-mirror/write.ts";
import { inTransaction, isDatabaseOpen } from "../db/open.ts";
import { beginBulkWrites, type BulkWrites } from "../db/bulk-writes.ts";
import { writeMeta } from "../db/meta.ts";
import { recordNativeCoin } from "../db/chain-mirror/native-coin.ts";
import { multiSendAddresses } from "../core/safe/setup.ts";

/** What a batch hook is told: the blocks just committed and how many of the Safe's events they held (or, after a reorg, `rolledBackTo`). */
export type IndexerBatch = { fromBlock: number; toBlock: number; events: number; rolledBackTo?: number };
export type IndexerBatchHook = (batch: IndexerBatch) => Promise<void> | void;

export type CreateIndexerParameters = {
  ctx: TreasuryContext;
  /** Blocks a row must be under the head before it counts as confirmed (and is announced). Default: config CONFIRMATIONS, else the chain's default depth. */
  confirmations?: number;
  /** Awaited after each committed batch and after each reorg rollback; a failing hook is logged, not fatal. */
  onBatch?: IndexerBatchHook;
  /** Backfill progress: "bar" on a terminal, "log" lines, or "off". Default: bar on a TTY, else log lines. */
  progress?: "bar" | "log" | "off";
  /** Milliseconds between polls once caught up (those of `sharedReads` when given). */
  pollIntervalMs?: number;
  /** Reads shared with the indexers of the process's other Safes on the same chain (indexer/shared-reads.ts); default: its own. */
  sharedReads?: SharedChainReads;
  /**
   * Following the head (`start`), once every row written is confirmed: blocks with none of the Safe's events move
   * the checkpoint in memory, written at most this often or with the next events (default 0: every range is
   * written). A crash loses only that progress (the blocks are read again); a stop writes it.
   */
  quietCheckpointEveryMs?: number;
  /** First block to index on an empty database. Default: the deployment block (tokens) or the Safe's creation block. */
  fromBlock?: number;
  /** Block ranges read at the same time, ahead of the one being decoded and written. */
  readAhead?: number;
  /** Block range of the first eth_getLogs (default 10: a dense history is not refused whole); it doubles while requests succeed, up to the density aimed at. */
  initialRange?: number;
  maxRange?: number;
  /**
   * Logs per range to aim at, over its three eth_getLogs (default 2,500, well under the 10,000 per request that public
   * RPCs commonly allow; the range follows the density of logs seen); a refused range is halved. Smaller answers come
   * back sooner and cost the node less to build (bench:indexer at 10k: 5-18% less wall time than with 5,000, the
   * chain's process 11-25% less CPU, in 4 pairs); a long catch-up still writes several ranges in one transaction.
   */
  targetLogsPerRequest?: number;
  rpcTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
};

export type IndexerRunResult = {
  /** The checkpoint when the run ended. */
  toBlock: number;
  head: number;
  batches: number;
  /** Logs that became rows. */
  events: number;
  reorgs: number;
  durationMs: number;
  /** Milliseconds the indexer sat waiting on the RPC (reads of the next range overlap the work on this one), and spent in SQLite writes. The rest is decoding and signature recovery. */
  rpcMs: number;
  sqliteMs: number;
};

export type Indexer = {
  /** Indexes from the checkpoint to the head as it is now, then returns. */
  runOnce(): Promise<IndexerRunResult>;
  /** Backfills, then follows the head, polling, until `stop()`. RPC failures are logged and retried. */
  start(): void;
  /** Stops after the batch in flight is committed. */
  stop(): Promise<void>;
};

/** Logs in one range from which signer recovery is worth worker threads. */
const busyRange = 256;

/** Events one write transaction takes at most when several ranges read ahead are ready together. */
const mergeEvents = 20_000;

/** Blocks this close to the head are read header by header, so a reorg inside a range is seen. */
const denseWindow = 128;

/**
 * The indexer: mirrors the Safe's events and the ERC-20 transfers to and
 * from it into the database. Each batch of rows and its checkpoint commit in
 * one SQLite transaction, so a crash at any instant loses nothing and
 * duplicates nothing; a restart resumes from the checkpoint. A block whose
 * hash or parent no longer matches the chain rolls the mirror back to the
 * common ancestor before anything new is written.
 */
export function createIndexer(parameters: CreateIndexerParameters): Indexer {
  const { ctx, onBatch, pollIntervalMs = 1_000, targetLogsPerRequest = 2_500 } = parameters;
  const { db, logger } = ctx;
  const confirmations = parameters.confirmations ?? ctx.config.CONFIRMATIONS ?? ctx.chainFacts?.defaultConfirmations ?? 0;
  const safe = ctx.safeAddress;
  const maxRange = parameters.maxRange ?? 50_000;
  const readAhead = Math.max(1, parameters.readAhead ?? 4);
  /** The head when the ranges read ahead were planned. */
  let knownHead = -1;
  let range = Math.min(parameters.initialRange ?? 10, maxRange);
  /** The smallest range the provider refused lately, and the requests that succeeded since. */
  let refusedAt: number | undefined;
  let successes = 0;
  const abort = new AbortController();
  const rpc = createIndexerRpc({
    rpcUrl: ctx.rpcUrl,
    chainId: ctx.chainId,
    timeoutMs: parameters.rpcTimeoutMs,
    retry: parameters.retry,
    signal: abort.signal,
    onWait: ({ reason, what, ms, error, attempt }) =>
      reason === "rate-limited"
        ? logger.warn({ waitMs: ms, what }, `the RPC is rate-limiting the indexer; waiting ${(ms / 1000).toFixed(1)} s as it asked (Retry-After)`)
        : logger.warn({ waitMs: ms, what, attempt, err: error }, `an RPC call failed; trying again in ${(ms / 1000).toFixed(1)} s`),
  });
  const reads = parameters.sharedReads ?? createSharedChainReads({ pollIntervalMs });
  const signerPool = createSignerPool();
  const multiSends = new Set(multiSendAddresses(ctx.safe).map((address) => address.toLowerCase()));
  const executions = createExecutionResolver({
    rpc,
    safe,
    chainId: ctx.chainId,
    multiSendAddresses: multiSends,
    lastStoredNonce: () => lastExecutedNonce(db),
    onUndecoded: (execution, reason, detail) =>
      logger.warn({ txHash: execution.txHash, block: execution.blockNumber, detail }, `an execution of the Safe ${reason}; it is listed as such`),
  });
  const knownTokens = new Set<string>();
  const startBlock = parameters.fromBlock ?? ctx.safe.creationBlock;
  let prepared = false;
  const quietCheckpointEveryMs = parameters.quietCheckpointEveryMs ?? 0;
  /** Whether quiet ranges may stay in memory (following the head, not in `runOnce`). */
  let followingHead = false;
  /** Quiet ranges read but not written: the checkpoint, the confirmation depth and the (empty) batch they would write, since when. */
  let unwritten: { checkpoint: BlockHeader; confirmedUpTo: number; batch: DecodedBatch; since: number } | undefined;
  /** The newest block that may hold a row (from the checkpoint before this process wrote), and the block through which rows are confirmed. */
  let newestRowBlock: number | undefined;
  let confirmedThrough = -1;
  /** Set up on the first busy batch of a catch-up, undone at its end (db/bulk-writes.ts). */
  let bulk: BulkWrites | undefined;
  let loop: Promise<void> | undefined;

  async function prepare(): Promise<void> {
    if (prepared) return;
    const chainId = await rpc.getChainId();
    if (chainId !== ctx.chainId)
      throw new IndexerError(`The RPC at ${ctx.rpcUrl} serves chain ${chainId}, but this treasury is on chain ${ctx.chainId}.`);
    await checkChainIdentity(db, ctx.client, safe, ctx.config.DATABASE_PATH);
    const code = await rpc.getCode(safe);
    if (code === "0x")
      throw new SafeNotFoundError(`There is no Safe at ${safe} on chain ${chainId}: the address has no code. Check SAFE_ADDRESS or the deployment file.`);
    inTransaction(db, () => {
      recordTokens(db, ctx.tokens);
      // Where an execution's own events sit (before its call's on an L2 Safe, after them on an L1 Safe) depends on it.
      writeMeta(db, "safe_flavour", ctx.safe.flavour);
      if (ctx.chainFacts) recordNativeCoin(db, ctx.chainFacts.nativeToken);
      // An empty mirror (new, or emptied by a chain-identity rebuild) confirms from scratch.
      if (!readCheckpoint(db)) startConfirmingFromScratch(db);
    });
    for (const token of listIndexedTokens(db)) knownTokens.add(token.address.toLowerCase());
    prepared = true;
  }

  async function fetchHeaders(numbers: Iterable<number>): Promise<Map<number, BlockHeader>> {
    const wanted = [...new Set(numbers)];
    const headers = new Map<number, BlockHeader>();
    // All at once, in rounds of 1,000: the transport packs calls made together into JSON-RPC batches of 100.
    for (let index = 0; index < wanted.length; index += 1_000) {
      const chunk = await Promise.all(wanted.slice(index, index + 1_000).map((number) => reads.blockHeader(rpc, number)));
      for (const header of chunk) if (header) headers.set(header.number, header);
    }
    return headers;
  }

  type StepResult =
    | { kind: "caught-up"; head: number; checkpoint: number }
    | { kind: "batch"; head: number; fromBlock: number; toBlock: number; events: number; rpcMs: number; sqliteMs: number }
    | { kind: "reorg"; head: number; rolledBackTo: number }
    | { kind: "retry"; head: number; rpcMs?: number };

  type RangeData = { fromBlock: number; toBlock: number; head: number; logs: RawLog[]; headers: Map<number, BlockHeader>; dense: boolean };

  /** Logs of a range and the headers to check them by: every block near the head (parent links), else the blocks with logs. */
  async function readRange(fromBlock: number, toBlock: number, head: number): Promise<RangeData> {
    const logs = await reads.safeLogs(rpc, safe, fromBlock, toBlock);
    // A busy history: start the signer workers now, while earlier ranges are decoded (a quiet one never needs them).
    if (logs.length >= busyRange) signerPool.warm();
    const dense = head - toBlock < denseWindow;
    const numbers = dense
      ? Array.from({ length: toBlock - fromBlock + 1 }, (_, offset) => fromBlock + offset)
      : [fromBlock, toBlock, ...logs.map((log) => log.blockNumber)];
    return { fromBlock, toBlock, head, logs, headers: await fetchHeaders(numbers), dense };
  }

  /**
   * Ranges being read ahead, in block order, contiguous: up to `readAhead` at
   * once while the one before them is decoded and written (the bound is the
   * backpressure: nothing more is asked for until a range is taken). Until a
   * range has come back, only one is asked for (its density sizes the next ones).
   * Each range is decoded as soon as it is read (its signers recovered on the
   * workers), so decoding overlaps the writing of the ranges before it.
   */
  type Pending = { fromBlock: number; toBlock: number; data: Promise<RangeData>; decoded: Promise<DecodedBatch>; ready: boolean };
  let queue: Pending[] = [];
  let densityKnown = false;

  function readAheadFrom(fromBlock: number, head: number): void {
    let next = queue.length > 0 ? queue[queue.length - 1].toBlock + 1 : fromBlock;
    const limit = densityKnown ? readAhead : 1;
    while (queue.length < limit && next <= head && !abort.signal.aborted) {
      const toBlock = Math.min(head, next + range - 1);
      const data = readRange(next, toBlock, head);
      const decoded = data.then(({ logs, headers }) =>
        decodeLogs({ safe, logs, headers, multiSendAddresses: multiSends, recoverSigners: signerPool.recover }),
      );
      const pending: Pending = { fromBlock: next, toBlock, data, decoded, ready: false };
      // Failures are handled when the range is taken; `ready` lets a write take the ranges already done along with its own.
      decoded.then(
        () => (pending.ready = true),
        () => undefined,
      );
      queue.push(pending);
      next = toBlock + 1;
    }
  }

  /** Forgets the ranges read ahead (after a refusal, a reorg or a change of the chain under the reads). */
  function dropReadAhead(): void {
    queue = [];
  }

  /** Next ranges: aim at `targetLogsPerRequest` by the density just seen, at most doubling, and below a size the provider refused lately (forgotten after a while). */
  function sizeNextRanges(fromBlock: number, toBlock: number, logs: number): void {
    if (++successes > 8) refusedAt = undefined;
    const size = toBlock - fromBlock + 1;
    const byDensity = logs > 0 ? Math.floor((size * targetLogsPerRequest) / logs) : Number.MAX_SAFE_INTEGER;
    let nextRange = Math.min(byDensity, Math.max(range, size) * 2, maxRange);
    if (refusedAt !== undefined) nextRange = Math.min(nextRange, refusedAt - 1);
    range = Math.max(1, nextRange);
    densityKnown = true;
  }

  /** Whether a range read is whole and still one chain: its ends are there, blocks near the head link up, and every log's block is the header's. */
  function rangeHolds({ fromBlock, toBlock, logs, headers, dense }: RangeData): boolean {
    if (!headers.get(fromBlock) || !headers.get(toBlock)) return false; // the chain got shorter while we read
    if (dense)
      for (let number = fromBlock + 1; number <= toBlock; number++)
        if (!linksTo(headers.get(number), headers.get(number - 1)?.hash)) return false;
    for (const log of logs)
      if (headers.get(log.blockNumber)?.hash !== log.blockHash) {
        logger.debug({ block: log.blockNumber }, "the chain changed while reading; reading the range again");
        return false;
      }
    return true;
  }

  async function step(): Promise<StepResult> {
    let waitedMs = 0;
    const waitFor = async <T>(work: Promise<T>): Promise<T> => {
      const started = performance.now();
      try {
        return await work;
      } finally {
        waitedMs += performance.now() - started;
      }
    };
    const checkpoint = unwritten ? { blockNumber: unwritten.checkpoint.number, blockHash: unwritten.checkpoint.hash } : readCheckpoint(db);
    const fromBlock = checkpoint ? checkpoint.blockNumber + 1 : startBlock;
    if (queue.length > 0 && queue[0].fromBlock !== fromBlock) dropReadAhead();
    let head: number;
    if (queue.length === 0) {
      // Nothing read ahead: look at the head, and check that the checkpoint is still on the chain.
      head = await waitFor(reads.blockNumber(rpc));
      knownHead = head;
      if (checkpoint) {
        const onChain = await waitFor(reads.blockHeader(rpc, checkpoint.blockNumber));
        if (!onChain || onChain.hash !== checkpoint.blockHash) return rollBack(head, `block ${checkpoint.blockNumber} changed`);
      }
      if (fromBlock > head) return { kind: "caught-up", head, checkpoint: fromBlock - 1 };
      readAheadFrom(fromBlock, head);
    } else head = knownHead;

    const taken = queue.shift()!;
    let data: RangeData;
    try {
      data = await waitFor(taken.data);
    } catch (error) {
      dropReadAhead();
      if (!(error instanceof RangeTooLargeError)) throw error;
      const asked = taken.toBlock - taken.fromBlock + 1;
      range = Math.max(1, Math.floor(asked / 2));
      refusedAt = refusedAt === undefined ? asked : Math.min(refusedAt, asked);
      successes = 0;
      logger.info({ fromBlock, blocks: asked, nextTry: range, err: error.shortMessage }, "the RPC refused a block range; asking for fewer blocks");
      return { kind: "retry", head, rpcMs: waitedMs };
    }
    sizeNextRanges(fromBlock, data.toBlock, data.logs.length);
    const changed = (): StepResult => (dropReadAhead(), { kind: "retry", head });
    const first = data.headers.get(fromBlock);
    if (!first) return changed(); // the chain got shorter while we read: look again
    if (checkpoint && !linksTo(first, checkpoint.blockHash)) {
      dropReadAhead();
      return rollBack(head, `block ${fromBlock} has another parent`);
    }
    if (!rangeHolds(data)) return changed();

    // Keep the reads going while this range is decoded and written.
    if (data.toBlock < data.head) readAheadFrom(data.toBlock + 1, data.head);
    let batch = await taken.decoded; // not counted as waiting on the RPC: decoding and signer recovery
    let headers = data.headers;
    let last = data.headers.get(data.toBlock)!;
    // Ranges read and decoded meanwhile go into the same transaction (fewer, larger commits when writing is what
    // bounds the backfill), each checked to continue the one before it.
    while (queue.length > 0 && batch.events < mergeEvents && !abort.signal.aborted) {
      const next = queue[0];
      if (!next.ready) {
        // In a long catch-up (more to read than the ranges asked for), a busy batch also waits for the range being read
        // after it. The tables' keys are hashes, spread over their whole indexes, so once the indexes are large each
        // transaction rewrites about one index page per row; fewer, larger transactions rewrite each page for more
        // rows, and the cost per event stays flatter as history grows. The last ranges are written as they come, so
        // their writes overlap the reads still under way.
        const longCatchUp = batch.events >= busyRange && queue[queue.length - 1].toBlock < data.head;
        if (!longCatchUp || !(await next.decoded.then(() => true, () => false))) break; // a failure is met when the range is taken
      }
      const nextData = await next.data;
      if (!linksTo(nextData.headers.get(next.fromBlock), last.hash) || !rangeHolds(nextData)) {
        dropReadAhead(); // read again after this write
        break;
      }
      queue.shift();
      sizeNextRanges(next.fromBlock, nextData.toBlock, nextData.logs.length);
      if (nextData.toBlock < nextData.head) readAheadFrom(nextData.toBlock + 1, nextData.head);
      batch = mergeBatches(batch, await next.decoded);
      headers = new Map([...headers, ...nextData.headers]);
      last = nextData.headers.get(nextData.toBlock)!;
    }
    const toBlock = last.number;

    const newTokens: TokenMetadata[] = [];
    await executions.resolve(batch); // L1 and module executions: their calls, read from their transactions
    for (const token of batch.tokenAddresses)
      if (!knownTokens.has(token.toLowerCase())) newTokens.push(await waitFor(rpc.readTokenMetadata(token as Address)));

    // Nothing to write but the checkpoint, and nothing waiting to be confirmed: kept in memory for a while.
    const quiet = followingHead && quietCheckpointEveryMs > 0 && batch.events === 0 && newTokens.length === 0 && newestRowBlock !== undefined && newestRowBlock <= confirmedThrough;
    if (quiet && (unwritten === undefined || performance.now() - unwritten.since < quietCheckpointEveryMs)) {
      unwritten = { checkpoint: last, confirmedUpTo: head - confirmations, batch, since: unwritten?.since ?? performance.now() };
      await runHook({ fromBlock, toBlock, events: 0 });
      return { kind: "batch", head, fromBlock, toBlock, events: 0, rpcMs: waitedMs, sqliteMs: 0 };
    }
    if (batch.events >= busyRange) bulk ??= beginBulkWrites(db);
    const writeStarted = performance.now();
    writeBatch(db, { batch, headers, checkpoint: last, confirmedUpTo: head - confirmations, newTokens });
    const sqliteMs = performance.now() - writeStarted;
    unwritten = undefined;
    newestRowBlock = Math.max(newestRowBlock ?? fromBlock - 1, batch.events > 0 ? toBlock : -1);
    confirmedThrough = Math.min(head - confirmations, toBlock);
    for (const token of newTokens) knownTokens.add(token.address.toLowerCase());
    await runHook({ fromBlock, toBlock, events: batch.events });
    return { kind: "batch", head, fromBlock, toBlock, events: batch.events, rpcMs: waitedMs, sqliteMs };
  }

  async function rollBack(head: number, reason: string): Promise<StepResult> {
    unwritten = undefined;
    confirmedThrough = -1;
    const ancestor = await findCommonAncestor(db, rpc);
    const { removedRows } = rollbackTo(db, ancestor);
    const rolledBackTo = ancestor?.number ?? startBlock - 1;
    logger.warn({ reason, rolledBackTo, removedRows }, "chain reorganisation: rolled back to the common ancestor");
    await runHook({ fromBlock: rolledBackTo + 1, toBlock: rolledBackTo, events: 0, rolledBackTo });
    return { kind: "reorg", head, rolledBackTo };
  }

  async function runHook(batch: IndexerBatch): Promise<void> {
    if (!onBatch) return;
    try {
      await onBatch(batch);
    } catch (error) {
      logger.warn({ err: shortMessageOf(error), ...batch }, "a batch hook failed (the batch itself is committed)");
    }
  }

  /** Steps until caught up with the head seen at the start (or stopped). */
  async function catchUp(progress: BackfillProgress): Promise<IndexerRunResult> {
    await prepare();
    const started = performance.now();
    const result: IndexerRunResult = { toBlock: -1, head: -1, batches: 0, events: 0, reorgs: 0, durationMs: 0, rpcMs: 0, sqliteMs: 0 };
    /** The first block this run wrote (for the progress shown). */
    let firstBlock: number | undefined;
    let retries = 0;
    /** Where the checkpoint is once caught up (known without reading it again). */
    let caughtUpAt: number | undefined;
    dropReadAhead();
    try {
      while (!abort.signal.aborted) {
        const outcome = await step();
        result.head = outcome.head;
        if (outcome.kind === "caught-up") {
          caughtUpAt = outcome.checkpoint;
          break;
        }
        if (outcome.kind === "retry") {
          result.rpcMs += outcome.rpcMs ?? 0;
          if (++retries > 50) throw new RpcRetryableError("The chain kept changing while the indexer read it; trying again later.");
          if (retries > 1) await sleep(Math.min(1_000, 50 * retries), abort.signal);
          continue;
        }
        retries = 0;
        if (outcome.kind === "reorg") {
          result.reorgs++;
          continue;
        }
        result.batches++;
        result.events += outcome.events;
        result.rpcMs += outcome.rpcMs;
        result.sqliteMs += outcome.sqliteMs;
        firstBlock ??= outcome.fromBlock;
        progress.update({
          blocksDone: outcome.toBlock - firstBlock + 1,
          blocksLeft: Math.max(0, outcome.head - outcome.toBlock),
          events: result.events,
        });
        // Caught up with the head this step saw: the next poll looks again (no second look at the head now).
        if (outcome.toBlock >= outcome.head) {
          caughtUpAt = outcome.toBlock;
          break;
        }
      }
    } finally {
      dropReadAhead();
      progress.finish();
      await bulk?.stop();
      bulk = undefined;
    }
    result.toBlock = caughtUpAt ?? readCheckpoint(db)?.blockNumber ?? -1;
    result.durationMs = performance.now() - started;
    return result;
  }

  const progressMode = parameters.progress ?? defaultProgressMode();

  return {
    runOnce: () => catchUp(createBackfillProgress({ logger, mode: progressMode })),
    start() {
      if (loop) return;
      loop = (async () => {
        let failures = 0;
        let backfill = true;
        while (!abort.signal.aborted) {
          try {
            const result = await catchUp(createBackfillProgress({ logger, mode: backfill ? progressMode : "off" }));
            if (backfill) logger.info({ toBlock: result.toBlock, events: result.events }, "indexer caught up; following the head");
            backfill = false;
            followingHead = true;
            failures = 0;
            await reads.nextPoll(abort.signal);
          } catch (error) {
            failures++;
            const wait = Math.min(30_000, 1_000 * 2 ** Math.min(failures - 1, 5));
            logger.error({ err: shortMessageOf(error), retryInMs: wait }, "the indexer failed; trying again");
            await sleep(wait, abort.signal);
          }
        }
      })();
    },
    async stop() {
      abort.abort();
      await loop;
      await signerPool.close();
      // Quiet blocks read since the last write: their checkpoint is written now, so a restart need not read them again.
      if (unwritten && isDatabaseOpen(db)) {
        const { checkpoint, confirmedUpTo, batch } = unwritten;
        unwritten = undefined;
        try {
          writeBatch(db, { batch, headers: new Map(), checkpoint, confirmedUpTo, newTokens: [] });
        } catch (error) {
          logger.warn({ err: shortMessageOf(error), block: checkpoint.number }, "could not write the checkpoint at the stop; those blocks are read again at the next start");
        }
      }
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    if (signal.aborted) return done();
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), done()), { once: true });
  });
}
