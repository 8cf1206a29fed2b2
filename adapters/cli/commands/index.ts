import { createIndexer } from "../../../indexer/indexer.ts";
import { createLogger } from "../../../core/logger.ts";
import { withTreasury } from "../session.ts";

export type IndexOptions = { once?: boolean; maxRange?: number; confirmations?: number };

/** `treasury index [--once]`: the indexer on its own (backfill, then follow the head until Ctrl-C). */
export function indexCommand(options: IndexOptions): Promise<void> {
  return withTreasury(async (ctx) => {
    // Progress: a bar on a terminal, else log lines on stderr (at info, whatever LOG_LEVEL the CLI runs at).
    const logger = process.stderr.isTTY ? ctx.logger : createLogger(process.env.LOG_LEVEL ?? "info", process.stderr as never);
    const indexer = createIndexer({
      ctx: { ...ctx, logger },
      confirmations: options.confirmations,
      maxRange: options.maxRange,
      initialRange: options.maxRange,
    });
    if (options.once) {
      const result = await indexer.runOnce();
      console.log(
        `Indexed up to block ${result.toBlock} (head ${result.head}): ${result.events} events in ${result.batches} batches, ` +
          `${(result.durationMs / 1000).toFixed(1)} s${result.reorgs ? `, ${result.reorgs} reorg(s) rolled back` : ""}.`,
      );
      return;
    }
    indexer.start();
    console.error("Indexing; following the head. Ctrl-C stops.");
    await new Promise<void>((done) => {
      const stop = () => void indexer.stop().then(done);
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
  });
}
