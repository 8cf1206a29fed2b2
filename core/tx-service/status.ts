import type { TreasuryContext } from "../context.ts";
import { countTxServicePushes, listTxServiceRefusals, readTxServiceState } from "../../db/tx-service.ts";

export type TxServiceSyncStatus = {
  /** False when this treasury has never talked to the service (the sync is off or has not run yet). */
  used: boolean;
  /** Unix seconds of the last complete read of the service's queue, or null. */
  lastPullAt: number | null;
  /** Why the last read failed, when it did (cleared by the next good one). */
  lastPullError: string | null;
  /** Proposals and signatures made here that still wait to reach the service. */
  waitingToPush: number;
  /** Pushes the service refused for good. */
  refusedPushes: number;
  /** The reason the oldest waiting push is still waiting, if any. */
  waitingBecause: string | null;
  /** Signatures or transactions from the service refused here, newest first. */
  refusedFromService: Array<{ safeTxHash: string; reason: string; message: string }>;
};

/** Whether the Safe Transaction Service is in sync: the last pull, and what still waits to be pushed. Reads the database only. */
export function readTxServiceSyncStatus(ctx: Pick<TreasuryContext, "db">): TxServiceSyncStatus {
  const lastPull = readTxServiceState(ctx.db, "last_pull_at");
  const lastError = readTxServiceState(ctx.db, "last_pull_error");
  const pushes = countTxServicePushes(ctx.db);
  const refusals = listTxServiceRefusals(ctx.db, 5);
  return {
    used: lastPull !== undefined || lastError !== undefined || pushes.waiting + pushes.failed > 0,
    lastPullAt: lastPull ? Number(lastPull.value) : null,
    lastPullError: lastError?.value ? lastError.value : null,
    waitingToPush: pushes.waiting,
    refusedPushes: pushes.failed,
    waitingBecause: pushes.lastError,
    refusedFromService: refusals.map((refusal) => ({ safeTxHash: refusal.safeTxHash, reason: refusal.reason, message: refusal.message })),
  };
}
