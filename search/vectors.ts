import { readMeta, writeMeta, type TreasuryDatabase } from "../db/database.ts";
import { binaryCandidates, quantizeBinary, vectorsChanged } from "./binary-index.ts";

/** The model and vector length the vector tables hold now (meta keys written by `prepareVectorTables`). */
export function vectorModel(db: TreasuryDatabase): { model: string; dimensions: number } | undefined {
  const model = readMeta(db, "search_embedding_model");
  const dimensions = Number(readMeta(db, "search_embedding_dimensions") ?? "0");
  return model ? { model, dimensions } : undefined;
}

/**
 * Makes the vector tables hold vectors of `model` with `dimensions` values.
 * When another model (or size) is recorded, every vector and its bookkeeping
 * is dropped, so the embedding worker re-embeds everything with the new model:
 * vectors of two models are never mixed. Returns true when it reset them.
 */
export function prepareVectorTables(db: TreasuryDatabase, model: string, dimensions: number): boolean {
  const current = vectorModel(db);
  if (current && current.model === model && current.dimensions === dimensions && currentBitDimensions(db) === dimensions) return false;
  if (!Number.isInteger(dimensions) || dimensions <= 0 || dimensions % 8 !== 0 || dimensions > 8192)
    throw new Error(`Unsupported embedding size ${dimensions} (need a positive multiple of 8).`);
  db.transaction(() => {
    // (An early layout kept floats in a vec0 table too; chunked blobs make its point reads slow.)
    db.exec("DROP TABLE IF EXISTS activity_vec; CREATE TABLE IF NOT EXISTS activity_vectors (activity_id INTEGER PRIMARY KEY, embedding BLOB NOT NULL);");
    if (currentBitDimensions(db) !== dimensions) {
      db.exec("DROP TABLE IF EXISTS activity_vec_bit;");
      db.exec(`CREATE VIRTUAL TABLE activity_vec_bit USING vec0 (embedding bit[${dimensions}]);`);
    } else if (current) db.exec("DELETE FROM activity_vec_bit;");
    db.exec("DELETE FROM activity_vectors; DELETE FROM activity_embeddings;");
    vectorsChanged(db);
    writeMeta(db, "search_embedding_model", model);
    writeMeta(db, "search_embedding_dimensions", String(dimensions));
  })();
  return current !== undefined;
}

function currentBitDimensions(db: TreasuryDatabase): number | undefined {
  const row = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'activity_vec_bit'").get() as { sql: string } | undefined;
  const match = row ? /bit\[(\d+)\]/.exec(row.sql) : null;
  return match ? Number(match[1]) : undefined;
}

export type StoredVector = { id: number; contentHash: string; vector: Float32Array };

const blobOf = (vector: Float32Array) => Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);

/** Stores vectors (float and binary-quantized) and records their model, in one transaction. */
export function writeVectors(db: TreasuryDatabase, model: string, vectors: StoredVector[]): void {
  const insertFloat = db.prepare(
    "INSERT INTO activity_vectors (activity_id, embedding) VALUES (?, ?) ON CONFLICT (activity_id) DO UPDATE SET embedding = excluded.embedding",
  );
  const deleteBit = db.prepare("DELETE FROM activity_vec_bit WHERE rowid = ?");
  const insertBit = db.prepare("INSERT INTO activity_vec_bit (rowid, embedding) VALUES (?, vec_quantize_binary(?))");
  const record = db.prepare(
    `INSERT INTO activity_embeddings (activity_id, model, content_hash, embedded_at) VALUES (?, ?, ?, unixepoch())
     ON CONFLICT (activity_id) DO UPDATE SET model = excluded.model, content_hash = excluded.content_hash,
       embedded_at = excluded.embedded_at`,
  );
  const exists = db.prepare("SELECT 1 FROM activity WHERE id = ?").pluck();
  db.transaction(() => {
    const written: StoredVector[] = [];
    for (const stored of vectors) {
      const { id, contentHash, vector } = stored;
      const rowid = BigInt(id);
      if (!exists.get(rowid)) continue; // removed while it was being embedded
      const blob = blobOf(vector);
      insertFloat.run(rowid, blob);
      deleteBit.run(rowid);
      insertBit.run(rowid, blob);
      record.run(rowid, model, contentHash);
      written.push(stored);
    }
    vectorsChanged(db, (index) => {
      for (const { id, vector } of written) index.put(id, quantizeBinary(vector));
    });
  })();
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
  /** Keep only these ids (a filter applied before rescoring). */
  keep?: (ids: number[]) => Set<number>;
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

/** The activity rows nearest to `query` (cosine distance, smallest first). */
export function nearestActivities(
  db: TreasuryDatabase,
  query: Float32Array,
  { limit, mode = "binary", candidates, keep, scan = "memory" }: NearestParameters,
): { id: number; distance: number }[] {
  const blob = blobOf(query);
  if (mode === "exact") {
    const rows = db
      .prepare("SELECT activity_id AS id, vec_distance_cosine(embedding, ?) AS distance FROM activity_vectors ORDER BY distance LIMIT ?")
      .all(blob, keep ? Math.max(limit * 20, 500) : limit) as { id: number; distance: number }[];
    const allowed = keep ? keep(rows.map((row) => Number(row.id))) : undefined;
    return rows
      .map((row) => ({ id: Number(row.id), distance: row.distance }))
      .filter((row) => !allowed || allowed.has(row.id))
      .slice(0, limit);
  }
  let ids = scan === "memory" ? binaryCandidates(db, query, Math.min(100_000, candidates ?? defaultCandidates(limit, keep !== undefined))) : undefined;
  if (!ids) {
    const k = Math.min(4096, candidates ?? (keep ? Math.max(limit * 20, 400) : Math.max(limit * 4, 40)));
    const coarse = db
      .prepare("SELECT rowid AS id FROM activity_vec_bit WHERE embedding MATCH vec_quantize_binary(?) AND k = ?")
      .all(blob, k) as { id: number | bigint }[];
    ids = coarse.map((row) => Number(row.id));
  }
  if (keep) {
    const allowed = keep(ids);
    ids = ids.filter((id) => allowed.has(id));
  }
  ids.sort((a, b) => a - b); // B-tree order for the point reads
  const rescored = db
    .prepare(
      `SELECT activity_id AS id, vec_distance_cosine(embedding, ?) AS distance FROM activity_vectors
        WHERE activity_id IN (SELECT value FROM json_each(?)) ORDER BY distance LIMIT ?`,
    )
    .all(blob, JSON.stringify(ids), limit) as { id: number; distance: number }[];
  return rescored.map((row) => ({ id: Number(row.id), distance: row.distance }));
}

/** Rows of `activity` with no vector from `model` for their current text (the worker's backlog). */
export function embeddingBacklog(db: TreasuryDatabase, model?: string): number {
  const current = model ?? vectorModel(db)?.model;
  if (!current) return (db.prepare("SELECT count(*) FROM activity").pluck().get() as number) ?? 0;
  return db
    .prepare(
      `SELECT count(*) FROM activity a LEFT JOIN activity_embeddings e ON e.activity_id = a.id
        WHERE e.activity_id IS NULL OR e.model != ? OR e.content_hash != a.content_hash`,
    )
    .pluck()
    .get(current) as number;
}
