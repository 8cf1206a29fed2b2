import { engineOf, statement } from "./connection.ts";
import type { ReadableDatabase } from "./handle.ts";

/**
 * Which store holds the vectors and answers vector searches: on SQLite always
 * the float and binary tables searched by the in-process binary index; on
 * PostgreSQL either the same (floats in `activity_vectors`) or pgvector
 * (`activity_pgvectors`, db/pgvector.ts). The choice is made when a database
 * is opened for writing (db/choose-vector-store.ts) and kept in `meta`, so
 * every process on the database (web, worker, the assistant's read-only
 * handle) reads the same answer.
 */

/** "pgvector": the vectors live in a pgvector column and PostgreSQL finds the nearest. "in-process": the in-process binary index serves. */
export type VectorStore = "pgvector" | "in-process";

/** The meta keys of the choice (written by db/choose-vector-store.ts only). */
export const vectorStoreKeys = {
  store: "search_vector_store",
  /** The schema the `vector` extension lives in (its types and operators are named with it). */
  schema: "search_pgvector_schema",
  /** Why pgvector is not used although the server offers it ("" when it is used, or not offered). */
  note: "search_pgvector_note",
} as const;

/** What a PostgreSQL database's meta says about its vectors. */
export type VectorStoreSettings = {
  store: VectorStore;
  /** The extension's schema, when the store is pgvector. */
  schema?: string;
  note?: string;
  /** The recorded embedding size (undefined before a model is recorded). */
  dimensions?: number;
};

/** Reads the choice in one query. SQLite: always the in-process store. */
export function readVectorStoreSettings(db: ReadableDatabase): VectorStoreSettings {
  if (engineOf(db) !== "postgres") return { store: "in-process" };
  const rows = statement(db, "SELECT key, value FROM meta WHERE key IN (?, ?, ?, ?)").all(
    vectorStoreKeys.store,
    vectorStoreKeys.schema,
    vectorStoreKeys.note,
    "search_embedding_dimensions",
  ) as { key: string; value: string }[];
  const value = (key: string) => rows.find((row) => row.key === key)?.value || undefined;
  const store: VectorStore = value(vectorStoreKeys.store) === "pgvector" ? "pgvector" : "in-process";
  const dimensions = Number(value("search_embedding_dimensions") ?? "0");
  return {
    store,
    schema: store === "pgvector" ? value(vectorStoreKeys.schema) : undefined,
    note: value(vectorStoreKeys.note),
    dimensions: dimensions > 0 ? dimensions : undefined,
  };
}

/** Which store serves vector search on this database. */
export function vectorStoreOf(db: ReadableDatabase): VectorStore {
  return readVectorStoreSettings(db).store;
}

/**
 * Takes the transaction-scoped lock on the choice (PostgreSQL; nothing on
 * SQLite, whose one writer needs none): "shared" for every write of the
 * vector tables, "exclusive" for moving the vectors to the other store. A
 * write therefore never lands in the store a concurrent switch just emptied.
 * Call inside the writing transaction, before reading the store.
 */
export function lockVectorStore(db: ReadableDatabase, mode: "shared" | "exclusive"): void {
  if (engineOf(db) !== "postgres") return;
  const lock = mode === "shared" ? "pg_advisory_xact_lock_shared" : "pg_advisory_xact_lock";
  statement(db, `SELECT ${lock}(hashtext(current_schema() || '.vector_store'))`).get();
}
