import { checksum } from "ox/Address";
import type { Address, Hex } from "viem";
import { connectionOf, statement } from "./connection.ts";
import type { ReadableDatabase, TreasuryDatabase } from "./handle.ts";

/**
 * Proposals and what hangs on them: their intended transfers, the owners'
 * signatures, and the change log adapters follow. This module is the only
 * writer of `proposals`, `proposal_transfers`, `signatures` and
 * `proposal_updates`. Times are unix seconds given by the caller's clock.
 * Proposals are the handle's Safe's: each read finds only that Safe's, each
 * insert is stamped with it (`forSafe`). Transfers, signatures and updates hang
 * on a proposal's safeTxHash, which commits to its chain and Safe.
 */

export type ProposalStatus = "pending" | "executed" | "failed" | "rejected" | "cancelled" | "replaced";
export type ProposalKind = "payment" | "rejection" | "owner_change" | "other";
export type ProposalChange = "created" | "signed" | "executed" | "failed" | "rejected" | "cancelled" | "replaced";
export type SignatureSource = "wallet" | "key_file" | "approved_hash";

/** One intended transfer of a proposal (a batch has several). `token` null = ETH. */
export type StoredTransfer = { batchIndex: number; token: Address | null; to: Address; amount: bigint };

/** The ten fields of a SafeTx, exactly as the owners sign them. */
export type StoredSafeTx = {
  to: Address;
  value: bigint;
  data: Hex;
  operation: 0 | 1;
  safeTxGas: bigint;
  baseGas: bigint;
  gasPrice: bigint;
  gasToken: Address;
  refundReceiver: Address;
  nonce: bigint;
};

/** A proposal as stored: the SafeTx and the workflow fields around it. */
export type StoredProposal = {
  safeTxHash: Hex;
  chainId: number;
  safeAddress: Address;
  nonce: number;
  safeTx: StoredSafeTx;
  kind: ProposalKind;
  rejectsSafeTxHash: Hex | null;
  proposer: string;
  memo: string;
  category: string | null;
  status: ProposalStatus;
  reviewToken: string;
  executedTxHash: Hex | null;
  createdAt: number;
  updatedAt: number;
  transfers: StoredTransfer[];
};

/** An owner's approval, with who they were known as when they signed (a later wallet link never rewrites it). */
export type StoredSignature = { owner: Address; signature: Hex; source: SignatureSource; signerName: string | null; createdAt: number };

type ProposalRow = {
  safe_tx_hash: string;
  chain_id: number;
  safe_address: string;
  nonce: number;
  to_address: string;
  value: string;
  data: string;
  operation: number;
  safe_tx_gas: string;
  base_gas: string;
  gas_price: string;
  gas_token: string;
  refund_receiver: string;
  kind: "payment" | "rejection";
  purpose: "payment" | "owner_change" | "other";
  rejects_safe_tx_hash: string | null;
  proposer: string;
  memo: string;
  category: string | null;
  status: ProposalStatus;
  review_token: string;
  executed_tx_hash: string | null;
  created_at: number;
  updated_at: number;
};

function toProposal(db: ReadableDatabase, row: ProposalRow): StoredProposal {
  const transfers = (
    statement(db, "SELECT batch_index, token, to_address, amount FROM proposal_transfers WHERE safe_tx_hash = ? ORDER BY batch_index").all(row.safe_tx_hash) as {
      batch_index: number;
      token: string | null;
      to_address: string;
      amount: string;
    }[]
  ).map((transfer) => ({
    batchIndex: transfer.batch_index,
    token: transfer.token ? checksum(transfer.token) : null,
    to: checksum(transfer.to_address),
    amount: BigInt(transfer.amount),
  }));
  return {
    safeTxHash: row.safe_tx_hash as Hex,
    chainId: row.chain_id,
    safeAddress: checksum(row.safe_address),
    nonce: row.nonce,
    safeTx: {
      to: checksum(row.to_address),
      value: BigInt(row.value),
      data: row.data as Hex,
      operation: row.operation as 0 | 1,
      safeTxGas: BigInt(row.safe_tx_gas),
      baseGas: BigInt(row.base_gas),
      gasPrice: BigInt(row.gas_price),
      gasToken: checksum(row.gas_token),
      refundReceiver: checksum(row.refund_receiver),
      nonce: BigInt(row.nonce),
    },
    kind: row.kind === "rejection" ? "rejection" : row.purpose,
    rejectsSafeTxHash: (row.rejects_safe_tx_hash as Hex | null) ?? null,
    proposer: row.proposer,
    memo: row.memo,
    category: row.category,
    status: row.status,
    reviewToken: row.review_token,
    executedTxHash: (row.executed_tx_hash as Hex | null) ?? null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    transfers,
  };
}

/** The stored proposal with this safeTxHash (any case), or undefined. */
export function findStoredProposal(db: ReadableDatabase, safeTxHash: string): StoredProposal | undefined {
  const row = statement(db, "SELECT * FROM proposals WHERE safe_id = @safe AND lower(safe_tx_hash) = lower(?)").get(safeTxHash.trim()) as ProposalRow | undefined;
  return row && toProposal(db, row);
}

/** The stored proposals whose safeTxHash starts with `prefix` (any case), at most `limit`. */
export function findStoredProposalsByHashPrefix(db: ReadableDatabase, prefix: string, limit = 5): StoredProposal[] {
  const rows = statement(db, "SELECT * FROM proposals WHERE safe_id = @safe AND lower(safe_tx_hash) LIKE lower(?) || '%' ORDER BY nonce DESC LIMIT ?").all(prefix.trim(), limit) as ProposalRow[];
  return rows.map((row) => toProposal(db, row));
}

/**
 * The Safe (its `safes.id`) a proposal belongs to, found by its review token
 * or safeTxHash through any handle: a review page or a button finds its Safe
 * from the proposal, then reads it through that Safe's handle.
 */
export function findSafeOfProposal(db: ReadableDatabase, by: { reviewToken: string } | { safeTxHash: string }): number | undefined {
  return (
    "reviewToken" in by
      ? statement(db, "SELECT safe_id FROM proposals WHERE review_token = ?").pluck().get(by.reviewToken)
      : statement(db, "SELECT safe_id FROM proposals WHERE lower(safe_tx_hash) = lower(?)").pluck().get(by.safeTxHash.trim())
  ) as number | undefined;
}

export function findStoredProposalByReviewToken(db: ReadableDatabase, token: string): StoredProposal | undefined {
  const row = statement(db, "SELECT * FROM proposals WHERE safe_id = @safe AND review_token = ?").get(token) as ProposalRow | undefined;
  return row && toProposal(db, row);
}

/** The stored safeTxHash spelled as stored (hashes from logs may differ in case). */
export function storedSafeTxHash(db: ReadableDatabase, safeTxHash: string): Hex | undefined {
  const row = statement(db, "SELECT safe_tx_hash FROM proposals WHERE safe_id = @safe AND lower(safe_tx_hash) = lower(?)").get(safeTxHash) as { safe_tx_hash: Hex } | undefined;
  return row?.safe_tx_hash;
}

/** The highest nonce of a pending proposal at or above `fromNonce`, or null. */
export function highestPendingNonce(db: ReadableDatabase, fromNonce: number): number | null {
  const row = statement(db, "SELECT MAX(nonce) AS highest FROM proposals WHERE safe_id = @safe AND status = 'pending' AND nonce >= ?").get(fromNonce) as { highest: number | null };
  return row.highest;
}

/** Stored proposals, newest nonce first (then newest first). */
export function listStoredProposals(db: ReadableDatabase, filter: { status?: ProposalStatus; nonce?: number } = {}): StoredProposal[] {
  const where: string[] = ["safe_id = @safe"];
  const args: unknown[] = [];
  if (filter.status) {
    where.push("status = ?");
    args.push(filter.status);
  }
  if (filter.nonce !== undefined) {
    where.push("nonce = ?");
    args.push(filter.nonce);
  }
  const rows = statement(db, `SELECT * FROM proposals WHERE ${where.join(" AND ")} ORDER BY nonce DESC, created_at DESC, rowid DESC`).all(
    ...args,
  ) as ProposalRow[];
  return rows.map((row) => toProposal(db, row));
}

export type InsertProposalParameters = Omit<StoredProposal, "status" | "executedTxHash" | "createdAt" | "updatedAt" | "nonce"> & {
  createdAt: number;
  /** An approval that comes with the proposal (a rejection is created by its first signer): stored in the same transaction. */
  firstSignature?: StoredSignature;
};

/** Stores a proposal, its transfers, a `created` update and its first signature if given, all in one transaction. */
export function insertProposal(db: TreasuryDatabase, proposal: InsertProposalParameters): void {
  const { createdAt, safeTx } = proposal;
  connectionOf(db).transaction(() => {
    statement(
      db,
      `INSERT INTO proposals (safe_id, safe_tx_hash, chain_id, safe_address, nonce, to_address, value, data, operation, safe_tx_gas,
         base_gas, gas_price, gas_token, refund_receiver, kind, purpose, rejects_safe_tx_hash, proposer, memo, category,
         status, review_token, created_at, updated_at)
       VALUES (@safe, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
    ).run(
      proposal.safeTxHash,
      proposal.chainId,
      proposal.safeAddress,
      Number(safeTx.nonce),
      safeTx.to,
      safeTx.value.toString(),
      safeTx.data,
      safeTx.operation,
      safeTx.safeTxGas.toString(),
      safeTx.baseGas.toString(),
      safeTx.gasPrice.toString(),
      safeTx.gasToken,
      safeTx.refundReceiver,
      proposal.kind === "rejection" ? "rejection" : "payment",
      proposal.kind === "rejection" ? "other" : proposal.kind,
      proposal.rejectsSafeTxHash,
      proposal.proposer,
      proposal.memo,
      proposal.category,
      proposal.reviewToken,
      createdAt,
      createdAt,
    );
    const insertTransfer = statement(db, "INSERT INTO proposal_transfers (safe_tx_hash, batch_index, token, to_address, amount) VALUES (?, ?, ?, ?, ?)");
    for (const transfer of proposal.transfers)
      insertTransfer.run(proposal.safeTxHash, transfer.batchIndex, transfer.token, transfer.to, transfer.amount.toString());
    appendProposalUpdate(db, proposal.safeTxHash, "created", createdAt);
    if (proposal.firstSignature) insertSignature(db, proposal.safeTxHash, proposal.firstSignature);
  })();
}

/** Appends one row to the durable change log adapters follow (`proposal_updates`). */
export function appendProposalUpdate(db: TreasuryDatabase, safeTxHash: Hex, change: ProposalChange, at: number): void {
  statement(db, "INSERT INTO proposal_updates (safe_tx_hash, change, created_at) VALUES (?, ?, ?)").run(safeTxHash, change, at);
}

/**
 * Moves a proposal to a new status (and records the execution tx hash) with
 * its update row, only if it is in one of `from`. Returns true if it changed.
 */
export function setProposalStatus(
  db: TreasuryDatabase,
  safeTxHash: Hex,
  status: ProposalStatus,
  options: { at: number; from?: ProposalStatus[]; executedTxHash?: Hex | null },
): boolean {
  const from = options.from ?? ["pending"];
  return connectionOf(db).transaction(() => {
    const result = statement(
      db,
      `UPDATE proposals SET status = ?, executed_tx_hash = COALESCE(?, executed_tx_hash), updated_at = ?
       WHERE safe_id = @safe AND safe_tx_hash = ? AND status IN (${from.map(() => "?").join(", ")})`,
    ).run(status, options.executedTxHash ?? null, options.at, safeTxHash, ...from);
    if (result.changes === 0) return false;
    appendProposalUpdate(db, safeTxHash, status === "pending" ? "created" : status, options.at);
    return true;
  })();
}

/** Signatures stored for a proposal, by owner address. */
export function listSignatures(db: ReadableDatabase, safeTxHash: Hex): StoredSignature[] {
  return (
    statement(db, "SELECT owner, signature, source, signer_name, created_at FROM signatures WHERE safe_tx_hash = ? ORDER BY created_at, owner").all(safeTxHash) as {
      owner: string;
      signature: string;
      source: SignatureSource;
      signer_name: string | null;
      created_at: number;
    }[]
  ).map((row) => ({ owner: checksum(row.owner), signature: row.signature as Hex, source: row.source, signerName: row.signer_name, createdAt: row.created_at }));
}

/** Stores one owner's signature and a `signed` update, in one transaction. Returns false if that owner's is already stored. */
export function insertSignature(db: TreasuryDatabase, safeTxHash: Hex, signature: StoredSignature): boolean {
  return connectionOf(db).transaction(() => {
    const result = statement(db, "INSERT OR IGNORE INTO signatures (safe_tx_hash, owner, signature, source, signer_name, created_at) VALUES (?, ?, ?, ?, ?, ?)").run(
      safeTxHash,
      signature.owner,
      signature.signature,
      signature.source,
      signature.signerName,
      signature.createdAt,
    );
    if (result.changes === 0) return false;
    appendProposalUpdate(db, safeTxHash, "signed", signature.createdAt);
    return true;
  })();
}

export type ProposalUpdate = { id: number; safeTxHash: Hex; change: ProposalChange; createdAt: number };

/** Changes after `cursor` (an update id), oldest first: adapters follow proposals with this. */
export function listProposalUpdates(db: ReadableDatabase, { after = 0, limit = 100, safeId }: { after?: number; limit?: number; safeId?: number } = {}): ProposalUpdate[] {
  const ofSafe = safeId === undefined ? "" : " AND EXISTS (SELECT 1 FROM proposals p WHERE p.safe_id = ? AND lower(p.safe_tx_hash) = lower(u.safe_tx_hash))";
  const params = safeId === undefined ? [after, limit] : [after, safeId, limit];
  return (
    statement(db, `SELECT u.id, u.safe_tx_hash, u.change, u.created_at FROM proposal_updates u WHERE u.id > ?${ofSafe} ORDER BY u.id LIMIT ?`).all(...params) as {
      id: number;
      safe_tx_hash: string;
      change: ProposalChange;
      created_at: number;
    }[]
  ).map((row) => ({ id: row.id, safeTxHash: row.safe_tx_hash as Hex, change: row.change, createdAt: row.created_at }));
}

/** The id of the newest change, or 0. */
export function lastProposalUpdateId(db: ReadableDatabase): number {
  const row = statement(db, "SELECT MAX(id) AS id FROM proposal_updates").get() as { id: number | null };
  return row.id ?? 0;
}

/** Pending proposals on the same nonce as this one (other than it): a nonce conflict. Rejections do not conflict with what they reject. */
export function listNonceRivals(db: ReadableDatabase, proposal: Pick<StoredProposal, "safeTxHash" | "nonce" | "safeAddress" | "kind">): { safeTxHash: Hex; memo: string }[] {
  if (proposal.kind === "rejection") return [];
  return statement(
    db,
    "SELECT safe_tx_hash AS safeTxHash, memo FROM proposals WHERE safe_id = @safe AND nonce = ? AND status = 'pending' AND safe_tx_hash != ? AND safe_address = ? AND kind != 'rejection'",
  ).all(proposal.nonce, proposal.safeTxHash, proposal.safeAddress) as { safeTxHash: Hex; memo: string }[];
}

/** On-chain `approveHash` approvals of pending proposals that are not stored as signatures yet. */
export function listUnrecordedOnChainApprovals(db: ReadableDatabase): { safeTxHash: Hex; owner: Address }[] {
  return (
    statement(
      db,
      `SELECT DISTINCT p.safe_tx_hash, a.owner FROM approved_hashes a
       JOIN proposals p ON p.safe_id = a.safe_id AND lower(p.safe_tx_hash) = lower(a.approved_hash)
       WHERE a.safe_id = @safe AND p.status = 'pending'
         AND NOT EXISTS (SELECT 1 FROM signatures s WHERE s.safe_tx_hash = p.safe_tx_hash AND s.owner = a.owner)`,
    ).all() as { safe_tx_hash: Hex; owner: string }[]
  ).map((row) => ({ safeTxHash: row.safe_tx_hash, owner: checksum(row.owner) }));
}

export type ExecutionOnPendingNonce = { safeTxHash: Hex; nonce: number; success: boolean; txHash: Hex; to: Address; value: bigint; data: Hex; proposalStatus: ProposalStatus | null };

/** Indexed executions on nonces that still have pending proposals (they settle those proposals), by nonce. */
export function listExecutionsOnPendingNonces(db: ReadableDatabase): ExecutionOnPendingNonce[] {
  return (
    statement(
      db,
      `SELECT e.safe_tx_hash, e.nonce, e.success, e.tx_hash, e.to_address, e.value, e.data, p.status AS proposal_status
       FROM safe_executions e
       LEFT JOIN proposals p ON p.safe_id = e.safe_id AND lower(p.safe_tx_hash) = lower(e.safe_tx_hash)
       WHERE e.safe_id = @safe AND EXISTS (SELECT 1 FROM proposals q WHERE q.safe_id = e.safe_id AND q.nonce = e.nonce AND q.status = 'pending')
       ORDER BY e.nonce`,
    ).all() as { safe_tx_hash: Hex; nonce: number; success: number; tx_hash: Hex; to_address: string; value: string; data: Hex; proposal_status: ProposalStatus | null }[]
  ).map((row) => ({
    safeTxHash: row.safe_tx_hash,
    nonce: row.nonce,
    success: row.success === 1,
    txHash: row.tx_hash,
    to: checksum(row.to_address),
    value: BigInt(row.value),
    data: row.data,
    proposalStatus: row.proposal_status,
  }));
}

/**
 * The categories in use (the workspace's address book and the Safe's proposals), most used first, at
 * most `limit`; spellings that differ only in case count as one category,
 * named by its least spelling.
 */
export function listCategories(db: ReadableDatabase, limit = 100): string[] {
  const rows = statement(
    db,
    `SELECT MIN(category) AS category, SUM(n) AS uses, lower(category) AS folded FROM (
       SELECT trim(category) AS category, COUNT(*) AS n FROM address_book WHERE workspace = @workspace AND trim(coalesce(category, '')) != '' GROUP BY trim(category)
       UNION ALL
       SELECT trim(category) AS category, COUNT(*) AS n FROM proposals WHERE safe_id = @safe AND trim(coalesce(category, '')) != '' GROUP BY trim(category)
     ) AS spellings GROUP BY lower(category) ORDER BY uses DESC, folded LIMIT ?`,
  ).all(limit) as Array<{ category: string }>;
  return rows.map((row) => row.category);
}
