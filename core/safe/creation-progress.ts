import cliProgress from "cli-progress";
import type { Logger } from "../logger.ts";
import type { CreationSearchProgress } from "./creation-block.ts";

export type CreateCreationSearchProgressParameters = {
  logger: Logger;
  /** "bar": a progress bar on stderr; "log": a log line per stage and every few steps; "off": nothing. */
  mode: "bar" | "log" | "off";
};

/**
 * Shows the search for a Safe's creation block (the indexer's progress style):
 * which factory's event it reads, then the binary search on code as a bar
 * (steps done of at most log2(head)) or as log lines, and the block found.
 */
export function createCreationSearchProgress({ logger, mode }: CreateCreationSearchProgressParameters): (progress: CreationSearchProgress) => void {
  let bar: cliProgress.SingleBar | undefined;
  let lastLog = 0;
  return (progress) => {
    if (mode === "off") return;
    if (progress.method === "event") {
      logger.info({ factory: progress.factory, version: progress.version }, "looking for the Safe's creation in the proxy factory's ProxyCreation events");
      return;
    }
    if (progress.method === "done") {
      bar?.update(bar.getTotal(), { low: progress.block, high: progress.block });
      bar?.stop();
      bar = undefined;
      logger.info({ creationBlock: progress.block, from: progress.found === "event" ? "ProxyCreation event" : "code search" }, "found the Safe's creation block");
      return;
    }
    if (mode === "bar") {
      if (!bar) {
        bar = new cliProgress.SingleBar(
          { format: "finding the Safe's creation block |{bar}| step {value}/{total} | between blocks {low} and {high}", stream: process.stderr, hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(progress.steps, progress.step, { low: progress.low, high: progress.high });
      }
      bar.update(progress.step, { low: progress.low, high: progress.high });
      return;
    }
    if (progress.step === 0 || performance.now() - lastLog >= 2_000) {
      lastLog = performance.now();
      logger.info(
        { step: progress.step, steps: progress.steps, low: progress.low, high: progress.high, ...(progress.step === 0 ? { reason: progress.reason } : {}) },
        "finding the Safe's creation block by a search on its code",
      );
    }
  };
}
