import type { ReadableDatabase } from "../../../db/handle.ts";
import { closeDatabase } from "../../../db/open.ts";
import { exportHistoryCsv } from "../../../core/history/csv.ts";
import { InvalidInputError } from "../../../core/errors.ts";
import { fail } from "../output.ts";
import { connections, selectedSafe } from "../connections.ts";
import { parseDateOption } from "./history.ts";

export type ExportOptions = { csv?: boolean; since?: string; until?: string };

/** `treasury export --csv [--since DATE] [--until DATE]`: payments, deposits and rejections for accounting, from the database. */
export async function exportCommand(options: ExportOptions): Promise<void> {
  let db: ReadableDatabase | undefined;
  try {
    if (!options.csv) throw new InvalidInputError("Say which format: `treasury export --csv`.");
    const since = parseDateOption(options.since, "--since");
    const until = parseDateOption(options.until, "--until");
    db = await connections().openDatabaseForReading(selectedSafe());
    process.stdout.write(exportHistoryCsv(db, { since, until }));
  } catch (error) {
    if (db) closeDatabase(db);
    fail(error);
  }
  if (db) closeDatabase(db);
}
