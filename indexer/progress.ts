import cliProgress from "cli-progress";
import type { Logger } from "../core/logger.ts";

export type BackfillProgress = {
  /** Blocks indexed so far in this backfill, and blocks still to go. */
  update(parameters: { blocksDone: number; blocksLeft: number; events: number }): void;
  finish(): void;
};

export type CreateProgressParameters = {
  logger: Logger;
  /** "bar": a progress bar on stderr; "log": a log line every few seconds; "off": nothing. */
  mode: "bar" | "log" | "off";
  /** Seconds between log lines. */
  logEverySeconds?: number;
};

/** Picks a bar when stderr is a terminal, log lines otherwise. */
export function defaultProgressMode(): "bar" | "log" {
  return process.stderr.isTTY ? "bar" : "log";
}

/**
 * Shows a long backfill's progress: blocks done, blocks left, events per second
 * and the time left at the current pace.
 */
export function createBackfillProgress({ logger, mode, logEverySeconds = 5 }: CreateProgressParameters): BackfillProgress {
  const started = performance.now();
  let bar: cliProgress.SingleBar | undefined;
  let lastLog = started;
  const figures = (blocksDone: number, blocksLeft: number, events: number) => {
    const seconds = Math.max((performance.now() - started) / 1000, 0.001);
    const eventsPerSecond = Math.round(events / seconds);
    const etaSeconds = blocksDone > 0 ? Math.round((blocksLeft * seconds) / blocksDone) : undefined;
    return { blocksDone, blocksLeft, events, eventsPerSecond, etaSeconds };
  };
  return {
    update({ blocksDone, blocksLeft, events }) {
      if (mode === "off") return;
      const now = figures(blocksDone, blocksLeft, events);
      if (mode === "bar") {
        if (!bar) {
          bar = new cliProgress.SingleBar(
            {
              format: "indexing |{bar}| {value}/{total} blocks | {events} events | {eventsPerSecond} events/s | ETA {eta_formatted}",
              stream: process.stderr,
              hideCursor: true,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(blocksDone + blocksLeft, blocksDone, { events, eventsPerSecond: now.eventsPerSecond });
        }
        bar.setTotal(blocksDone + blocksLeft);
        bar.update(blocksDone, { events, eventsPerSecond: now.eventsPerSecond });
        return;
      }
      if (performance.now() - lastLog >= logEverySeconds * 1000 || blocksLeft === 0) {
        lastLog = performance.now();
        logger.info(now, blocksLeft === 0 ? "backfill done" : "backfilling");
      }
    },
    finish() {
      bar?.stop();
      bar = undefined;
    },
  };
}
