import { engineOf, statement, type DatabaseEngine } from "./connection.ts";
import type { ReadableDatabase } from "./handle.ts";

/** What stores the records, and what answers vector searches over them. */
export type StorageInfo = {
  engine: DatabaseEngine;
  /**
   * The in-process binary index (a Hamming scan over an in-memory copy of the
   * binary-quantized vectors, rescored exactly) serves on both engines.
   */
  vectorSearch: "in-process binary index";
  /** PostgreSQL only: whether the server offers the pgvector extension (not used yet). */
  pgvector?: "available" | "not available";
};

/** Reads which engine the handle is on and how vectors are searched. */
export function readStorageInfo(db: ReadableDatabase): StorageInfo {
  const engine = engineOf(db);
  if (engine === "sqlite") return { engine, vectorSearch: "in-process binary index" };
  const offered = statement(db, "SELECT 1 FROM pg_available_extensions WHERE name = 'vector'").get() !== undefined;
  return { engine, vectorSearch: "in-process binary index", pgvector: offered ? "available" : "not available" };
}
