import type { ListHistoryParameters } from "../../db/chain-mirror/history.ts";
import type { ReadableDatabase } from "../../db/handle.ts";
import { listHistory, type HistoryEntry } from "./list.ts";

export const csvColumns = [
  "date",
  "direction",
  "kind",
  "counterparty",
  "token",
  "amount",
  "category",
  "proposal",
  "memo",
  "tx_hash",
  "safe_tx_hash",
] as const;

/**
 * One CSV field: quoted when needed, and never read as a formula by a
 * spreadsheet (memos and labels are typed by people): a cell whose first
 * non-blank character is =, +, -, @, a tab or a carriage return gets a leading '.
 */
export function csvField(value: string): string {
  const safe = /^[\s]*[=+\-@\t\r]/.test(value) || /^[\t\r\n]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** An entry as a CSV row (UTC ISO date; exact amount; the proposal as #nonce). */
export function csvRow(entry: HistoryEntry): string {
  return [
    new Date(entry.time * 1000).toISOString().replace(".000Z", "Z"),
    entry.direction ?? "",
    entry.kind,
    entry.counterpartyLabel ?? entry.counterparty ?? "",
    entry.symbol ?? "",
    entry.formatted ?? "",
    entry.category ?? "",
    entry.nonce === null ? "" : `#${entry.nonce}`,
    entry.memo ?? entry.description ?? "",
    entry.txHash,
    entry.safeTxHash ?? "",
  ]
    .map(csvField)
    .join(",");
}

/**
 * The money that moved, for accounting, as CSV with a header line: payments
 * out, deposits in, and rejections (which move nothing but use up a nonce).
 * Amounts are exact decimal strings, never floats.
 */
export function exportHistoryCsv(db: ReadableDatabase, parameters: Omit<ListHistoryParameters, "kinds"> = {}): string {
  const entries = listHistory(db, { ...parameters, kinds: ["payment", "deposit", "rejection"] });
  return [csvColumns.join(","), ...entries.map(csvRow)].join("\n") + "\n";
}
