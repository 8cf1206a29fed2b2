import type { Address, Hex } from "viem";
import { formatAmount } from "../../core/money.ts";
import type { TreasuryDatabase } from "../database.ts";

export type HistoryEntry = {
  kind: "payment" | "deposit" | "owner_change";
  /** Money out of the Safe, money in, or neither (an owner change). */
  direction: "out" | "in" | null;
  /** Unix seconds of the block. */
  time: number;
  blockNumber: number;
  txHash: Hex;
  logIndex: number;
  /** The SafeTx a payment or owner change was executed in; null for deposits. */
  safeTxHash: Hex | null;
  /** Null for the native coin (and for owner changes). */
  token: Address | null;
  symbol: string | null;
  decimals: number | null;
  /** Base units; null for owner changes. */
  amount: bigint | null;
  /** The amount formatted with the token's decimals ("1750.5"). */
  formatted: string | null;
  /** Payee of a payment, sender of a deposit, the owner added or removed. */
  counterparty: Address | null;
  /** The counterparty's address-book label, or the member linked to that address. */
  counterpartyLabel: string | null;
  /** From the proposal (payments) or a deposit note (deposits). */
  memo: string | null;
  /** Owner changes: what changed, in words. */
  description: string | null;
  /** Position inside a MultiSend batch (payments). */
  batchIndex: number | null;
  confirmed: boolean;
};

export type ListHistoryParameters = {
  /** Unix seconds, inclusive. */
  since?: number;
  /** Unix seconds, inclusive. */
  until?: number;
  kinds?: HistoryEntry["kind"][];
};

function hasTable(db: TreasuryDatabase, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/**
 * The Safe's history from the chain mirror: executed payments out, deposits
 * in and owner changes, in chain order, with amounts as base units and the
 * token's decimals and symbol beside them. Reads the database only.
 */
export function listHistory(db: TreasuryDatabase, { since, until, kinds }: ListHistoryParameters = {}): HistoryEntry[] {
  const from = since ?? 0;
  const to = until ?? Number.MAX_SAFE_INTEGER;
  const wanted = new Set(kinds ?? ["payment", "deposit", "owner_change"]);
  const labelSql = (column: string) => `coalesce(
      (SELECT label FROM address_book WHERE lower(address) = lower(${column})),
      (SELECT m.name FROM wallet_links w JOIN members m ON m.id = w.member_id WHERE lower(w.address) = lower(${column}) LIMIT 1))`;
  const entries: HistoryEntry[] = [];

  if (wanted.has("payment")) {
    type Row = {
      safe_tx_hash: Hex; batch_index: number; token: Address | null; to_address: Address; amount: string; block_number: number; block_time: number;
      tx_hash: Hex; log_index: number; confirmed: number; symbol: string | null; decimals: number | null; label: string | null; memo: string | null;
    };
    const rows = db
      .prepare(
        `SELECT p.*, k.symbol, k.decimals, ${labelSql("p.to_address")} AS label,
                (SELECT nullif(memo, '') FROM proposals WHERE lower(safe_tx_hash) = p.safe_tx_hash) AS memo
           FROM payments p LEFT JOIN tokens k ON k.address = p.token
          WHERE p.block_time BETWEEN ? AND ?`,
      )
      .all(from, to) as Row[];
    for (const row of rows) {
      const native = row.token === null;
      const decimals = native ? 18 : (row.decimals ?? 0);
      entries.push({
        kind: "payment",
        direction: "out",
        time: row.block_time,
        blockNumber: row.block_number,
        txHash: row.tx_hash,
        logIndex: row.log_index,
        safeTxHash: row.safe_tx_hash,
        token: row.token,
        symbol: native ? "ETH" : (row.symbol ?? "?"),
        decimals,
        amount: BigInt(row.amount),
        formatted: formatAmount(BigInt(row.amount), decimals),
        counterparty: row.to_address,
        counterpartyLabel: row.label,
        memo: row.memo,
        description: null,
        batchIndex: row.batch_index,
        confirmed: row.confirmed === 1,
      });
    }
  }

  if (wanted.has("deposit")) {
    type Row = {
      token: Address | null; from_address: Address; amount: string; block_number: number; block_time: number; tx_hash: Hex; log_index: number;
      confirmed: number; symbol: string | null; decimals: number | null; label: string | null; memo: string | null;
    };
    const memo = hasTable(db, "deposit_notes") ? "(SELECT nullif(memo, '') FROM deposit_notes WHERE lower(tx_hash) = t.tx_hash)" : "NULL";
    const rows = db
      .prepare(
        `SELECT t.*, k.symbol, k.decimals, ${labelSql("t.from_address")} AS label, ${memo} AS memo
           FROM transfers t LEFT JOIN tokens k ON k.address = t.token
          WHERE t.direction = 'in' AND t.block_time BETWEEN ? AND ?`,
      )
      .all(from, to) as Row[];
    for (const row of rows) {
      const native = row.token === null;
      const decimals = native ? 18 : (row.decimals ?? 0);
      entries.push({
        kind: "deposit",
        direction: "in",
        time: row.block_time,
        blockNumber: row.block_number,
        txHash: row.tx_hash,
        logIndex: row.log_index,
        safeTxHash: null,
        token: row.token,
        symbol: native ? "ETH" : (row.symbol ?? "?"),
        decimals,
        amount: BigInt(row.amount),
        formatted: formatAmount(BigInt(row.amount), decimals),
        counterparty: row.from_address,
        counterpartyLabel: row.label,
        memo: row.memo,
        description: null,
        batchIndex: null,
        confirmed: row.confirmed === 1,
      });
    }
  }

  if (wanted.has("owner_change")) {
    type Row = {
      kind: "setup" | "added" | "removed" | "threshold"; owner: Address | null; threshold: number | null; owners: string | null;
      block_number: number; block_time: number; tx_hash: Hex; log_index: number; confirmed: number; label: string | null; safe_tx_hash: Hex | null;
    };
    const rows = db
      .prepare(
        `SELECT o.*, ${labelSql("o.owner")} AS label,
                (SELECT safe_tx_hash FROM safe_executions e WHERE e.tx_hash = o.tx_hash AND e.log_index < o.log_index
                  ORDER BY e.log_index DESC LIMIT 1) AS safe_tx_hash
           FROM owner_changes o WHERE o.block_time BETWEEN ? AND ?`,
      )
      .all(from, to) as Row[];
    for (const row of rows) {
      const who = row.owner ? (row.label ? `${row.label} (${row.owner})` : row.owner) : "";
      const description =
        row.kind === "setup"
          ? `Safe set up with ${(JSON.parse(row.owners ?? "[]") as string[]).length} owners, ${row.threshold} approvals needed`
          : row.kind === "added"
            ? `Owner added: ${who}`
            : row.kind === "removed"
              ? `Owner removed: ${who}`
              : `Approvals needed changed to ${row.threshold}`;
      entries.push({
        kind: "owner_change",
        direction: null,
        time: row.block_time,
        blockNumber: row.block_number,
        txHash: row.tx_hash,
        logIndex: row.log_index,
        safeTxHash: row.safe_tx_hash,
        token: null,
        symbol: null,
        decimals: null,
        amount: null,
        formatted: null,
        counterparty: row.owner,
        counterpartyLabel: row.label,
        memo: null,
        description,
        batchIndex: null,
        confirmed: row.confirmed === 1,
      });
    }
  }

  return entries.sort(
    (a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex || (a.batchIndex ?? 0) - (b.batchIndex ?? 0),
  );
}
