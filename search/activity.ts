import { createHash } from "node:crypto";
import {
  activityRef,
  readDirectorySources,
  removeActivityRow,
  replaceActivity,
  type ActivityKind,
  type ActivityRow,
  type ActivitySources,
  type DesiredActivity,
  type DirectorySources,
} from "../db/activity.ts";
import type { ReadableDatabase, TreasuryDatabase } from "../db/handle.ts";
import { formatAmountForPeople } from "../core/money.ts";
import { vectorsChanged } from "./binary-index.ts";
import { shortAddress } from "../core/short.ts";

export const activityKinds: readonly ActivityKind[] = ["payment", "deposit", "proposal", "message"];

type DesiredRow = DesiredActivity;

export type SyncActivityReturnType = {
  inserted: number;
  updated: number;
  deleted: number;
  /** Rows looked at: those whose sources changed since the last sync, or all of them when `full`. */
  compared: number;
  /** Every row was compared (the first sync, a reorg, a changed name, label or token symbol). */
  full: boolean;
};

/** The lookups every description needs: token symbols, address-book labels, member names. */
export function loadDirectory(db: ReadableDatabase) {
  return directoryOf(readDirectorySources(db));
}

function directoryOf(sources: DirectorySources) {
  const tokens = new Map<string, { symbol: string; decimals: number }>();
  for (const row of sources.tokens) tokens.set(row.address.toLowerCase(), { symbol: row.symbol, decimals: row.decimals });
  const book = new Map<string, { label: string; category: string | null; kind: string | null }>();
  for (const row of sources.addressBook) book.set(row.address.toLowerCase(), { label: row.label, category: row.category, kind: row.kind });
  const members = new Map<string, string>();
  const memberByKey = new Map<string, string>();
  for (const row of sources.members) {
    memberByKey.set(row.id.toLowerCase(), row.name);
    if (row.slackUserId) memberByKey.set(row.slackUserId.toLowerCase(), row.name);
  }
  for (const row of sources.walletLinks) members.set(row.address.toLowerCase(), row.name);
  const token = (address: string | null) =>
    address === null ? { symbol: sources.nativeCoin.symbol, decimals: sources.nativeCoin.decimals } : (tokens.get(address.toLowerCase()) ?? { symbol: shortAddress(address), decimals: 0 });
  /** A person's or payee's name for an address: a linked member, the address book, or the short address. */
  const nameOf = (address: string | null | undefined): string => {
    if (!address) return "unknown";
    const lower = address.toLowerCase();
    return members.get(lower) ?? book.get(lower)?.label ?? shortAddress(address);
  };
  /** The member a proposer / author key stands for (member id, Slack id or address). */
  const personOf = (key: string | null | undefined): string => {
    if (!key) return "unknown";
    return memberByKey.get(key.toLowerCase()) ?? members.get(key.toLowerCase()) ?? book.get(key.toLowerCase())?.label ?? key;
  };
  return { tokens, book, members, token, nameOf, personOf };
}

export type Directory = ReturnType<typeof loadDirectory>;


function money(amount: string, decimals: number, symbol: string): string {
  return `${formatAmountForPeople(BigInt(amount), decimals)} ${symbol}`;
}

/** Builds every activity row the sources call for, keyed by ref. */
function desiredRows(sources: ActivitySources): Map<string, DesiredRow> {
  const directory = directoryOf(sources);
  const rows = new Map<string, DesiredRow>();
  const proposals = new Map(sources.proposals.map((proposal) => [proposal.safeTxHash, proposal]));
  const transfersOf = new Map<string, ActivitySources["proposalTransfers"]>();
  for (const transfer of sources.proposalTransfers) {
    const list = transfersOf.get(transfer.safeTxHash) ?? [];
    list.push(transfer);
    transfersOf.set(transfer.safeTxHash, list);
  }
  const permalinks = new Map(sources.cardPermalinks.map((card) => [card.safeTxHash, card.permalink]));

  // Outgoing payments, as executed on-chain (a zero-value call moves nothing: it is not a payment).
  for (const row of sources.payments) {
    if (row.amount === "0") continue;
    const token = directory.token(row.token);
    const proposal = proposals.get(row.safeTxHash);
    const entry = directory.book.get(row.to.toLowerCase());
    const label = directory.nameOf(row.to);
    const category = proposal?.category ?? entry?.category ?? null;
    const memo = proposal?.memo ?? "";
    const title = `Paid ${money(row.amount, token.decimals, token.symbol)} to ${label}`;
    const body = [
      memo,
      category ? `category ${category}` : "",
      `payee ${label} ${row.to}`,
      proposal ? `proposed by ${directory.personOf(proposal.proposer)}` : "executed outside the bot",
    ]
      .filter(Boolean)
      .join(". ");
    const ref = activityRef.payment(row.safeTxHash, row.batchIndex);
    rows.set(ref, {
      ref,
      kind: "payment",
      occurredAt: row.blockTime,
      title,
      body,
      token: row.token,
      symbol: token.symbol,
      decimals: token.decimals,
      amount: row.amount,
      counterparty: row.to,
      counterpartyLabel: label,
      category,
      status: "executed",
      safeTxHash: row.safeTxHash,
      txHash: row.txHash,
      permalink: permalinks.get(row.safeTxHash) ?? null,
    });
  }

  // Money in, with the note people (or the fixture replay) left on it. Nothing in (a zero-value transfer) is not a deposit.
  const depositNotes = new Map(sources.depositNotes.map((note) => [note.txHash.toLowerCase(), note.memo]));
  for (const row of sources.deposits) {
    if (row.amount === "0") continue;
    const token = directory.token(row.token);
    const entry = directory.book.get(row.from.toLowerCase());
    const label = directory.nameOf(row.from);
    const ref = activityRef.deposit(row.txHash, row.logIndex);
    rows.set(ref, {
      ref,
      kind: "deposit",
      occurredAt: row.blockTime,
      title: `Received ${money(row.amount, token.decimals, token.symbol)} from ${label}`,
      body: [depositNotes.get(row.txHash.toLowerCase()) ?? "", `deposit from ${label} ${row.from}`, entry?.kind ? `(${entry.kind})` : "", entry?.category ? `category ${entry.category}` : ""]
        .filter(Boolean)
        .join(" "),
      token: row.token,
      symbol: token.symbol,
      decimals: token.decimals,
      amount: row.amount,
      counterparty: row.from,
      counterpartyLabel: label,
      category: entry?.category ?? null,
      status: null,
      safeTxHash: null,
      txHash: row.txHash,
      permalink: null,
    });
  }

  // Proposals, with their memo, status and intended transfers.
  for (const proposal of proposals.values()) {
    const transfers = transfersOf.get(proposal.safeTxHash) ?? [];
    const first = transfers[0];
    const token = first ? directory.token(first.token) : null;
    const parts = transfers.map((t) => {
      const tk = directory.token(t.token);
      return `${money(t.amount, tk.decimals, tk.symbol)} to ${directory.nameOf(t.to)}`;
    });
    const rejected = proposal.rejectsSafeTxHash ? proposals.get(proposal.rejectsSafeTxHash) : undefined;
    const what =
      proposal.kind === "rejection"
        ? `Rejection of proposal #${proposal.nonce}${rejected?.memo ? ` (${rejected.memo})` : ""}`
        : proposal.memo || (parts.length ? `Pay ${parts.join(", ")}` : `Transaction to ${directory.nameOf(proposal.to)}`);
    const title = `Proposal #${proposal.nonce} ${proposal.status}: ${what}`;
    const category = proposal.category ?? (first ? (directory.book.get(first.to.toLowerCase())?.category ?? null) : null);
    const body = [
      proposal.memo,
      parts.length ? `pays ${parts.join(", ")}` : "",
      category ? `category ${category}` : "",
      `status ${proposal.status}`,
      `proposed by ${directory.personOf(proposal.proposer)}`,
    ]
      .filter(Boolean)
      .join(". ");
    // The total only makes sense when every transfer is in one token.
    const oneToken = first && transfers.every((t) => (t.token ?? "") === (first.token ?? ""));
    const ref = activityRef.proposal(proposal.safeTxHash);
    rows.set(ref, {
      ref,
      kind: "proposal",
      occurredAt: proposal.createdAt,
      title,
      body,
      token: first?.token ?? null,
      symbol: token?.symbol ?? null,
      decimals: token?.decimals ?? null,
      amount: oneToken ? transfers.reduce((sum, t) => sum + BigInt(t.amount), 0n).toString() : null,
      counterparty: first?.to ?? null,
      counterpartyLabel: first ? directory.nameOf(first.to) : null,
      category,
      status: proposal.status,
      safeTxHash: proposal.safeTxHash,
      txHash: proposal.executedTxHash,
      permalink: permalinks.get(proposal.safeTxHash) ?? null,
    });
  }

  // The talk in each proposal's thread.
  for (const row of sources.messages) {
    const proposal = row.safeTxHash ? proposals.get(row.safeTxHash) : undefined;
    const author = row.authorName ?? directory.personOf(row.authorId);
    const first = proposal ? transfersOf.get(proposal.safeTxHash)?.[0] : undefined;
    const ref = activityRef.message(row.id);
    rows.set(ref, {
      ref,
      kind: "message",
      occurredAt: row.postedAt,
      title: `${author} on ${proposal ? `proposal #${proposal.nonce} (${proposal.memo || proposal.status})` : "the treasury"}`,
      body: row.text,
      token: null,
      symbol: null,
      decimals: null,
      amount: null,
      counterparty: first?.to ?? null,
      counterpartyLabel: first ? directory.nameOf(first.to) : null,
      category: proposal?.category ?? null,
      status: null,
      safeTxHash: row.safeTxHash,
      txHash: null,
      permalink: row.permalink,
    });
  }
  return rows;
}

function hashOf(row: DesiredRow): string {
  return createHash("sha1").update(JSON.stringify(row)).digest("hex");
}

/** The text an embedding is made from. */
export function embeddingText(row: Pick<ActivityRow, "title" | "body">): string {
  return `${row.title}\n${row.body}`.slice(0, 2000);
}

/**
 * Brings `activity` and its full-text index in line with the chain mirror and
 * the workflow tables: adds new rows, rewrites changed ones (a status, an
 * edited message), and removes rows whose source is gone (a rolled-back block,
 * a deleted message), in one transaction. Idempotent: a second call changes
 * nothing. Changed rows lose their embedding, so the embedding worker redoes
 * them. Call it after each indexer batch and after workflow writes.
 *
 * Its cost follows what changed since the last call, not the Safe's history:
 * only those rows are built and compared (`replaceActivity` says which).
 */
export function syncActivity(db: TreasuryDatabase): SyncActivityReturnType {
  const result = replaceActivity(db, (sources) => {
    const desired = new Map<string, DesiredRow & { contentHash: string }>();
    for (const [ref, row] of desiredRows(sources)) desired.set(ref, { ...row, contentHash: hashOf(row) });
    return desired;
  });
  if (result.vectorsChange) vectorsChanged(db, result.vectorsChange, (index) => result.removedIds.forEach((id) => index.remove(id)));
  return { inserted: result.inserted, updated: result.updated, deleted: result.deleted, compared: result.compared, full: result.full };
}

/** Removes one activity row with its index entries and vectors. */
export function removeActivity(db: TreasuryDatabase, id: number): void {
  vectorsChanged(db, removeActivityRow(db, id), (index) => index.remove(id));
}
