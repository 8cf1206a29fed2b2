import { copyFileSync, existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeDatabase } from "../../db/open.ts";
import { openDatabase } from "./database.ts";
import { syncActivity } from "../../search/activity.ts";
import { connectionOf } from "../../db/connection.ts";
import { onlySafe } from "./safe-database.ts";

/**
 * A copy of a replayed database with its search rows built (as `treasury ask`
 * does before answering), checkpointed so a read-only connection sees it all.
 * The caller removes `dir`.
 */
export function copyReplayedDatabase(source: string): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), "assistant-db-"));
  const path = join(dir, "treasury.db");
  copyFileSync(source, path);
  for (const suffix of ["-wal", "-shm"]) if (existsSync(source + suffix)) copyFileSync(source + suffix, path + suffix);
  const writer = openDatabase({ path });
  syncActivity(onlySafe(writer));
  connectionOf(writer).pragma("wal_checkpoint(TRUNCATE)");
  closeDatabase(writer);
  return { dir, path };
}
