import type { Command } from "commander";
import { createIndexer } from "../../../indexer/indexer.ts";
import { InvalidInputError } from "../../../core/errors.ts";
import { createLogger } from "../../../core/logger.ts";
import { withTreasury } from "../session.ts";

const wholeNumber = (option: string, min: number) => (text: string) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new InvalidInputError(`${option} "${text}" is not a whole number of at least ${min}.`);
  return value;
};

/** `treasury index [--once]`: the indexer on its own (backfill, then follow the head until Ctrl-C). */
export function registerIndex(program: Command): void {
  program
    .command("index")
    .description("mirror the Safe's history from the chain into the database: backfill, then follow new blocks")
    .option("--once", "stop when caught up with the head")
    .option("--max-range <blocks>", "most blocks per eth_getLogs request (for providers that refuse large ranges)", wholeNumber("--max-range", 1))
    .option("--confirmations <blocks>", "blocks under the head before rows count as confirmed (default: CONFIRMATIONS)", wholeNumber("--confirmations", 0))
    .action((options: { once?: boolean; maxRange?: number; confirmations?: number }) =>
      withTreasury(async (ctx) => {
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
      }),
    );
}
