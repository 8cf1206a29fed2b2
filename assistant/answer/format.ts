import type { Language } from "../parse/lexicon.ts";
import type { Amount } from "../execute/types.ts";

/** An exact decimal string for people: "40,000.5" in English, "40.000,5" in Spanish. Never through a float. */
export function formatNumber(value: string, language: Language): string {
  const sign = value.startsWith("-") ? "-" : value.startsWith("+") ? "+" : "";
  const [whole, fraction] = value.replace(/^[-+]/, "").split(".");
  const sep = language === "es" ? "." : ",";
  const dec = language === "es" ? "," : ".";
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  return `${sign}${grouped}${fraction ? `${dec}${fraction}` : ""}`;
}

export function money(amount: Amount, language: Language, signed = false): string {
  const text = formatNumber(amount.value, language);
  return `${signed && !amount.value.startsWith("-") ? "+" : ""}${text}${amount.token.symbol ? ` ${amount.token.symbol}` : ""}`;
}

/** "a, b and c" / "a, b y c". */
export function joinList(items: string[], language: Language): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} ${language === "es" ? "y" : "and"} ${items.at(-1)}`;
}

export const quote = (text: string, max = 220) => `“${text.length > max ? `${text.slice(0, max - 1)}…` : text}”`;


/**
 * A compact table for a monospace block (Slack code block, terminal): columns
 * padded, numbers right-aligned.
 */
export function table(header: string[], rows: string[][], rightAligned: boolean[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (rightAligned[i] ? (cell ?? "").padStart(widths[i]) : (cell ?? "").padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return ["```", line(header), ...rows.map(line), "```"].join("\n");
}
