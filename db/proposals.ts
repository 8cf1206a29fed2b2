import { getAddress, type Address, type Hex } from "viem";
import type { TreasuryDatabase } from "./database.ts";
import type { SafeOperation, SafeTx } from "../core/safe/safe-tx.ts";
import { ProposalNotFoundError } from "../core/proposals/errors.ts";

export type ProposalStatus = "pending" | "executed" | "failed" | "rejected" | "cancelled" | "replaced";
export type ProposalKind = "payment" | "rejection" | "owner_change" | "other";
export type ProposalChange = "created" | "signed" | "executed" | "failed" | "rejected" | "cancelled" | "replaced";
export type SignatureSource = "wallet" | "key_file" | "approved_hash";

/** One intended transfer of a proposal (a batch has several). `token` null = ETH. */
export type StoredTransfer = { batchIndex: number; token: Address | null; to: Address; amount: bigint };

/** A proposal as stored: the SafeTx and the workflow fields around it. */
export type StoredProposal = {
  safeTxHash: Hex;
  chainId: number;
  safeAddress: Address;
  nonce: number;
  safeTx: SafeTx;
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

export type StoredSignature = { owner: Address; signature: Hex; source: SignatureSource; createdAt: number };

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

const now = () => Math.floor(Date.now() / 1000);

function toProposal(db: TreasuryDatabase, row: ProposalRow): StoredProposal {
  const transfers = (
    db.prepare("SELECT batch_index, token, to_address, amount FROM proposal_transfers WHERE safe_tx_hash = ? ORDER BY batch_index").all(row.safe_tx_hash) as {
      batch_index: number;
      token: string | null;
      to_address: string;
      amount: string;
    }[]
  ).map((transfer) => ({
    batchIndex: transfer.batch_index,
    token: transfer.token ? getAddress(transfer.token) : null,
    to: getAddress(transfer.to_address),
    amount: BigInt(transfer.amount),
  }));
  return {
    safeTxHash: row.safe_tx_hash as Hex,
    chainId: row.chain_id,
    safeAddress: getAddress(row.safe_address),
    nonce: row.nonce,
    safeTx: {
      to: getAddress(row.to_address),
      value: BigInt(row.value),
      data: row.data as Hex,
      operation: row.operation as SafeOperation,
      safeTxGas: BigInt(row.safe_tx_gas),
      baseGas: BigInt(row.base_gas),
      gasPrice: BigInt(row.gas_price),
      gasToken: getAddress(row.gas_token),
      refundReceiver: getAddress(row.refund_receiver),
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
export function findStoredProposal(db: TreasuryDatabase, safeTxHash: string): StoredProposal | undefined {
  const row = db.prepare("SELECT * FROM proposals WHERE lower(safe_tx_hash) = lower(?)").get(safeTxHash.trim()) as ProposalRow | undefined;
  return row && toProposal(db, row);
}

/** The stored proposal with this safeTxHash; throws `ProposalNotFoundError`. */
export function loadStoredProposal(db: TreasuryDatabase, safeTxHash: string): StoredProposal {
  const proposal = findStoredProposal(db, safeTxHash);
  if (!proposal) throw new ProposalNotFoundError(`No proposal with safeTxHash ${safeTxHash}.`);
  return proposal;
}

export function findStoredProposalByReviewToken(db: TreasuryDatabase, token: string): StoredProposal | undefined {
  const row = db.prepare("SELECT * FROM proposals WHERE review_token = ?").get(token) as ProposalRow | undefined;
  return row && toProposal(db, row);
}

/** Stored proposals, newest nonce first (then newest first). */
export function listStoredProposals(db: TreasuryDatabase, filter: { status?: ProposalStatus; nonce?: number } = {}): StoredProposal[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (filter.status) {
    where.push("status = ?");
    args.push(filter.status);
  }
  if (filter.nonce !== undefined) {
    where.push("nonce = ?");
    args.push(filter.nonce);
  }
  const rows = db
    .prepare(`SELECT * FROM proposals ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY nonce DESC, created_at DESC, rowid DESC`)
    .all(...args) as ProposalRow[];
  return rows.map((row) => toProposal(db, row));
}

export type InsertProposalParameters = Omit<StoredProposal, "status" | "executedTxHash" | "createdAt" | "updatedAt" | "nonce"> & {
  createdAt?: number;
  /** An approval that comes with the proposal (a rejection is created by its first signer): stored in the same transaction. */
  firstSignature?: Omit<StoredSignature, "createdAt">;
};

/** Stores a proposal, its transfers, a `created` update and its first signature if given, all in one transaction. */
export function insertProposal(db: TreasuryDatabase, proposal: InsertProposalParameters): void {
  const createdAt = proposal.createdAt ?? now();
  const { safeTx } = proposal;
  db.transaction(() => {
    db.prepare(
      `INSERT INTO proposals (safe_tx_hash, chain_id, safe_address, nonce, to_address, value, data, operation, safe_tx_gas,
         base_gas, gas_price, gas_token, refund_receiver, kind, purpose, rejects_safe_tx_hash, proposer, memo, category,
         status, review_token, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
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
    const insertTransfer = db.prepare(
      "INSERT INTO proposal_transfers (safe_tx_hash, batch_index, token, to_address, amount) VALUES (?, ?, ?, ?, ?)",
    );
    for (const transfer of proposal.transfers)
      insertTransfer.run(proposal.safeTxHash, transfer.batchIndex, transfer.token, transfer.to, transfer.amount.toString());
    appendProposalUpdate(db, proposal.safeTxHash, "created");
    if (proposal.firstSignature) insertSignature(db, proposal.safeTxHash, proposal.firstSignature);
  })();
}

/** Appends one row to the durable change log adapters follow (`proposal_updates`). */
export function appendProposalUpdate(db: TreasuryDatabase, safeTxHash: Hex, change: ProposalChange): void {
  db.prepare("INSERT INTO proposal_updates (safe_tx_hash, change, created_at) VALUES (?, ?, ?)").run(safeTxHash, change, now());
}

/**
 * Moves a proposal to a new status (and records the execution tx hash) with
 * its update row, only if it is in one of `from`. Returns true if it changed.
 */
export function setProposalStatus(
  db: TreasuryDatabase,
  safeTxHash: Hex,
  status: ProposalStatus,
  options: { from?: ProposalStatus[]; executedTxHash?: Hex | null } = {},
): boolean {
  const from = options.from ?? ["pending"];
  return db.transaction(() => {
    const result = db
      .prepare(
        `UPDATE proposals SET status = ?, executed_tx_hash = COALESCE(?, executed_tx_hash), updated_at = ?
         WHERE safe_tx_hash = ? AND status IN (${from.map(() => "?").join(", ")})`,
      )
      .run(status, options.executedTxHash ?? null, now(), safeTxHash, ...from);
    if (result.changes === 0) return false;
    appendProposalUpdate(db, safeTxHash, status === "pending" ? "created" : status);
    return true;
  })();
}

/** Signatures stored for a proposal, by owner address. */
export function listSignatures(db: TreasuryDatabase, safeTxHash: Hex): StoredSignature[] {
  return (
    db.prepare("SELECT owner, signature, source, created_at FROM signatures WHERE safe_tx_hash = ? ORDER BY created_at, owner").all(safeTxHash) as {
      owner: string;
      signature: string;
      source: SignatureSource;
      created_at: number;
    }[]
  ).map((row) => ({ owner: getAddress(row.owner), signature: row.signature as Hex, source: row.source, createdAt: row.created_at }));
}

/** Stores one owner's signature and a `signed` update, in one transaction. Returns false if that owner's is already stored. */
export function insertSignature(db: TreasuryDatabase, safeTxHash: Hex, signature: Omit<StoredSignature, "createdAt">): boolean {
  return db.transaction(() => {
    const result = db
      .prepare("INSERT OR IGNORE INTO signatures (safe_tx_hash, owner, signature, source, created_at) VALUES (?, ?, ?, ?, ?)")
      .run(safeTxHash, signature.owner, signature.signature, signature.source, now());
    if (result.changes === 0) return false;
    appendProposalUpdate(db, safeTxHash, "signed");
    return true;
  })();
}

export type ProposalUpdate = { id: number; safeTxHash: Hex; change: ProposalChange; createdAt: number };

/** Changes after `cursor` (an update id), oldest first: adapters follow proposals with this. */
export function listProposalUpdates(db: TreasuryDatabase, { after = 0, limit = 100 }: { after?: number; limit?: number } = {}): ProposalUpdate[] {
  return (
    db.prepare("SELECT id, safe_tx_hash, change, created_at FROM proposal_updates WHERE id > ? ORDER BY id LIMIT ?").all(after, limit) as {
      id: number;
      safe_tx_hash: string;
      change: ProposalChange;
      created_at: number;
    }[]
  ).map((row) => ({ id: row.id, safeTxHash: row.safe_tx_hash as Hex, change: row.change, createdAt: row.created_at }));
}
