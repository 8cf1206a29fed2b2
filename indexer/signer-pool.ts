import { availableParallelism } from "node:os";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Hex } from "viem";
import type { ExecutionSigner } from "../db/chain-mirror/records.ts";
import type { RecoveredSigner } from "./signature-recovery.ts";
import { checksummed, recoverExecutionSigners, recoveryStats } from "./signers.ts";

/** One executed SafeTx whose signers are to be recovered. */
export type SignerWork = { safeTxHash: Hex; signatures: Hex; threshold: number };

export type SignerPool = {
  /** The signers of each item, in the order given (same result as `recoverExecutionSigners` on each). */
  recover(work: readonly SignerWork[]): Promise<ExecutionSigner[][]>;
  /** Starts the workers now (they take a moment to load), so the first batch need not wait for them. */
  warm(): void;
  /** Batches recovered on a worker so far (the rest ran in place). */
  readonly stats: { batchesOnWorkers: number };
  /** Stops the workers (work in flight fails). */
  close(): Promise<void>;
};

/** Below this many signatures a batch is recovered in place: posting it to a worker costs more than it saves. */
const smallBatch = 8;

/** How long a batch waits at most for a worker to load. */
const workerLoadTimeoutMs = 10_000;

type Reply = { ready?: true; id: number; signers?: RecoveredSigner[][]; signatures?: number; ms?: number; error?: string };

/**
 * Signature recovery (ECDSA, the indexer's heaviest CPU work) on worker
 * threads, in batches, so the main thread keeps reading and writing while it
 * runs. `size` workers (default: the cores but one, at least one, at most
 * four), started on first use or `warm()`. A batch waits for workers still
 * loading (they load no viem: tens of milliseconds), which costs less than
 * recovering it on this thread. A worker is only kept referenced while it has
 * work, so an idle pool never keeps the process alive. Where workers cannot
 * start or fail, recovery runs in this thread, with the same result.
 */
export function createSignerPool({ size = Math.max(1, Math.min(4, availableParallelism() - 1)) } = {}): SignerPool {
  const here = fileURLToPath(import.meta.url);
  const script = new URL(`./signer-worker${extname(here)}`, import.meta.url);
  let workers: Slot[] | undefined;
  let failed = false;
  let nextId = 0;
  const stats = { batchesOnWorkers: 0 };
  /** `busy`: batches posted, and batches waiting for it to load. `loaded` settles once it can take work (true) or could not start (false). */
  type Slot = { worker: Worker; busy: number; ready: boolean; loaded: Promise<boolean> };
  const waiting = new Map<number, { done: (signers: ExecutionSigner[][]) => void; fail: (error: Error) => void; slot: Slot }>();

  function start(): Slot[] | undefined {
    if (failed) return undefined;
    if (workers) return workers;
    try {
      workers = Array.from({ length: size }, () => {
        let settle!: (ready: boolean) => void;
        const slot: Slot = { worker: new Worker(script), busy: 0, ready: false, loaded: new Promise((done) => (settle = done)) };
        // A worker that has not loaded by then is not waited for (batches run here until it says it is ready).
        const slowLoad = setTimeout(() => settle(false), workerLoadTimeoutMs).unref();
        // Unreferenced while idle (again once loaded: an unref before the thread is up does not always hold).
        slot.worker.unref();
        slot.worker.on("online", () => slot.busy === 0 && slot.worker.unref());
        slot.worker.on("message", (reply: Reply) => {
          if (reply.ready) {
            slot.ready = true;
            clearTimeout(slowLoad);
            settle(true);
            if (slot.busy === 0) slot.worker.unref();
            return;
          }
          const pending = waiting.get(reply.id);
          if (!pending) return;
          waiting.delete(reply.id);
          if (--pending.slot.busy === 0) pending.slot.worker.unref();
          if (reply.error !== undefined || !reply.signers) return pending.fail(new Error(`Recovering signers failed: ${reply.error}`));
          recoveryStats.signatures += reply.signatures ?? 0;
          recoveryStats.ms += reply.ms ?? 0;
          pending.done(reply.signers.map(checksummed));
        });
        const failAll = (error: Error) => {
          settle(false);
          for (const [id, pending] of waiting) if (pending.slot === slot) (waiting.delete(id), pending.fail(error));
        };
        slot.worker.on("error", failAll);
        slot.worker.on("exit", (code) => failAll(new Error(`a signer worker stopped (exit code ${code})`)));
        return slot;
      });
      return workers;
    } catch {
      failed = true;
      return undefined;
    }
  }

  function post(slot: Slot, work: readonly SignerWork[]): Promise<ExecutionSigner[][]> {
    return new Promise((done, fail) => {
      const id = ++nextId;
      waiting.set(id, { done, fail, slot });
      if (slot.busy++ === 0) slot.worker.ref();
      slot.worker.postMessage({ id, work });
    });
  }

  /** Whether the worker can take work, once it has loaded; referenced meanwhile, so the wait keeps the process alive. */
  function loading(slot: Slot): boolean | Promise<boolean> {
    if (slot.ready) return true;
    if (slot.busy++ === 0) slot.worker.ref();
    return slot.loaded.finally(() => --slot.busy === 0 && slot.worker.unref());
  }

  async function close(): Promise<void> {
    const all = workers ?? [];
    workers = undefined;
    await Promise.all(all.map(({ worker }) => worker.terminate()));
  }

  async function inPlace(work: readonly SignerWork[]): Promise<ExecutionSigner[][]> {
    const signers: ExecutionSigner[][] = [];
    for (const item of work) signers.push(await recoverExecutionSigners(item.safeTxHash, item.signatures, item.threshold));
    return signers;
  }

  return {
    async recover(work) {
      const started = work.length >= smallBatch ? start() : undefined;
      const loaded = started ? await Promise.all(started.map(loading)) : [];
      const pool = started?.filter((_, index) => loaded[index]);
      if (!pool || pool.length === 0) return inPlace(work); // small, or no worker could start
      const share = Math.ceil(work.length / pool.length);
      try {
        const parts = await Promise.all(pool.map((slot, index) => (index * share < work.length ? post(slot, work.slice(index * share, (index + 1) * share)) : [])));
        stats.batchesOnWorkers++;
        return parts.flat();
      } catch {
        // A worker that cannot load or died: stop using workers, and do the work here.
        failed = true;
        await close();
        return inPlace(work);
      }
    },
    warm() {
      start();
    },
    stats,
    close,
  };
}
