import type { ReadableDatabase } from "../../../db/handle.ts";
import { closeDatabase } from "../../../db/open.ts";
import { connections, selectedSafe } from "../connections.ts";
import { listHistory } from "../../../core/history/list.ts";
import { InvalidInputError } from "../../../core/errors.ts";
import { formatAmountForPeople } from "../../../core/money.ts";
import { fail, printJson, printTable } from "../output.ts";
import { shortAddress, shortHash } from "../../../core/short.ts";

/** "2026-03-01" (UTC day) or an ISO date-time, as unix seconds; a day given as `until` runs to its end. */
export function parseDateOption(text: string | undefined, option: "--since" | "--until"): number | undefined {
  if (text === undefined) return undefined;
  const dayOnly = /^\d{4}-\d{2}-\d{2}$/.test(text.trim());
  const millis = Date.parse(dayOnly ? `${text.trim()}T00:00:00Z` : text);
  if (Number.isNaN(millis)) throw new InvalidInputError(`${option} "${text}" is not a date; use YYYY-MM-DD.`);
  const seconds = Math.floor(millis / 1000);
  return option === "--until" && dayOnly ? seconds + 86_399 : seconds;
}

export type HistoryOptions = { since?: string; until?: string; json?: boolean };

/** `treasury history [--since DATE] [--until DATE] [--json]`: payments, deposits, owner changes and rejections from the database. */
export async function historyCommand(options: HistoryOptions): Promise<void> {
  let db: ReadableDatabase | undefined;
  try {
    const since = parseDateOption(options.since, "--since");
    const until = parseDateOption(options.until, "--until");
    db = await connections().openDatabaseForReading(selectedSafe());
    const entries = listHistory(db, { since, until });
    if (options.json) {
      printJson(entries.map((entry) => ({ ...entry, date: new Date(entry.time * 1000).toISOString() })));
      return;
    }
    if (entries.length === 0) {
      console.log("Nothing in that period.");
      return;
    }
    printTable([
      ["Date (UTC)", "What", "Amount", "Counterparty", "Memo", "Tx"],
      ...entries.map((entry) => [
        new Date(entry.time * 1000).toISOString().slice(0, 16).replace("T", " "),
        entry.kind === "payment" ? "paid" : entry.kind === "deposit" ? "received" : entry.kind === "rejection" ? "rejected" : "owners",
        entry.amount === null ? "" : `${formatAmountForPeople(entry.amount, entry.decimals ?? 0)} ${entry.symbol}`,
        entry.counterparty === null || entry.kind === "owner_change" ? "" : (entry.counterpartyLabel ?? shortAddress(entry.counterparty)),
        // Owner changes and rejections have no amount: what happened goes where a payment's memo goes.
        (entry.amount === null ? [entry.description, entry.memo].filter(Boolean).join(": ") : (entry.memo ?? entry.description ?? "")).replace(/\s+/g, " ").slice(0, 80),
        shortHash(entry.txHash),
      ]),
    ]);
  } catch (error) {
    if (db) closeDatabase(db);
    fail(error);
  }
  if (db) closeDatabase(db);
}
