import { createHash } from "node:crypto";
import type { TreasuryDatabase } from "../db/database.ts";
import { formatAmountForPeople } from "../core/money.ts";
import { vectorsChanged } from "./binary-index.ts";

export type ActivityKind = "payment" | "deposit" | "proposal" | "message";
export const activityKinds: readonly ActivityKind[] = ["payment", "deposit", "proposal", "message"];

/** One searchable thing, as stored in `activity`. Amounts are base units as decimal strings. */
export type ActivityRow = {
  id: number;
  ref: string;
  kind: ActivityKind;
  occurredAt: number;
  title: string;
  body: string;
  token: string | null;
  symbol: string | null;
  decimals: number | null;
  amount: string | null;
  counterparty: string | null;
  counterpartyLabel: string | null;
  category: string | null;
  status: string | null;
  safeTxHash: string | null;
  txHash: string | null;
  permalink: string | null;
};

type DesiredRow = Omit<ActivityRow, "id">;

export type SyncActivityReturnType = { inserted: number; updated: number; deleted: number; total: number };

/** The native coin's symbol and decimals for the chains we serve (all ETH-denominated). */
export const nativeToken = { symbol: "ETH", decimals: 18 } as const;

/** Row → object, for `SELECT * FROM activity`. */
export function activityFromSql(row: Record<string, unknown>): ActivityRow {
  return {
    id: Number(row.id),
    ref: row.ref as string,
    kind: row.kind as ActivityKind,
    occurredAt: Number(row.occurred_at),
    title: row.title as string,
    body: row.body as string,
    token: (row.token as string | null) ?? null,
    symbol: (row.symbol as string | null) ?? null,
    decimals: row.decimals === null || row.decimals === undefined ? null : Number(row.decimals),
    amount: (row.amount as string | null) ?? null,
    counterparty: (row.counterparty as string | null) ?? null,
    counterpartyLabel: (row.counterparty_label as string | null) ?? null,
    category: (row.category as string | null) ?? null,
    status: (row.status as string | null) ?? null,
    safeTxHash: (row.safe_tx_hash as string | null) ?? null,
    txHash: (row.tx_hash as string | null) ?? null,
    permalink: (row.permalink as string | null) ?? null,
  };
}

/** Reads the lookups every description needs: token symbols, address-book labels, member names. */
export function loadDirectory(db: TreasuryDatabase) {
  const tokens = new Map<string, { symbol: string; decimals: number }>();
  for (const row of db.prepare("SELECT address, symbol, decimals FROM tokens").all() as {
    address: string;
    symbol: string;
    decimals: number;
  }[])
    tokens.set(row.address.toLowerCase(), { symbol: row.symbol, decimals: row.decimals });
  const book = new Map<string, { label: string; category: string | null; kind: string | null }>();
  for (const row of db.prepare("SELECT address, label, category, kind FROM address_book").all() as {
    address: string;
    label: string;
    category: string | null;
    kind: string | null;
  }[])
    book.set(row.address.toLowerCase(), { label: row.label, category: row.category, kind: row.kind });
  const members = new Map<string, string>();
  const memberByKey = new Map<string, string>();
  for (const row of db.prepare("SELECT id, name, slack_user_id FROM members").all() as {
    id: string;
    name: string;
    slack_user_id: string | null;
  }[]) {
    memberByKey.set(row.id.toLowerCase(), row.name);
    if (row.slack_user_id) memberByKey.set(row.slack_user_id.toLowerCase(), row.name);
  }
  for (const row of db
    .prepare("SELECT w.address AS address, m.name AS name FROM wallet_links w JOIN members m ON m.id = w.member_id")
    .all() as { address: string; name: string }[])
    members.set(row.address.toLowerCase(), row.name);

  const token = (address: string | null) =>
    address === null ? { ...nativeToken } : (tokens.get(address.toLowerCase()) ?? { symbol: short(address), decimals: 0 });
  /** A person's or payee's name for an address: a linked member, the address book, or the short address. */
  const nameOf = (address: string | null | undefined): string => {
    if (!address) return "unknown";
    const lower = address.toLowerCase();
    return members.get(lower) ?? book.get(lower)?.label ?? short(address);
  };
  /** The member a proposer / author key stands for (member id, Slack id or address). */
  const personOf = (key: string | null | undefined): string => {
    if (!key) return "unknown";
    return memberByKey.get(key.toLowerCase()) ?? members.get(key.toLowerCase()) ?? book.get(key.toLowerCase())?.label ?? key;
  };
  return { tokens, book, members, token, nameOf, personOf };
}

export type Directory = ReturnType<typeof loadDirectory>;

function short(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

function money(amount: string, decimals: number, symbol: string): string {
  return `${formatAmountForPeople(BigInt(amount), decimals)} ${symbol}`;
}

/** Builds every activity row the source tables call for, keyed by ref. */
function desiredRows(db: TreasuryDatabase): Map<string, DesiredRow> {
  const directory = loadDirectory(db);
  const rows = new Map<string, DesiredRow>();

  type ProposalSql = {
    safe_tx_hash: string;
    nonce: number;
    kind: string;
    rejects_safe_tx_hash: string | null;
    proposer: string;
    memo: string;
    category: string | null;
    status: string;
    executed_tx_hash: string | null;
    created_at: number;
    to_address: string;
    value: string;
  };
  const proposals = new Map<string, ProposalSql>();
  for (const row of db.prepare("SELECT * FROM proposals").all() as ProposalSql[]) proposals.set(row.safe_tx_hash, row);
  const transfersOf = new Map<string, { token: string | null; to_address: string; amount: string }[]>();
  for (const row of db
    .prepare("SELECT safe_tx_hash, token, to_address, amount FROM proposal_transfers ORDER BY safe_tx_hash, batch_index")
    .all() as { safe_tx_hash: string; token: string | null; to_address: string; amount: string }[]) {
    const list = transfersOf.get(row.safe_tx_hash) ?? [];
    list.push(row);
    transfersOf.set(row.safe_tx_hash, list);
  }
  const permalinks = new Map<string, string | null>();
  for (const row of db.prepare("SELECT safe_tx_hash, permalink FROM proposal_messages").all() as {
    safe_tx_hash: string;
    permalink: string | null;
  }[])
    permalinks.set(row.safe_tx_hash, row.permalink);

  // Outgoing payments, as executed on-chain.
  for (const row of db
    .prepare(
      `SELECT p.safe_tx_hash, p.batch_index, p.token, p.to_address, p.amount, p.block_time, p.tx_hash
         FROM payments p ORDER BY p.block_number, p.log_index, p.batch_index`,
    )
    .all() as {
    safe_tx_hash: string;
    batch_index: number;
    token: string | null;
    to_address: string;
    amount: string;
    block_time: number;
    tx_hash: string;
  }[]) {
    const token = directory.token(row.token);
    const proposal = proposals.get(row.safe_tx_hash);
    const entry = directory.book.get(row.to_address.toLowerCase());
    const label = directory.nameOf(row.to_address);
    const category = proposal?.category ?? entry?.category ?? null;
    const memo = proposal?.memo ?? "";
    const title = `Paid ${money(row.amount, token.decimals, token.symbol)} to ${label}`;
    const body = [
      memo,
      category ? `category ${category}` : "",
      `payee ${label} ${row.to_address}`,
      proposal ? `proposed by ${directory.personOf(proposal.proposer)}` : "executed outside the bot",
    ]
      .filter(Boolean)
      .join(". ");
    rows.set(`payment:${row.safe_tx_hash}:${row.batch_index}`, {
      ref: `payment:${row.safe_tx_hash}:${row.batch_index}`,
      kind: "payment",
      occurredAt: row.block_time,
      title,
      body,
      token: row.token,
      symbol: token.symbol,
      decimals: token.decimals,
      amount: row.amount,
      counterparty: row.to_address,
      counterpartyLabel: label,
      category,
      status: "executed",
      safeTxHash: row.safe_tx_hash,
      txHash: row.tx_hash,
      permalink: permalinks.get(row.safe_tx_hash) ?? null,
    });
  }

  // Money in, with the note people (or the fixture replay) left on it, when that table exists.
  const depositNotes = new Map<string, string>();
  if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'deposit_notes'").get())
    for (const row of db.prepare("SELECT tx_hash, memo FROM deposit_notes").all() as { tx_hash: string; memo: string }[])
      depositNotes.set(row.tx_hash.toLowerCase(), row.memo);
  for (const row of db
    .prepare(
      `SELECT token, from_address, amount, block_time, tx_hash, log_index FROM transfers
        WHERE direction = 'in' ORDER BY block_number, log_index`,
    )
    .all() as { token: string | null; from_address: string; amount: string; block_time: number; tx_hash: string; log_index: number }[]) {
    if (row.amount === "0") continue;
    const token = directory.token(row.token);
    const entry = directory.book.get(row.from_address.toLowerCase());
    const label = directory.nameOf(row.from_address);
    rows.set(`deposit:${row.tx_hash}:${row.log_index}`, {
      ref: `deposit:${row.tx_hash}:${row.log_index}`,
      kind: "deposit",
      occurredAt: row.block_time,
      title: `Received ${money(row.amount, token.decimals, token.symbol)} from ${label}`,
      body: [depositNotes.get(row.tx_hash.toLowerCase()) ?? "", `deposit from ${label} ${row.from_address}`, entry?.kind ? `(${entry.kind})` : "", entry?.category ? `category ${entry.category}` : ""]
        .filter(Boolean)
        .join(" "),
      token: row.token,
      symbol: token.symbol,
      decimals: token.decimals,
      amount: row.amount,
      counterparty: row.from_address,
      counterpartyLabel: label,
      category: entry?.category ?? null,
      status: null,
      safeTxHash: null,
      txHash: row.tx_hash,
      permalink: null,
    });
  }

  // Proposals, with their memo, status and intended transfers.
  for (const proposal of proposals.values()) {
    const transfers = transfersOf.get(proposal.safe_tx_hash) ?? [];
    const first = transfers[0];
    const token = first ? directory.token(first.token) : null;
    const parts = transfers.map((t) => {
      const tk = directory.token(t.token);
      return `${money(t.amount, tk.decimals, tk.symbol)} to ${directory.nameOf(t.to_address)}`;
    });
    const rejected = proposal.rejects_safe_tx_hash ? proposals.get(proposal.rejects_safe_tx_hash) : undefined;
    const what =
      proposal.kind === "rejection"
        ? `Rejection of proposal #${proposal.nonce}${rejected?.memo ? ` (${rejected.memo})` : ""}`
        : proposal.memo || (parts.length ? `Pay ${parts.join(", ")}` : `Transaction to ${directory.nameOf(proposal.to_address)}`);
    const title = `Proposal #${proposal.nonce} ${proposal.status}: ${what}`;
    const category = proposal.category ?? (first ? (directory.book.get(first.to_address.toLowerCase())?.category ?? null) : null);
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
    rows.set(`proposal:${proposal.safe_tx_hash}`, {
      ref: `proposal:${proposal.safe_tx_hash}`,
      kind: "proposal",
      occurredAt: proposal.created_at,
      title,
      body,
      token: first?.token ?? null,
      symbol: token?.symbol ?? null,
      decimals: token?.decimals ?? null,
      amount: oneToken ? transfers.reduce((sum, t) => sum + BigInt(t.amount), 0n).toString() : null,
      counterparty: first?.to_address ?? null,
      counterpartyLabel: first ? directory.nameOf(first.to_address) : null,
      category,
      status: proposal.status,
      safeTxHash: proposal.safe_tx_hash,
      txHash: proposal.executed_tx_hash,
      permalink: permalinks.get(proposal.safe_tx_hash) ?? null,
    });
  }

  // The talk in each proposal's thread.
  for (const row of db
    .prepare(
      `SELECT id, safe_tx_hash, author_id, author_name, text, permalink, posted_at FROM discussion_messages
        WHERE deleted_at IS NULL ORDER BY posted_at, id`,
    )
    .all() as {
    id: number;
    safe_tx_hash: string | null;
    author_id: string;
    author_name: string | null;
    text: string;
    permalink: string | null;
    posted_at: number;
  }[]) {
    const proposal = row.safe_tx_hash ? proposals.get(row.safe_tx_hash) : undefined;
    const author = row.author_name ?? directory.personOf(row.author_id);
    const first = proposal ? transfersOf.get(proposal.safe_tx_hash)?.[0] : undefined;
    rows.set(`message:${row.id}`, {
      ref: `message:${row.id}`,
      kind: "message",
      occurredAt: row.posted_at,
      title: `${author} on ${proposal ? `proposal #${proposal.nonce} (${proposal.memo || proposal.status})` : "the treasury"}`,
      body: row.text,
      token: null,
      symbol: null,
      decimals: null,
      amount: null,
      counterparty: first?.to_address ?? null,
      counterpartyLabel: first ? directory.nameOf(first.to_address) : null,
      category: proposal?.category ?? null,
      status: null,
      safeTxHash: row.safe_tx_hash,
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
 */
export function syncActivity(db: TreasuryDatabase): SyncActivityReturnType {
  return db.transaction(() => {
    const desired = desiredRows(db);
    const existing = new Map<string, { id: number; hash: string }>();
    for (const row of db.prepare("SELECT id, ref, content_hash FROM activity").all() as {
      id: number;
      ref: string;
      content_hash: string;
    }[])
      existing.set(row.ref, { id: row.id, hash: row.content_hash });

    const upsert = db.prepare(
      `INSERT INTO activity (ref, kind, occurred_at, title, body, token, symbol, decimals, amount, counterparty,
         counterparty_label, category, status, safe_tx_hash, tx_hash, permalink, content_hash, updated_at)
       VALUES (@ref, @kind, @occurredAt, @title, @body, @token, @symbol, @decimals, @amount, @counterparty,
         @counterpartyLabel, @category, @status, @safeTxHash, @txHash, @permalink, @contentHash, unixepoch())
       ON CONFLICT (ref) DO UPDATE SET kind = excluded.kind, occurred_at = excluded.occurred_at, title = excluded.title,
         body = excluded.body, token = excluded.token, symbol = excluded.symbol, decimals = excluded.decimals,
         amount = excluded.amount, counterparty = excluded.counterparty, counterparty_label = excluded.counterparty_label,
         category = excluded.category, status = excluded.status, safe_tx_hash = excluded.safe_tx_hash,
         tx_hash = excluded.tx_hash, permalink = excluded.permalink, content_hash = excluded.content_hash,
         updated_at = excluded.updated_at
       RETURNING id`,
    );
    const ftsDelete = db.prepare("DELETE FROM activity_fts WHERE rowid = ?");
    const ftsInsert = db.prepare("INSERT INTO activity_fts (rowid, title, body) VALUES (?, ?, ?)");
    let inserted = 0;
    let updated = 0;
    for (const [ref, row] of desired) {
      const contentHash = hashOf(row);
      const current = existing.get(ref);
      if (current && current.hash === contentHash) continue;
      const { id } = upsert.get({ ...row, contentHash }) as { id: number };
      if (current) {
        ftsDelete.run(BigInt(id));
        updated++;
      } else inserted++;
      ftsInsert.run(BigInt(id), row.title, row.body);
    }
    let deleted = 0;
    for (const [ref, current] of existing) {
      if (desired.has(ref)) continue;
      removeActivity(db, current.id);
      deleted++;
    }
    return { inserted, updated, deleted, total: desired.size };
  })();
}

/** Removes one activity row with its index entries and vectors. */
export function removeActivity(db: TreasuryDatabase, id: number): void {
  const rowid = BigInt(id);
  db.prepare("DELETE FROM activity WHERE id = ?").run(rowid);
  db.prepare("DELETE FROM activity_fts WHERE rowid = ?").run(rowid);
  db.prepare("DELETE FROM activity_vectors WHERE activity_id = ?").run(rowid);
  db.prepare("DELETE FROM activity_vec_bit WHERE rowid = ?").run(rowid);
  db.prepare("DELETE FROM activity_embeddings WHERE activity_id = ?").run(rowid);
  vectorsChanged(db, (index) => index.remove(id));
}
