/**
 * Exact arithmetic over base-unit amounts stored as decimal TEXT. SQLite has no
 * integer wider than 64 bits and `CAST(amount AS INTEGER)` saturates above
 * 2^63 (an 18-decimals token passes that at about 9.2 whole tokens), so:
 * comparisons use the amount left-padded to the width of uint256, where text
 * order is number order; sums add 12-digit slices as integers (sum() raises on
 * overflow, it never rounds) and the slices are put together as a bigint.
 * PostgreSQL has exact `numeric`: there the sum is one `numeric` in the first
 * slice (the others 0), and padding is `lpad`; the readers are the same.
 */
import type { DatabaseEngine } from "../connection.ts";


/** uint256 has at most 78 decimal digits. */
export const amountWidth = 78;
const zeros = "0".repeat(amountWidth);
const sliceDigits = 12;
const slices = Math.ceil(amountWidth / sliceDigits);

/** SQL: the amount column padded to 78 digits (compare and min()/max() it as text). */
export function paddedAmountSql(engine: DatabaseEngine, column: string): string {
  if (engine === "postgres") return `lpad(${column}, ${amountWidth}, '0')`;
  return `substr('${zeros}' || ${column}, -${amountWidth})`;
}

/** A bigint (or base-unit string) padded like `paddedAmountSql`, for binding. */
export function padAmount(units: bigint | string): string {
  const text = units.toString();
  if (!/^\d+$/.test(text) || text.length > amountWidth) throw new RangeError(`not a base-unit amount: ${text}`);
  return text.padStart(amountWidth, "0");
}

/** Amounts up to this many digits are summed with the short form (3 slices); longer ones need all 7. */
export const shortSumDigits = 36;

/**
 * SQL select-list items that sum the column exactly, as `${alias}0` … (7
 * slices, or 3 with `short`), plus `${alias}_long`: how many amounts the short
 * form could not hold (then sum again with the full form).
 */
export function exactSumSql(engine: DatabaseEngine, column: string, alias = "s", short = false): string {
  const count = short ? shortSumDigits / sliceDigits : slices;
  if (engine === "postgres")
    return [
      `sum(CAST(${column} AS numeric)) AS ${alias}0`,
      ...Array.from({ length: count - 1 }, (_, i) => `0 AS ${alias}${i + 1}`),
      `sum(CASE WHEN length(${column}) > ${shortSumDigits} THEN 1 ELSE 0 END) AS ${alias}_long`,
    ].join(", ");
  return [
    ...Array.from(
      { length: count },
      (_, i) => `sum(CAST(substr(${column}, -${sliceDigits * (i + 1)}, ${sliceDigits}) AS INTEGER)) AS ${alias}${i}`,
    ),
    `sum(length(${column}) > ${shortSumDigits}) AS ${alias}_long`,
  ].join(", ");
}

/** Whether a row of the short form met an amount it could not hold. */
export function needsLongSum(row: Record<string, unknown>, alias = "s"): boolean {
  const long = row[`${alias}_long`];
  return long !== null && long !== undefined && BigInt(long as bigint | number) > 0n;
}

/** Puts the slices of `exactSumSql` back together (read with `safeIntegers()`; NULL slices count as 0). */
export function exactSumFrom(row: Record<string, unknown>, alias = "s"): bigint {
  let total = 0n;
  for (let i = slices - 1; i >= 0; i--) {
    const slice = row[`${alias}${i}`];
    total = total * 10n ** BigInt(sliceDigits) + (slice === null || slice === undefined ? 0n : BigInt(slice as bigint | number));
  }
  return total;
}

/** A padded amount (from min()/max() of `paddedAmountSql`) back to a bigint. */
export function unpadAmount(padded: string | null | undefined): bigint | null {
  return padded === null || padded === undefined ? null : BigInt(padded);
}
