import type { TreasuryContext } from "../core/context.ts";
import { shortMessageOf } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import { reconcileProposals } from "../core/proposals/reconcile.ts";
import type { IndexerBatchHook } from "../indexer/indexer.ts";
import { syncActivity } from "../search/activity.ts";

export type SafeBatchHooksParameters = {
  safe: TreasuryContext;
  logger: Logger;
  /**
   * A batch with none of the Safe's events (a new block that is another Safe's, or no one's) changes neither the
   * proposals' on-chain state nor the chain's part of the activity; only what other writers added meanwhile (the talk
   * in threads, deposit notes, a proposal made elsewhere). Such batches run the hooks at most once per this many
   * milliseconds (0: after every batch). Batches with events and rollbacks always run them.
   */
  quietBatchEveryMs?: number;
  /** Run after the Safe's own work (e.g. wake the Slack worker). */
  then?: IndexerBatchHook[];
};

/**
 * What runs after each committed indexer batch of one Safe (and after a reorg rollback), in order: proposals
 * executed, failed, rejected or replaced on-chain (also by other apps) and on-chain approveHash approvals; then the
 * searchable activity (payments, deposits, proposals and discussion); then `then`. A failing step is logged and the
 * next runs: the batch itself is committed already.
 */
export function safeBatchHooks({ safe, logger, quietBatchEveryMs = 0, then = [] }: SafeBatchHooksParameters): IndexerBatchHook {
  let lastRun = Number.NEGATIVE_INFINITY;
  const steps: IndexerBatchHook[] = [() => void reconcileProposals(safe), () => void syncActivity(safe.db), ...then];
  return async (batch) => {
    const quiet = batch.events === 0 && batch.rolledBackTo === undefined;
    if (quiet && performance.now() - lastRun < quietBatchEveryMs) return;
    lastRun = performance.now();
    for (const step of steps)
      await Promise.resolve()
        .then(() => step(batch))
        .catch((error) => logger.warn({ err: shortMessageOf(error), safe: safe.safeAddress, ...batch }, "a batch hook failed"));
  };
}
