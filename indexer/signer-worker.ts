import { parentPort } from "node:worker_threads";
import { recoverExecutionSigners, recoveryStats } from "./signers.ts";
import type { SignerWork } from "./signer-pool.ts";

/** A worker of the signer pool: recovers the signers of a batch of executions, in order, and says how long it took. */
parentPort?.on("message", async ({ id, work }: { id: number; work: SignerWork[] }) => {
  const before = { ...recoveryStats };
  try {
    const signers = [];
    for (const item of work) signers.push(await recoverExecutionSigners(item.safeTxHash, item.signatures, item.threshold));
    parentPort!.postMessage({ id, signers, signatures: recoveryStats.signatures - before.signatures, ms: recoveryStats.ms - before.ms });
  } catch (error) {
    parentPort!.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});

/** Loaded: the pool may send work now (until then it recovers in place, so no batch waits for a worker to start). */
parentPort?.postMessage({ ready: true });
