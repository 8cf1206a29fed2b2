import type { Address } from "viem";
import { statement } from "../connection.ts";
import type { ReadableDatabase } from "../handle.ts";

export type IndexedSafeState = {
  /** In the order the Safe's `getOwners()` returns them. */
  owners: Address[];
  threshold: number;
  /** The nonce the next SafeTx must use. */
  nonce: number;
  /** The last block the answer covers. */
  blockNumber: number | null;
};

export type ReadIndexedSafeStateParameters = {
  /** The state at the end of this block. */
  blockNumber?: number;
  /** The state at this unix time (seconds). */
  time?: number;
};

/**
 * The Safe's owners, threshold and nonce as the indexed events say, now or at
 * a past block or time: SafeSetup, then each AddedOwner, RemovedOwner and
 * ChangedThreshold in chain order, replayed the way the Safe's owner list
 * changes (a new owner goes first; a RemovedOwner followed at once by an
 * AddedOwner is a swap, which keeps the position). The nonce is one past the
 * highest executed SafeTx's.
 */
export function readIndexedSafeState(db: ReadableDatabase, { blockNumber, time }: ReadIndexedSafeStateParameters = {}): IndexedSafeState {
  const limit = blockNumber ?? Number.MAX_SAFE_INTEGER;
  const until = time ?? Number.MAX_SAFE_INTEGER;
  const changes = statement(
    db,
    `SELECT kind, owner, threshold, owners, tx_hash, log_index FROM owner_changes
      WHERE safe_id = @safe AND block_number <= ? AND block_time <= ? ORDER BY block_number, log_index`,
  ).all(limit, until) as { kind: string; owner: Address | null; threshold: number | null; owners: string | null; tx_hash: string; log_index: number }[];
  let owners: Address[] = [];
  let threshold = 0;
  for (let index = 0; index < changes.length; index++) {
    const change = changes[index];
    switch (change.kind) {
      case "setup":
        owners = JSON.parse(change.owners ?? "[]") as Address[];
        threshold = change.threshold ?? 0;
        break;
      case "removed": {
        const position = owners.indexOf(change.owner as Address);
        const next = changes[index + 1];
        if (next && next.kind === "added" && next.tx_hash === change.tx_hash && next.log_index === change.log_index + 1 && position >= 0) {
          owners[position] = next.owner as Address; // swapOwner
          index++;
        } else if (position >= 0) owners.splice(position, 1);
        break;
      }
      case "added":
        owners.unshift(change.owner as Address);
        break;
      case "threshold":
        threshold = change.threshold ?? threshold;
        break;
    }
  }
  const executions = statement(db, "SELECT max(nonce) AS nonce, max(block_number) AS block FROM safe_executions WHERE safe_id = @safe AND block_number <= ? AND block_time <= ?").get(
    limit,
    until,
  ) as { nonce: number | null; block: number | null };
  const covered = statement(db, "SELECT block_number FROM checkpoint WHERE safe_id = @safe").get() as { block_number: number } | undefined;
  return {
    owners,
    threshold,
    nonce: executions.nonce === null ? 0 : executions.nonce + 1,
    blockNumber: covered ? Math.min(covered.block_number, limit) : null,
  };
}
