import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeDatabase } from "../../db/open.ts";
import { openDatabase } from "./database.ts";
import { copyTestDatabase } from "./copy-database.ts";
import { syncActivity } from "../../search/activity.ts";
import { connectionOf, engineOf } from "../../db/connection.ts";
import { onlySafe } from "./safe-database.ts";

/**
 * A copy of a replayed database with its search rows built (as `treasury ask`
 * does before answering), checkpointed on SQLite so a read-only connection sees
 * it all. The caller removes `dir` (on PostgreSQL the run's schemas are dropped
 * at the end of the run).
 */
export function copyReplayedDatabase(source: string): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), "assistant-db-"));
  const path = join(dir, "treasury.db");
  copyTestDatabase(source, path);
  const writer = openDatabase({ path });
  syncActivity(onlySafe(writer));
  if (engineOf(writer) === "sqlite") connectionOf(writer).pragma("wal_checkpoint(TRUNCATE)");
  closeDatabase(writer);
  return { dir, path };
}
