import { engineOf, type DatabaseEngine } from "./connection.ts";
import type { ReadableDatabase } from "./handle.ts";
import { pgvectorIndexKind, pgvectorOffer } from "./pgvector.ts";
import { readVectorStoreSettings } from "./vector-store.ts";

/** What stores the records, and what answers vector searches over them. */
export type StorageInfo = {
  engine: DatabaseEngine;
  /**
   * What finds the nearest vectors:
   * - "in-process binary index": a Hamming scan over an in-memory copy of the
   *   binary-quantized vectors, rescored exactly (SQLite always; PostgreSQL
   *   without pgvector);
   * - "pgvector (hnsw)": PostgreSQL, with an HNSW index for cosine distance;
   * - "pgvector (hnsw over halfvec)": the same over a half-precision copy
   *   (2,001 to 4,000 dimensions), the distances exact;
   * - "pgvector (exact scan)": PostgreSQL, every vector scored (above 4,000 dimensions);
   * - "pgvector (no vectors yet)": pgvector is chosen, no embedding model has stored any.
   */
  vectorSearch: "in-process binary index" | "pgvector (hnsw)" | "pgvector (hnsw over halfvec)" | "pgvector (exact scan)" | "pgvector (no vectors yet)";
  /**
   * PostgreSQL only: "in use"; "available, not installed: <why>" (the server
   * offers it, this database does not have it); "installed, not used: <why>"
   * (turned off, say); or "not available" (the server does not offer it).
   */
  pgvector?: "in use" | `available, not installed: ${string}` | `installed, not used: ${string}` | "not available";
};

const searchByIndex = {
  hnsw: "pgvector (hnsw)",
  "hnsw-halfvec": "pgvector (hnsw over halfvec)",
  exact: "pgvector (exact scan)",
} as const;

/** Reads which engine the handle is on and how vectors are searched (as the database's recorded choice says). */
export function readStorageInfo(db: ReadableDatabase): StorageInfo {
  const engine = engineOf(db);
  if (engine === "sqlite") return { engine, vectorSearch: "in-process binary index" };
  const { store, note, dimensions } = readVectorStoreSettings(db);
  if (store === "pgvector")
    return { engine, vectorSearch: dimensions ? searchByIndex[pgvectorIndexKind(dimensions)] : "pgvector (no vectors yet)", pgvector: "in use" };
  const offer = pgvectorOffer(db);
  const why = note ?? "not chosen for this database yet";
  return {
    engine,
    vectorSearch: "in-process binary index",
    pgvector: !offer.offered ? "not available" : offer.schema ? `installed, not used: ${why}` : `available, not installed: ${why}`,
  };
}
