import { shortMessageOf } from "../../core/errors.ts";

/** Prints a value as JSON, with bigints as decimal strings. */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, (_key, item) => (typeof item === "bigint" ? item.toString() : item), 2));
}

/** Prints one line naming the problem and exits 1. Never a stack trace. */
export function fail(error: unknown): never {
  console.error(`treasury: ${shortMessageOf(error)}`);
  process.exit(1);
}

/** Lays rows out in aligned columns. */
export function printTable(rows: string[][]): void {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column])).join("  ").trimEnd());
}
