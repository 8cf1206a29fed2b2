import { filterActivityIds, hasFilters, type ActivityFilters } from "../db/activity.ts";
import type { ReadableDatabase, TreasuryDatabase } from "../db/handle.ts";
import { pgvectorNearest } from "../db/pgvector.ts";
import { vectorStoreOf } from "../db/vector-store.ts";
import { binaryNearest, exactNearest, prepareVectorTables, quantizeBinary, rescoreNearest, writeVectors, type StoredVector } from "../db/vectors.ts";
import { binaryCandidates, vectorsChanged } from "./binary-index.ts";

/**
 * Makes the vector tables hold `model`'s vectors of `dimensions` values
 * (dropping another model's, so they are never mixed) and keeps this process's
 * in-memory copy in step. Returns true when another model's vectors were dropped.
 */
export function useVectorModel(db: TreasuryDatabase, model: string, dimensions: number): boolean {
  const reset = prepareVectorTables(db, model, dimensions);
  if (reset) vectorsChanged(db, reset);
  return reset?.replacedModel ?? false;
}

/** Stores vectors (in one transaction) and patches this process's in-memory copy. Returns how many were stored. */
export function storeVectors(db: TreasuryDatabase, model: string, vectors: readonly StoredVector[]): number {
  const { written, change } = writeVectors(db, model, vectors);
  vectorsChanged(db, change, (index) => {
    for (const { id, vector } of written) index.put(id, quantizeBinary(vector));
  });
  return written.length;
}

export type NearestParameters = {
  /** How many nearest rows to return. */
  limit: number;
  /**
   * "binary" (default): Hamming distance over the binary-quantized vectors
   * finds `candidates` rows, which are rescored by exact cosine distance with
   * the float vectors. The Hamming scan runs over an in-memory copy of
   * `activity_vec_bit` (see binary-index.ts; its cost does not grow with the
   * number of candidates), or sqlite-vec's vec0 KNN when WebAssembly SIMD is
   * missing. "exact": cosine distance to every float vector (a full scan; used
   * to measure recall, fine for small histories).
   */
  mode?: "binary" | "exact";
  /**
   * Binary candidates to rescore. Default: `defaultCandidates` (max(limit * 40, 400))
   * with the in-memory scan, more with a filter; max(limit * 4, 40) with sqlite-vec,
   * whose KNN cost grows with k.
   */
  candidates?: number;
  /** Only rows matching these filters (applied to the candidates before rescoring, or in SQL by pgvector). */
  filters?: ActivityFilters;
  /** Where the Hamming candidates come from: the in-memory scan when available (default), or sqlite-vec's vec0 KNN. */
  scan?: "memory" | "sqlite-vec";
};

/**
 * Candidates rescored for `limit` results with the in-memory scan. Chosen by
 * `npm run bench:search` (its candidate table): on 1,000,000 synthetic
 * 512-dimension rows, recall@10 against exact search was 0.868 with 200
 * candidates, 0.993 with 400 and 1.000 with 800, the vector side costing
 * about 15 ms at each (the scan dominates; rescoring 400 rows is a few ms).
 * With a filter more are taken, since the filter drops some before rescoring.
 */
export function defaultCandidates(limit: number, filtered: boolean): number {
  return filtered ? Math.max(limit * 200, 2000) : Math.max(limit * 40, 400);
}

/**
 * The activity rows nearest to `query` (cosine distance, smallest first).
 * Where pgvector serves (PostgreSQL with the extension, db/vector-store.ts),
 * PostgreSQL finds them with its HNSW index ("binary") or an exact scan
 * ("exact"), the filters applied in SQL; `candidates` and `scan` concern only
 * the in-process binary index.
 */
export function nearestActivities(
  db: ReadableDatabase,
  query: Float32Array,
  { limit, mode = "binary", candidates, filters, scan = "memory" }: NearestParameters,
): { id: number; distance: number }[] {
  if (vectorStoreOf(db) === "pgvector") return pgvectorNearest(db, query, { limit, filters, exact: mode === "exact" });
  const keep = filters && hasFilters(filters) ? (ids: number[]) => filterActivityIds(db, ids, filters) : undefined;
  if (mode === "exact") {
    const rows = exactNearest(db, query, keep ? Math.max(limit * 20, 500) : limit);
    const allowed = keep ? keep(rows.map((row) => row.id)) : undefined;
    return rows.filter((row) => !allowed || allowed.has(row.id)).slice(0, limit);
  }
  let ids = scan === "memory" ? binaryCandidates(db, query, Math.min(100_000, candidates ?? defaultCandidates(limit, keep !== undefined))) : undefined;
  if (!ids) {
    const k = Math.min(4096, candidates ?? (keep ? Math.max(limit * 20, 400) : Math.max(limit * 4, 40)));
    ids = binaryNearest(db, query, k);
  }
  if (keep) {
    const allowed = keep(ids);
    ids = ids.filter((id) => allowed.has(id));
  }
  ids.sort((a, b) => a - b); // B-tree order for the point reads
  return rescoreNearest(db, query, ids, limit);
}

