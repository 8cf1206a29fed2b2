import type { ReadableDatabase } from "../db/handle.ts";
import { readDirectory, type LedgerDirectory } from "../db/ledger/directory.ts";
import { contentVersion } from "../db/ledger/state.ts";
import { aliasTable } from "./parse/entities.ts";

type Cached = { version: string; directory: LedgerDirectory; aliases: ReturnType<typeof aliasTable> };
const cache = new WeakMap<ReadableDatabase, Cached>();

/**
 * The names the database knows (tokens, address book, members, categories)
 * and their aliases, read again only when the database has changed since.
 */
export function directoryOf(db: ReadableDatabase): Cached {
  const version = contentVersion(db);
  const hit = cache.get(db);
  if (hit && hit.version === version) return hit;
  const directory = readDirectory(db);
  const entry = { version, directory, aliases: aliasTable(directory) };
  cache.set(db, entry);
  return entry;
}
