import { readHistory, type HistoryRow, type ListHistoryParameters } from "../../db/chain-mirror/history.ts";
import type { ReadableDatabase } from "../../db/handle.ts";
import { formatAmount } from "../money.ts";

export type HistoryEntry = HistoryRow & {
  /** The amount formatted with the token's decimals ("1750.5"); null when nothing moved. */
  formatted: string | null;
};

/**
 * The Safe's history from the chain mirror, in chain order: payments out,
 * deposits in, owner changes and rejections, with exact amounts. A rejection
 * (the Safe calling itself with nothing, to use up a nonce) is never a
 * payment or a deposit. Reads the database only.
 */
export function listHistory(db: ReadableDatabase, parameters: ListHistoryParameters = {}): HistoryEntry[] {
  return readHistory(db, parameters).map((row) => ({
    ...row,
    formatted: row.amount === null || row.decimals === null ? null : formatAmount(row.amount, row.decimals),
  }));
}
