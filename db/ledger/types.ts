/**
 * The plain query descriptions the ledger modules turn into SQL. They speak in
 * database terms (addresses, token addresses, member keys, unix seconds, base
 * units as strings); the assistant maps its query plan onto them.
 */

/** Block time from `from` (inclusive) to `to` (exclusive), unix seconds. */
export type TimeSpan = { from: number; to: number };

/** A comparison of amounts in one token's base units. `token` null = the native coin. */
export type AmountCondition = {
  token: string | null;
  op: "gt" | "gte" | "lt" | "lte" | "eq" | "between";
  /** Base units, decimal digits. */
  value: string;
  /** Upper bound (inclusive) for "between". */
  upTo?: string;
};

/** A category: its names as stored on proposals, and the address-book addresses filed under it. */
export type CategoryCondition = { names: string[]; addresses: string[] };

/** Money that moved: payments out of the Safe (executed, batches decoded) or transfers in. */
export type MoneyQuery = {
  direction: "out" | "in";
  /** Payees (out) or senders (in): addresses. */
  counterparties?: string[];
  categories?: CategoryCondition;
  /** Token addresses; null is the native coin. */
  tokens?: (string | null)[];
  /** Any of these spans (block time). */
  spans?: TimeSpan[];
  /** Any of these (one per token, usually). */
  amounts?: AmountCondition[];
  /** Payments only: the proposal's proposer key (member id, Slack id or address). */
  proposers?: string[];
  /** Payments only: owners who approved the SafeTx (addresses). */
  approvers?: string[];
  /** Payments only: who sent the execution transaction (addresses). */
  executors?: string[];
  /** Payments only: these SafeTx hashes. */
  safeTxHashes?: string[];
};

export type MoneyRecord = {
  direction: "out" | "in";
  time: number;
  token: string | null;
  /** Base units. */
  amount: bigint;
  counterparty: string;
  /** The proposal's category (payments); null when none was given. */
  category: string | null;
  /** The proposal's memo (payments) or the deposit note (deposits). */
  memo: string | null;
  proposer: string | null;
  safeTxHash: string | null;
  txHash: string;
  blockNumber: number;
  logIndex: number;
};

export type MoneyOrder = "time_asc" | "time_desc" | "amount_desc" | "amount_asc";

export type MoneyGrouping = "none" | "month" | "counterparty" | "category" | "token";

/** One group of `aggregateMoney`, always per token. */
export type MoneyAggregate = {
  token: string | null;
  /** "2026-03" (month), an address (counterparty), `category` and `counterparty` (category), or "" (none, token). */
  key: string;
  /** For category grouping: the proposal's category (null = take the payee's). */
  category: string | null;
  counterparty: string | null;
  count: number;
  sum: bigint;
  min: bigint;
  max: bigint;
};

export type ProposalStatus = "pending" | "executed" | "failed" | "rejected" | "cancelled" | "replaced";

export type ProposalQuery = {
  statuses?: ProposalStatus[];
  /** 'payment' | 'owner_change' | 'other'; rejections are excluded unless `includeRejections`. */
  purposes?: string[];
  includeRejections?: boolean;
  proposers?: string[];
  approvers?: string[];
  executors?: string[];
  /** Payees of any of its transfers. */
  counterparties?: string[];
  categories?: CategoryCondition;
  tokens?: (string | null)[];
  amounts?: AmountCondition[];
  /** Created in any of these spans. */
  spans?: TimeSpan[];
  safeTxHashes?: string[];
  nonces?: number[];
};

export type ProposalTransferRecord = { token: string | null; to: string; amount: bigint };

export type ProposalRecord = {
  safeTxHash: string;
  nonce: number;
  status: ProposalStatus;
  kind: "payment" | "rejection";
  purpose: string;
  rejectsSafeTxHash: string | null;
  proposer: string;
  memo: string;
  category: string | null;
  createdAt: number;
  execution: { txHash: string; time: number; executor: string | null; success: boolean } | null;
  permalink: string | null;
  transfers: ProposalTransferRecord[];
};

export type ApprovalRecord = {
  safeTxHash: string;
  owner: string;
  /** Unix seconds: when signed, or the block of an on-chain approval; null when unknown. */
  time: number | null;
  source: "signature" | "executed" | "approved_hash";
  /** The name the signer was known by when the signature was collected here (a later wallet link never changes it); null otherwise. */
  signerName: string | null;
};

export type ApprovalQuery = { safeTxHashes?: string[]; owners?: string[]; spans?: TimeSpan[] };

export type MessageRecord = {
  id: number;
  safeTxHash: string | null;
  authorId: string;
  authorName: string | null;
  text: string;
  permalink: string | null;
  postedAt: number;
};

export type MessageQuery = { safeTxHashes?: string[]; authors?: string[]; spans?: TimeSpan[]; limit?: number };

export type OwnerChangeRecord = {
  kind: "setup" | "added" | "removed" | "threshold";
  owner: string | null;
  threshold: number | null;
  /** The owner list at setup (JSON array or comma-separated, as stored). */
  owners: string | null;
  time: number;
  txHash: string;
  blockNumber: number;
};
