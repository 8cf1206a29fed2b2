import { parentPort } from "node:worker_threads";
import { recoverOwners, recoveryStats, type RecoveredSigner } from "./signature-recovery.ts";
import type { SignerWork } from "./signer-pool.ts";

/**
 * A worker of the signer pool: recovers the signers of a batch of executions,
 * in order (owners in lower case: the pool checksums them), and says how long
 * it took. It loads no viem unless a rare signature needs it.
 */
parentPort?.on("message", async ({ id, work }: { id: number; work: SignerWork[] }) => {
  const before = { ...recoveryStats };
  try {
    const signers: RecoveredSigner[][] = [];
    for (const item of work) signers.push(await recoverOwners(item.safeTxHash, item.signatures, item.threshold));
    parentPort!.postMessage({ id, signers, signatures: recoveryStats.signatures - before.signatures, ms: recoveryStats.ms - before.ms });
  } catch (error) {
    parentPort!.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});

/** Loaded: the pool may send work now (until then it recovers in place, so no batch waits for a worker to start). */
parentPort?.postMessage({ ready: true });
