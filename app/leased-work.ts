import { shortMessageOf } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import type { TreasuryDatabase } from "../db/handle.ts";
import { releaseLease, tryTakeLeases } from "../db/leases.ts";
import { isDatabaseOpen } from "../db/open.ts";

/** A part that one process at a time may run (an indexer of one Safe, the embedding worker). */
export type LeasedPart = {
  /** The lease's name, unique in the deployment (e.g. `indexer:31337:0xSafe`). */
  lease: string;
  /** Starts the part once this process holds the lease; returns how to stop it. */
  start: () => { stop: () => Promise<void> | void };
};

export type RunLeasedPartsParameters = {
  db: TreasuryDatabase;
  logger: Logger;
  parts: LeasedPart[];
  /** How often a part whose lease another process holds is tried again. */
  retryMs: number;
};

/**
 * Runs each part in exactly one process of the deployment: this process tries each part's lease now and every
 * `retryMs` after, and starts the part once it holds the lease; it keeps the lease until `stop` (or until it dies,
 * when PostgreSQL releases it and another process takes the part over within its `retryMs`).
 */
export function runLeasedParts({ db, logger, parts: given, retryMs }: RunLeasedPartsParameters): {
  held: () => string[];
  /** Adds a part (e.g. the indexer of a Safe registered meanwhile) and tries its lease at once. */
  add: (part: LeasedPart) => void;
  stop: () => Promise<void>;
} {
  const parts = [...given];
  const running = new Map<string, { stop: () => Promise<void> | void }>();
  let stopped = false;
  const tryAll = () => {
    if (stopped || !isDatabaseOpen(db)) return;
    const waiting = parts.filter((part) => !running.has(part.lease));
    if (waiting.length === 0) return;
    let taken: Set<string>;
    try {
      // All in one round trip: a process waiting on many leases (a Safe each) asks for them together.
      taken = new Set(tryTakeLeases(db, waiting.map((part) => part.lease)));
    } catch (error) {
      logger.warn({ leases: waiting.length, err: shortMessageOf(error) }, "could not take leases; will try again");
      return;
    }
    for (const part of waiting) {
      if (!taken.has(part.lease)) continue;
      try {
        logger.info({ lease: part.lease }, "lease taken: this process runs it now");
        running.set(part.lease, part.start());
      } catch (error) {
        // The part did not start: give its lease back, for this process or another to try again.
        logger.warn({ lease: part.lease, err: shortMessageOf(error) }, "a part whose lease was taken did not start; will try again");
        if (isDatabaseOpen(db)) releaseLease(db, part.lease);
      }
    }
  };
  tryAll();
  const timer = setInterval(tryAll, retryMs);
  return {
    held: () => [...running.keys()],
    add: (part) => {
      if (parts.some((known) => known.lease === part.lease)) return;
      parts.push(part);
      tryAll();
    },
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      for (const [lease, part] of running) {
        await part.stop();
        if (isDatabaseOpen(db)) releaseLease(db, lease);
      }
      running.clear();
    },
  };
}
