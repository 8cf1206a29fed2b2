import { getAddress, type Address, type Hex } from "viem";
import { statement } from "./connection.ts";
import type { ReadableDatabase, TreasuryDatabase } from "./handle.ts";

/**
 * The Safe Transaction Service sync's durable state (migration 010): the push
 * queue, proposals that came from the Safe app, signatures pulled from the
 * service, refusals, and the sync's positions. This module is the only writer
 * of the `tx_service_*` tables. Times are unix seconds given by the caller.
 */

export type TxServicePushKind = "proposal" | "signature";
export type TxServicePush = { id: number; kind: TxServicePushKind; safeTxHash: Hex; owner: Address | null; attempts: number; lastError: string | null };

type PushRow = { id: number; kind: TxServicePushKind; safe_tx_hash: string; owner: string; attempts: number; last_error: string | null };
const toPush = (row: PushRow): TxServicePush => ({
  id: row.id,
  kind: row.kind,
  safeTxHash: row.safe_tx_hash as Hex,
  owner: row.owner ? getAddress(row.owner) : null,
  attempts: row.attempts,
  lastError: row.last_error,
});

/** Queues a push unless the same (kind, proposal, owner) was ever queued. Returns true when queued now. */
export function enqueueTxServicePush(db: TreasuryDatabase, push: { kind: TxServicePushKind; safeTxHash: Hex; owner?: Address; at: number }): boolean {
  return (
    statement(db, "INSERT OR IGNORE INTO tx_service_pushes (safe_id, kind, safe_tx_hash, owner, run_after, created_at) VALUES (@safe, ?, ?, ?, ?, ?)").run(
      push.kind,
      push.safeTxHash,
      push.owner ?? "",
      push.at,
      push.at,
    ).changes > 0
  );
}

/** Pending pushes whose time has come, oldest first (proposals before their signatures). */
export function listDueTxServicePushes(db: ReadableDatabase, now: number, limit = 50): TxServicePush[] {
  return (
    statement(db, "SELECT id, kind, safe_tx_hash, owner, attempts, last_error FROM tx_service_pushes WHERE safe_id = @safe AND status = 'pending' AND run_after <= ? ORDER BY id LIMIT ?").all(
      now,
      limit,
    ) as PushRow[]
  ).map(toPush);
}

/** The push of a proposal, if one was queued, with its status. */
export function findProposalPush(db: ReadableDatabase, safeTxHash: Hex): (TxServicePush & { status: string }) | undefined {
  const row = statement(db, "SELECT id, kind, safe_tx_hash, owner, attempts, last_error, status FROM tx_service_pushes WHERE kind = 'proposal' AND safe_tx_hash = ?").get(
    safeTxHash,
  ) as (PushRow & { status: string }) | undefined;
  return row && { ...toPush(row), status: row.status };
}

/** Marks a push finished: `done` (the service has it), `skipped` (nothing to push any more) or `failed` (refused for good). */
export function finishTxServicePush(db: TreasuryDatabase, id: number, status: "done" | "skipped" | "failed", at: number, note: string | null = null): void {
  statement(db, "UPDATE tx_service_pushes SET status = ?, finished_at = ?, last_error = COALESCE(?, last_error), attempts = attempts + 1 WHERE id = ? AND status = 'pending'").run(
    status,
    at,
    note,
    id,
  );
}

/** Puts a push back to try again at `runAfter`; `countAttempt` false when it only waits for something else. */
export function retryTxServicePush(db: TreasuryDatabase, id: number, options: { runAfter: number; error: string; countAttempt?: boolean }): void {
  statement(db, "UPDATE tx_service_pushes SET run_after = ?, last_error = ?, attempts = attempts + ? WHERE id = ? AND status = 'pending'").run(
    options.runAfter,
    options.error.slice(0, 500),
    options.countAttempt === false ? 0 : 1,
    id,
  );
}

/** How many pushes wait (pending), how many failed for good, and the oldest waiting one's last error. */
export function countTxServicePushes(db: ReadableDatabase): { waiting: number; failed: number; lastError: string | null } {
  const row = statement(
    db,
    `SELECT SUM(status = 'pending') AS waiting, SUM(status = 'failed') AS failed,
            (SELECT last_error FROM tx_service_pushes WHERE safe_id = @safe AND status = 'pending' AND last_error IS NOT NULL ORDER BY id LIMIT 1) AS last_error
     FROM tx_service_pushes WHERE safe_id = @safe`,
  ).get() as { waiting: number | null; failed: number | null; last_error: string | null };
  return { waiting: row.waiting ?? 0, failed: row.failed ?? 0, lastError: row.last_error };
}

/** Remembers that a proposal was first seen in the service (queued in the Safe app). */
export function recordAppProposal(db: TreasuryDatabase, entry: { safeTxHash: Hex; serviceProposer: Address | null; origin: string | null; at: number }): void {
  statement(db, "INSERT OR IGNORE INTO tx_service_proposals (safe_tx_hash, service_proposer, origin, imported_at) VALUES (?, ?, ?, ?)").run(
    entry.safeTxHash,
    entry.serviceProposer,
    entry.origin,
    entry.at,
  );
}

/** The record of a proposal that came from the Safe app, or undefined for one made here. */
export function findAppProposal(db: ReadableDatabase, safeTxHash: string): { serviceProposer: Address | null; origin: string | null } | undefined {
  const row = statement(db, "SELECT service_proposer, origin FROM tx_service_proposals WHERE lower(safe_tx_hash) = lower(?)").get(safeTxHash) as
    | { service_proposer: string | null; origin: string | null }
    | undefined;
  return row && { serviceProposer: row.service_proposer ? getAddress(row.service_proposer) : null, origin: row.origin };
}

/** Remembers that an owner's signature came from the service (so it is never pushed back). */
export function recordPulledSignature(db: TreasuryDatabase, safeTxHash: Hex, owner: Address, at: number): void {
  statement(db, "INSERT OR IGNORE INTO tx_service_pulled_signatures (safe_tx_hash, owner, pulled_at) VALUES (?, ?, ?)").run(safeTxHash, owner, at);
}

export function wasSignaturePulled(db: ReadableDatabase, safeTxHash: Hex, owner: Address): boolean {
  return statement(db, "SELECT 1 FROM tx_service_pulled_signatures WHERE safe_tx_hash = ? AND owner = ?").get(safeTxHash, owner) !== undefined;
}

/** Records a refused signature from the service. Returns false when it was refused before (say it once). */
export function recordTxServiceRefusal(
  db: TreasuryDatabase,
  entry: { safeTxHash: Hex; signature: string; claimedOwner: string | null; reason: string; message: string; at: number },
): boolean {
  return (
    statement(db, "INSERT OR IGNORE INTO tx_service_refusals (safe_tx_hash, signature, claimed_owner, reason, message, seen_at) VALUES (?, ?, ?, ?, ?, ?)").run(
      entry.safeTxHash,
      entry.signature.toLowerCase(),
      entry.claimedOwner,
      entry.reason,
      entry.message,
      entry.at,
    ).changes > 0
  );
}

export function wasRefusedBefore(db: ReadableDatabase, safeTxHash: Hex, signature: string): boolean {
  return statement(db, "SELECT 1 FROM tx_service_refusals WHERE safe_tx_hash = ? AND signature = ?").get(safeTxHash, signature.toLowerCase()) !== undefined;
}

export type TxServiceRefusal = { safeTxHash: Hex; claimedOwner: string | null; reason: string; message: string; seenAt: number };

export function listTxServiceRefusals(db: ReadableDatabase, limit = 20): TxServiceRefusal[] {
  return (
    statement(db, "SELECT safe_tx_hash, claimed_owner, reason, message, seen_at FROM tx_service_refusals ORDER BY seen_at DESC LIMIT ?").all(limit) as {
      safe_tx_hash: Hex;
      claimed_owner: string | null;
      reason: string;
      message: string;
      seen_at: number;
    }[]
  ).map((row) => ({ safeTxHash: row.safe_tx_hash, claimedOwner: row.claimed_owner, reason: row.reason, message: row.message, seenAt: row.seen_at }));
}

export function readTxServiceState(db: ReadableDatabase, name: string): { value: string; updatedAt: number } | undefined {
  const row = statement(db, "SELECT value, updated_at FROM tx_service_state WHERE safe_id = @safe AND name = ?").get(name) as { value: string; updated_at: number } | undefined;
  return row && { value: row.value, updatedAt: row.updated_at };
}

export function writeTxServiceState(db: TreasuryDatabase, name: string, value: string, at: number): void {
  statement(db, "INSERT INTO tx_service_state (safe_id, name, value, updated_at) VALUES (@safe, ?, ?, ?) ON CONFLICT (safe_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at").run(
    name,
    value,
    at,
  );
}
