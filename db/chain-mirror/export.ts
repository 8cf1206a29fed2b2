import type { TreasuryDatabase } from "../database.ts";
import { listHistory, type HistoryEntry, type ListHistoryParameters } from "./history.ts";

export const csvColumns = ["date", "direction", "counterparty", "token", "amount", "memo", "tx_hash", "safe_tx_hash"] as const;

/** One CSV field: quoted when needed, and never read as a formula by a spreadsheet (memos are typed by people). */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** An entry as a CSV row: UTC ISO date, in/out, label or address, symbol, formatted amount, memo, hashes. */
export function csvRow(entry: HistoryEntry): string {
  return [
    new Date(entry.time * 1000).toISOString().replace(".000Z", "Z"),
    entry.direction ?? "",
    entry.counterpartyLabel ?? entry.counterparty ?? "",
    entry.symbol ?? "",
    entry.formatted ?? "",
    entry.memo ?? "",
    entry.txHash,
    entry.safeTxHash ?? "",
  ]
    .map(csvField)
    .join(",");
}

/**
 * The money that moved (payments out and deposits in), for accounting, as CSV
 * with a header line: date, direction, counterparty, token, amount, memo, tx
 * hash, safeTxHash. Amounts are exact decimal strings, never floats.
 */
export function exportHistoryCsv(db: TreasuryDatabase, parameters: Omit<ListHistoryParameters, "kinds"> = {}): string {
  const entries = listHistory(db, { ...parameters, kinds: ["payment", "deposit"] });
  return [csvColumns.join(","), ...entries.map(csvRow)].join("\n") + "\n";
}
