import { getAddress } from "viem";
import { loadDirectory, nativeToken, type Directory } from "../search/activity.ts";
import type { ReadableDatabase as TreasuryDatabase } from "../db/handle.ts";
import { connectionOf } from "../db/connection.ts";

/** Read-only queries the assistant's tools share. Amounts come back as bigint base units. */

export type Counterparty = { label: string; addresses: string[] };

const isAddress = (text: string) => /^0x[0-9a-fA-F]{40}$/.test(text.trim());
const normal = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();

/**
 * Resolves a payee or sender name to addresses: an address as given, an
 * address-book label or a member's name (exact, then the words of the name
 * contained in the label, then a label starting with it). Undefined when
 * nothing matches.
 */
export function resolveCounterparty(db: TreasuryDatabase, text: string): Counterparty | undefined {
  const wanted = text.trim();
  if (!wanted) return undefined;
  const directory = loadDirectory(db);
  if (isAddress(wanted)) return { label: directory.nameOf(wanted), addresses: [getAddress(wanted)] };
  const entries: { label: string; address: string }[] = [];
  for (const [address, entry] of directory.book) entries.push({ label: entry.label, address });
  const memberRows = connectionOf(db)
    .prepare("SELECT m.name AS name, w.address AS address FROM members m JOIN wallet_links w ON w.member_id = m.id")
    .all() as { name: string; address: string }[];
  for (const row of memberRows) entries.push({ label: row.name, address: row.address.toLowerCase() });
  const target = normal(wanted);
  const pick = (test: (label: string) => boolean) => {
    const found = entries.filter((entry) => test(normal(entry.label)));
    if (found.length === 0) return undefined;
    // Prefer the shortest label (the canonical entry over "X (new address?)").
    found.sort((a, b) => a.label.length - b.label.length);
    const best = found[0];
    const same = found.filter((entry) => entry.label === best.label);
    return { label: best.label, addresses: [...new Set(same.map((entry) => getAddress(entry.address)))] };
  };
  return (
    pick((label) => label === target) ??
    pick((label) => label.replace(/\s*\(.*$/, "") === target) ??
    pick((label) => ` ${label} `.includes(` ${target} `)) ??
    pick((label) => label.startsWith(target))
  );
}

export type MoneyRow = {
  direction: "in" | "out";
  time: number;
  token: string | null;
  symbol: string;
  decimals: number;
  amount: bigint;
  counterparty: string;
  label: string;
  category: string | null;
  memo: string;
  safeTxHash: string | null;
  txHash: string;
  blockNumber: number;
};

export type MoneyFilters = {
  direction: "in" | "out";
  counterparties?: string[];
  category?: string;
  token?: string;
  from?: number;
  to?: number;
};

function tokenMatches(row: { token: string | null; symbol: string }, wanted: string | undefined): boolean {
  if (!wanted) return true;
  if (isAddress(wanted)) return (row.token ?? "").toLowerCase() === wanted.toLowerCase();
  const symbol = wanted.toUpperCase();
  if (row.token === null && (symbol === "ETH" || symbol === "ETHER")) return true;
  return row.symbol.toUpperCase() === symbol;
}

/**
 * Money that moved, as indexed: payments out of the Safe (decoded from its
 * executed transactions, batches included) or transfers into it. Category is
 * the proposal's, else the address book's.
 */
export function moneyRows(db: TreasuryDatabase, filters: MoneyFilters, directory: Directory = loadDirectory(db)): MoneyRow[] {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filters.from !== undefined) {
    clauses.push("block_time >= ?");
    params.push(filters.from);
  }
  if (filters.to !== undefined) {
    clauses.push("block_time < ?");
    params.push(filters.to);
  }
  const where = clauses.length ? `AND ${clauses.join(" AND ")}` : "";
  const rows: MoneyRow[] = [];
  if (filters.direction === "out") {
    const sql = `SELECT p.safe_tx_hash, p.token, p.to_address AS counterparty, p.amount, p.block_time, p.tx_hash, p.block_number,
                        pr.memo AS memo, pr.category AS category
                   FROM payments p LEFT JOIN proposals pr ON pr.safe_tx_hash = p.safe_tx_hash
                  WHERE 1 ${where.replaceAll("block_time", "p.block_time")}
                  ORDER BY p.block_number, p.log_index, p.batch_index`;
    for (const row of connectionOf(db).prepare(sql).all(...params) as Record<string, any>[]) rows.push(toRow("out", row, directory));
  } else {
    const sql = `SELECT NULL AS safe_tx_hash, token, from_address AS counterparty, amount, block_time, tx_hash, block_number,
                        NULL AS memo, NULL AS category
                   FROM transfers WHERE direction = 'in' ${where} ORDER BY block_number, log_index`;
    const notes = new Map<string, string>();
    if (connectionOf(db).prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'deposit_notes'").get())
      for (const row of connectionOf(db).prepare("SELECT tx_hash, memo FROM deposit_notes").all() as { tx_hash: string; memo: string }[])
        notes.set(row.tx_hash.toLowerCase(), row.memo);
    for (const row of connectionOf(db).prepare(sql).all(...params) as Record<string, any>[]) {
      if (row.amount === "0") continue;
      rows.push(toRow("in", { ...row, memo: notes.get(String(row.tx_hash).toLowerCase()) ?? null }, directory));
    }
  }
  const wantedCounterparties = filters.counterparties?.map((address) => address.toLowerCase());
  return rows.filter(
    (row) =>
      tokenMatches(row, filters.token) &&
      (!wantedCounterparties || wantedCounterparties.includes(row.counterparty.toLowerCase())) &&
      (!filters.category || (row.category ?? "").toLowerCase() === filters.category.toLowerCase()),
  );
}

function toRow(direction: "in" | "out", row: Record<string, any>, directory: Directory): MoneyRow {
  const token = directory.token(row.token);
  const entry = directory.book.get(String(row.counterparty).toLowerCase());
  return {
    direction,
    time: Number(row.block_time),
    token: row.token,
    symbol: token.symbol,
    decimals: token.decimals,
    amount: BigInt(row.amount),
    counterparty: row.counterparty,
    label: directory.nameOf(row.counterparty),
    category: row.category ?? entry?.category ?? null,
    memo: row.memo ?? "",
    safeTxHash: row.safe_tx_hash,
    txHash: row.tx_hash,
    blockNumber: Number(row.block_number),
  };
}

/** Exact per-token totals (bigint sums over the rows, never SQL floats). */
export function totalsByToken(rows: MoneyRow[]): { token: string | null; symbol: string; decimals: number; total: bigint; count: number }[] {
  const totals = new Map<string, { token: string | null; symbol: string; decimals: number; total: bigint; count: number }>();
  for (const row of rows) {
    const key = row.token ?? "native";
    const entry = totals.get(key) ?? { token: row.token, symbol: row.symbol, decimals: row.decimals, total: 0n, count: 0 };
    entry.total += row.amount;
    entry.count += 1;
    totals.set(key, entry);
  }
  return [...totals.values()].sort((a, b) => b.count - a.count);
}

export type Approval = { owner: string; name: string; source: "executed on-chain" | "signature" | "approved hash" };

/**
 * The owners who really approved a SafeTx: the signers the chain recovered
 * when it executed, plus the signatures collected (and verified) so far. Text
 * in memos or messages never adds an approval.
 */
export function approvalsOf(db: TreasuryDatabase, safeTxHash: string, directory: Directory = loadDirectory(db)): Approval[] {
  const approvals = new Map<string, Approval>();
  for (const row of connectionOf(db).prepare("SELECT owner FROM execution_signers WHERE safe_tx_hash = ?").all(safeTxHash) as { owner: string }[])
    approvals.set(row.owner.toLowerCase(), { owner: row.owner, name: directory.nameOf(row.owner), source: "executed on-chain" });
  for (const row of connectionOf(db).prepare("SELECT owner, source FROM signatures WHERE safe_tx_hash = ? ORDER BY created_at").all(safeTxHash) as {
    owner: string;
    source: string;
  }[])
    if (!approvals.has(row.owner.toLowerCase()))
      approvals.set(row.owner.toLowerCase(), {
        owner: row.owner,
        name: directory.nameOf(row.owner),
        source: row.source === "approved_hash" ? "approved hash" : "signature",
      });
  for (const row of connectionOf(db).prepare("SELECT DISTINCT owner FROM approved_hashes WHERE approved_hash = ?").all(safeTxHash) as { owner: string }[])
    if (!approvals.has(row.owner.toLowerCase()))
      approvals.set(row.owner.toLowerCase(), { owner: row.owner, name: directory.nameOf(row.owner), source: "approved hash" });
  return [...approvals.values()];
}

export type OwnersAt = { owners: string[]; threshold: number | undefined; changes: number; lastChange?: { time: number; txHash: string } };

function parseOwners(text: string | null): string[] {
  if (!text) return [];
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    try {
      return (JSON.parse(trimmed) as string[]).map(String);
    } catch {
      return [];
    }
  }
  return trimmed.split(/[,\s]+/).filter(Boolean);
}

/** The owners and threshold after every indexed owner change up to `at` (unix seconds, inclusive). */
export function ownersAt(db: TreasuryDatabase, at?: number): OwnersAt {
  const rows = connectionOf(db)
    .prepare(
      `SELECT kind, owner, threshold, owners, block_time, tx_hash FROM owner_changes
        ${at === undefined ? "" : "WHERE block_time <= ?"} ORDER BY block_number, log_index`,
    )
    .all(...(at === undefined ? [] : [at])) as { kind: string; owner: string | null; threshold: number | null; owners: string | null; block_time: number; tx_hash: string }[];
  let owners: string[] = [];
  let threshold: number | undefined;
  for (const row of rows) {
    if (row.kind === "setup") owners = parseOwners(row.owners);
    else if (row.kind === "added" && row.owner && !owners.some((o) => o.toLowerCase() === row.owner!.toLowerCase())) owners.push(row.owner);
    else if (row.kind === "removed" && row.owner) owners = owners.filter((o) => o.toLowerCase() !== row.owner!.toLowerCase());
    else if (row.kind !== "setup" && row.kind !== "threshold" && row.owners) owners = parseOwners(row.owners);
    if (row.threshold !== null && row.threshold !== undefined) threshold = row.threshold;
  }
  const last = rows.at(-1);
  return { owners, threshold, changes: rows.length, lastChange: last ? { time: last.block_time, txHash: last.tx_hash } : undefined };
}

/** Indexed balances per token: transfers in minus transfers (or, for the native coin, payments) out. */
export function indexedBalances(db: TreasuryDatabase, directory: Directory = loadDirectory(db)) {
  const balances = new Map<string, { token: string | null; symbol: string; decimals: number; amount: bigint }>();
  const add = (token: string | null, amount: bigint) => {
    const key = token?.toLowerCase() ?? "native";
    const info = directory.token(token);
    const entry = balances.get(key) ?? { token, symbol: info.symbol, decimals: info.decimals, amount: 0n };
    entry.amount += amount;
    balances.set(key, entry);
  };
  for (const row of connectionOf(db).prepare("SELECT direction, token, amount FROM transfers").all() as { direction: string; token: string | null; amount: string }[])
    add(row.token, row.direction === "in" ? BigInt(row.amount) : -BigInt(row.amount));
  const nativeOutLogged = connectionOf(db).prepare("SELECT 1 FROM transfers WHERE direction = 'out' AND token IS NULL LIMIT 1").get();
  if (!nativeOutLogged)
    for (const row of connectionOf(db).prepare("SELECT amount FROM payments WHERE token IS NULL").all() as { amount: string }[]) add(null, -BigInt(row.amount));
  for (const row of connectionOf(db).prepare("SELECT address FROM tokens").all() as { address: string }[]) add(row.address, 0n);
  if (!balances.has("native")) balances.set("native", { token: null, symbol: nativeToken.symbol, decimals: nativeToken.decimals, amount: 0n });
  return [...balances.values()];
}

/** Distinct categories used by proposals and the address book. */
export function knownCategories(db: TreasuryDatabase): string[] {
  const rows = connectionOf(db)
    .prepare("SELECT DISTINCT category FROM proposals WHERE category IS NOT NULL UNION SELECT DISTINCT category FROM address_book WHERE category IS NOT NULL")
    .pluck()
    .all() as string[];
  return [...new Set(rows.map((c) => c.toLowerCase()))];
}
