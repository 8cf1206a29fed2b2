import type { Address, Hex } from "viem";
import { statement } from "../connection.ts";
import type { ReadableDatabase } from "../handle.ts";
import { readMeta } from "../meta.ts";
import { readNativeCoin } from "./native-coin.ts";

export type HistoryRow = {
  /** A rejection is the Safe's own: a zero-value call to itself that used up a nonce. */
  kind: "payment" | "deposit" | "owner_change" | "rejection";
  /** Money out of the Safe, money in, or neither (an owner change, a rejection). */
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
  /** Base units; null for owner changes, rejections and payments whose call could not be decoded (see `description`). */
  amount: bigint | null;
  /** Payee of a payment, sender of a deposit, the owner added or removed. */
  counterparty: Address | null;
  /** The counterparty's address-book label, or the member linked to that address. */
  counterpartyLabel: string | null;
  /** From the proposal (payments) or a deposit note (deposits). */
  memo: string | null;
  /** Owner changes and rejections: what happened, in words; a module's payment: "by module 0x…"; an undecoded execution: why. */
  description: string | null;
  /** The proposal's category (payments), or the address book's category of the counterparty. */
  category: string | null;
  /** The nonce of the SafeTx (payments, owner changes, rejections); null for deposits. */
  nonce: number | null;
  /** Position inside a MultiSend batch (payments). */
  batchIndex: number | null;
  confirmed: boolean;
};

export type ListHistoryParameters = {
  /** Unix seconds, inclusive. */
  since?: number;
  /** Unix seconds, inclusive. */
  until?: number;
  kinds?: HistoryRow["kind"][];
};

/**
 * The Safe's history from the chain mirror: executed payments out, deposits
 * in and owner changes, in chain order, with amounts as base units and the
 * token's decimals and symbol beside them. Reads the database only, and the
 * rows of the handle's Safe only.
 */
export function readHistory(db: ReadableDatabase, { since, until, kinds }: ListHistoryParameters = {}): HistoryRow[] {
  const from = since ?? 0;
  const to = until ?? Number.MAX_SAFE_INTEGER;
  const wanted = new Set(kinds ?? ["payment", "deposit", "owner_change", "rejection"]);
  const safe = (readMeta(db, "safe_address") ?? "").toLowerCase();
  const nativeCoin = readNativeCoin(db);
  const labelSql = (column: string) => `coalesce(
      (SELECT label FROM address_book WHERE workspace = @workspace AND lower(address) = lower(${column})),
      (SELECT m.name FROM wallet_links w JOIN members m ON m.workspace = w.workspace AND m.id = w.member_id
        WHERE w.workspace = @workspace AND lower(w.address) = lower(${column}) LIMIT 1))`;
  const entries: HistoryRow[] = [];

  if (wanted.has("payment")) {
    type Row = {
      safe_tx_hash: Hex; batch_index: number; token: Address | null; to_address: Address; amount: string; block_number: number; block_time: number;
      tx_hash: Hex; log_index: number; confirmed: number; symbol: string | null; decimals: number | null; label: string | null; memo: string | null;
      category: string | null; nonce: number | null; module: Address | null;
    };
    const rows = statement(
      db,
      `SELECT p.*, k.symbol, k.decimals, ${labelSql("p.to_address")} AS label, e.nonce,
              (SELECT nullif(memo, '') FROM proposals WHERE lower(safe_tx_hash) = lower(p.safe_tx_hash)) AS memo,
              coalesce((SELECT category FROM proposals WHERE lower(safe_tx_hash) = lower(p.safe_tx_hash)),
                       (SELECT category FROM address_book WHERE workspace = @workspace AND lower(address) = lower(p.to_address))) AS category
         FROM payments p LEFT JOIN tokens k ON k.safe_id = p.safe_id AND k.address = p.token
              LEFT JOIN safe_executions e ON e.safe_id = p.safe_id AND e.safe_tx_hash = p.safe_tx_hash
        WHERE p.safe_id = @safe AND p.block_time BETWEEN ? AND ? AND (e.safe_tx_hash IS NOT NULL OR p.module IS NOT NULL)`,
    ).all(from, to) as Row[];
    for (const row of rows) {
      // A zero-value call from the Safe to itself moves nothing: it is a rejection, listed below.
      if (row.amount === "0" && row.to_address.toLowerCase() === safe) continue;
      const native = row.token === null;
      const decimals = native ? nativeCoin.decimals : (row.decimals ?? 0);
      entries.push({
        kind: "payment",
        direction: "out",
        time: row.block_time,
        blockNumber: row.block_number,
        txHash: row.tx_hash,
        logIndex: row.log_index,
        // A module's payment has no SafeTx (its key is the module execution's).
        safeTxHash: row.module ? null : row.safe_tx_hash,
        token: row.token,
        symbol: native ? nativeCoin.symbol : (row.symbol ?? "?"),
        decimals,
        amount: BigInt(row.amount),
        counterparty: row.to_address,
        counterpartyLabel: row.label,
        memo: row.memo,
        description: row.module ? `by module ${row.module}` : null,
        category: row.category,
        nonce: row.nonce,
        batchIndex: row.batch_index,
        confirmed: row.confirmed === 1,
      });
    }
  }

  if (wanted.has("payment")) {
    // Executions whose call could not be read: listed with why, never dropped (money may have moved).
    type Row = { safe_tx_hash: Hex | null; module: Address | null; reason: string; block_number: number; block_time: number; tx_hash: Hex; log_index: number; confirmed: number };
    const rows = statement(
      db,
      `SELECT safe_tx_hash, NULL AS module, reason, block_number, block_time, tx_hash, log_index, confirmed FROM undecoded_executions
        WHERE safe_id = @safe AND success = 1 AND block_time BETWEEN ? AND ?
       UNION ALL
       SELECT NULL, module, reason, block_number, block_time, tx_hash, log_index, confirmed FROM module_executions
        WHERE safe_id = @safe AND success = 1 AND reason IS NOT NULL AND block_time BETWEEN ? AND ?`,
    ).all(from, to, from, to) as Row[];
    for (const row of rows)
      entries.push(
        rowWithoutAmount(row, {
          kind: "payment",
          direction: "out",
          safeTxHash: row.safe_tx_hash,
          description: row.module
            ? `A transaction by module ${row.module} ${row.reason}`
            : `An executed transaction (SafeTx ${row.safe_tx_hash}) ${row.reason}`,
        }),
      );
  }

  if (wanted.has("deposit")) {
    type Row = {
      token: Address | null; from_address: Address; amount: string; block_number: number; block_time: number; tx_hash: Hex; log_index: number;
      confirmed: number; symbol: string | null; decimals: number | null; label: string | null; memo: string | null; category: string | null;
    };
    const rows = statement(
      db,
      `SELECT t.*, k.symbol, k.decimals, ${labelSql("t.from_address")} AS label,
              (SELECT nullif(memo, '') FROM deposit_notes WHERE safe_id = t.safe_id AND tx_hash = t.tx_hash) AS memo,
              (SELECT category FROM address_book WHERE workspace = @workspace AND lower(address) = lower(t.from_address)) AS category
         FROM transfers t LEFT JOIN tokens k ON k.safe_id = t.safe_id AND k.address = t.token
        WHERE t.safe_id = @safe AND t.direction = 'in' AND t.block_time BETWEEN ? AND ?`,
    ).all(from, to) as Row[];
    for (const row of rows) {
      // Nothing came in: a zero-value transfer (the Safe calling itself to reject a nonce, or a zero-value token transfer).
      if (row.amount === "0") continue;
      const native = row.token === null;
      const decimals = native ? nativeCoin.decimals : (row.decimals ?? 0);
      entries.push({
        kind: "deposit",
        direction: "in",
        time: row.block_time,
        blockNumber: row.block_number,
        txHash: row.tx_hash,
        logIndex: row.log_index,
        safeTxHash: null,
        token: row.token,
        symbol: native ? nativeCoin.symbol : (row.symbol ?? "?"),
        decimals,
        amount: BigInt(row.amount),
        counterparty: row.from_address,
        counterpartyLabel: row.label,
        memo: row.memo,
        description: null,
        category: row.category,
        nonce: null,
        batchIndex: null,
        confirmed: row.confirmed === 1,
      });
    }
  }

  if (wanted.has("owner_change")) {
    type Row = {
      kind: "setup" | "added" | "removed" | "threshold"; owner: Address | null; threshold: number | null; owners: string | null;
      block_number: number; block_time: number; tx_hash: Hex; log_index: number; confirmed: number; label: string | null; safe_tx_hash: Hex | null;
      nonce: number | null;
    };
    const rows = statement(
      db,
      `SELECT o.*, ${labelSql("o.owner")} AS label, x.safe_tx_hash, x.nonce
         FROM owner_changes o
         LEFT JOIN safe_executions x ON x.rowid = ${
           // The execution that made the change, in the same transaction: on an L2 Safe the one whose
           // SafeMultiSigTransaction comes last before it; on an L1 Safe the one whose ExecutionSuccess comes first after it.
           readMeta(db, "safe_flavour") === "L1"
             ? "(SELECT e.rowid FROM safe_executions e WHERE e.safe_id = o.safe_id AND e.tx_hash = o.tx_hash AND e.log_index > o.log_index ORDER BY e.log_index LIMIT 1)"
             : "(SELECT e.rowid FROM safe_executions e WHERE e.safe_id = o.safe_id AND e.tx_hash = o.tx_hash AND e.log_index < o.log_index ORDER BY e.log_index DESC LIMIT 1)"
         }
        WHERE o.safe_id = @safe AND o.block_time BETWEEN ? AND ?`,
    ).all(from, to) as Row[];
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
      entries.push(
        rowWithoutAmount(row, {
          kind: "owner_change",
          direction: null,
          safeTxHash: row.safe_tx_hash,
          counterparty: row.owner,
          counterpartyLabel: row.label,
          description,
          nonce: row.nonce,
        }),
      );
    }
  }

  if (wanted.has("rejection")) {
    type Row = { safe_tx_hash: Hex; nonce: number; block_number: number; block_time: number; tx_hash: Hex; log_index: number; confirmed: number; rejected_memo: string | null };
    const rows = statement(
      db,
      `SELECT e.safe_tx_hash, e.nonce, e.block_number, e.block_time, e.tx_hash, e.log_index, e.confirmed,
              (SELECT nullif(r.memo, '') FROM proposals q JOIN proposals r ON lower(r.safe_tx_hash) = lower(q.rejects_safe_tx_hash)
                WHERE lower(q.safe_tx_hash) = lower(e.safe_tx_hash)) AS rejected_memo
         FROM safe_executions e
        WHERE e.safe_id = @safe AND lower(e.to_address) = ? AND e.value = '0' AND e.data = '0x' AND e.success = 1 AND e.block_time BETWEEN ? AND ?`,
    ).all(safe, from, to) as Row[];
    for (const row of rows)
      entries.push(
        rowWithoutAmount(row, {
          kind: "rejection",
          direction: null,
          safeTxHash: row.safe_tx_hash,
          memo: row.rejected_memo,
          description: `Rejection of nonce ${row.nonce} (nothing was paid; the nonce is used up)`,
          nonce: row.nonce,
        }),
      );
  }

  return entries.sort(
    (a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex || (a.batchIndex ?? 0) - (b.batchIndex ?? 0),
  );
}

/** Where a row sits on the chain, as every mirror table stores it. */
type ChainPositionRow = { block_number: number; block_time: number; tx_hash: Hex; log_index: number; confirmed: number };

/**
 * A history row that moved no amount of its own (an owner change, a rejection, an
 * execution whose call could not be read): its place on the chain, nulls for
 * everything about money, and `fields` for the rest.
 */
function rowWithoutAmount(row: ChainPositionRow, fields: Pick<HistoryRow, "kind" | "direction" | "safeTxHash" | "description"> & Partial<HistoryRow>): HistoryRow {
  return {
    time: row.block_time,
    blockNumber: row.block_number,
    txHash: row.tx_hash,
    logIndex: row.log_index,
    token: null,
    symbol: null,
    decimals: null,
    amount: null,
    counterparty: null,
    counterpartyLabel: null,
    memo: null,
    category: null,
    nonce: null,
    batchIndex: null,
    confirmed: row.confirmed === 1,
    ...fields,
  };
}
