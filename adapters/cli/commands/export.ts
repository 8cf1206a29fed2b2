import type { Command } from "commander";
import type { ReadableDatabase } from "../../../db/handle.ts";
import { closeDatabase } from "../../../db/open.ts";
import { exportHistoryCsv } from "../../../core/history/csv.ts";
import { InvalidInputError } from "../../../core/errors.ts";
import { fail } from "../output.ts";
import { openDatabaseForReading, parseDateOption } from "./history.ts";

/** `treasury export --csv [--since DATE] [--until DATE]`: payments and deposits for accounting, from the database. */
export function registerExport(program: Command): void {
  program
    .command("export")
    .description("print payments out, deposits in and rejections as CSV for accounting (from the database; no chain needed)")
    .option("--csv", "CSV: date, direction, kind, counterparty, token, amount, category, proposal, memo, tx hash, safeTxHash")
    .option("--since <date>", "from this day (YYYY-MM-DD, UTC)")
    .option("--until <date>", "up to and including this day (YYYY-MM-DD, UTC)")
    .action((options: { csv?: boolean; since?: string; until?: string }) => {
      let db: ReadableDatabase | undefined;
      try {
        if (!options.csv) throw new InvalidInputError("Say which format: `treasury export --csv`.");
        const since = parseDateOption(options.since, "--since");
        const until = parseDateOption(options.until, "--until");
        db = openDatabaseForReading();
        process.stdout.write(exportHistoryCsv(db, { since, until }));
      } catch (error) {
        if (db) closeDatabase(db);
        fail(error);
      }
      if (db) closeDatabase(db);
    });
}
