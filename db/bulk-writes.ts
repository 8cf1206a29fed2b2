import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { connectionOf, engineOf } from "./connection.ts";
import type { TreasuryDatabase } from "./handle.ts";

/** A long run of writes under way; `stop()` puts the connection back as it was. */
export type BulkWrites = { stop(): Promise<void> };

export type BeginBulkWritesParameters = {
  /** The writer's page cache for the run, KiB (the indexes written at random, by hash, stay in memory up to this size). */
  cacheKib?: number;
  /** Milliseconds between checkpoints on the worker. */
  everyMs?: number;
  /**
   * The writer still checkpoints itself once the write-ahead log has this many
   * pages (the worker fell behind): the log, and reads through it, stay bounded.
   */
  writerLimitPages?: number;
};

/**
 * Sets a connection up for a long run of write transactions (the indexer's
 * backfill): a larger page cache, bounded by `cacheKib`, and the write-ahead
 * log copied into the database file on a worker thread (below).
 *
 * Copies the write-ahead log into the database file on a worker thread, with
 * its own connection, while this connection writes a long run of
 * transactions (a backfill). A checkpoint in the writer's own commit waits on
 * the disk (it syncs the file) and copies more pages the larger the history,
 * which made each batch slower as history grew; here it overlaps the writes.
 * Nothing about durability changes: commits are in the log either way, and a
 * checkpoint only moves them. Does nothing for an in-memory database or
 * outside WAL mode; if the worker cannot start or fails, the writer
 * checkpoints itself as before. Does nothing on PostgreSQL.
 */
export function beginBulkWrites(db: TreasuryDatabase, { cacheKib = 65_536, everyMs = 500, writerLimitPages = 25_000 }: BeginBulkWritesParameters = {}): BulkWrites {
  // PostgreSQL's server manages its own cache and checkpoints.
  if (engineOf(db) === "postgres") return { stop: async () => undefined };
  const connection = connectionOf(db);
  const cacheBefore = Number(connection.pragma("cache_size", { simple: true }));
  connection.pragma(`cache_size = ${-Math.abs(cacheKib)}`);
  const restoreCache = () => {
    if (connection.open) connection.pragma(`cache_size = ${cacheBefore}`);
  };
  const journalMode = String(connection.pragma("journal_mode", { simple: true }));
  if (connection.memory || journalMode !== "wal") return { stop: async () => restoreCache() };
  const before = Number(connection.pragma("wal_autocheckpoint", { simple: true }));
  const restore = () => {
    if (connection.open) connection.pragma(`wal_autocheckpoint = ${before}`);
  };
  const here = fileURLToPath(import.meta.url);
  let worker: Worker;
  try {
    worker = new Worker(new URL(`./checkpoint-worker${extname(here)}`, import.meta.url), { workerData: { path: connection.name, everyMs } });
  } catch {
    return { stop: async () => restoreCache() };
  }
  connection.pragma(`wal_autocheckpoint = ${Math.max(before, writerLimitPages)}`);
  worker.unref();
  worker.on("error", restore);
  const exited = new Promise<void>((done) => worker.once("exit", () => done()));
  return {
    async stop() {
      restore();
      restoreCache();
      worker.ref();
      worker.postMessage("stop");
      await exited;
    },
  };
}
