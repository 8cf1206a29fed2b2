import { randomBytes } from "node:crypto";
import { connectionOf, engineOf, idList, statement } from "./connection.ts";
import type { ReadableDatabase, TreasuryDatabase } from "./handle.ts";
import { readMeta, writeMeta } from "./meta.ts";
import { createPgvectorTable, deletePgvector, pgvectorTableDimensions, writePgvector } from "./pgvector.ts";
import { lockVectorStore, readVectorStoreSettings } from "./vector-store.ts";

/**
 * The embeddings of activity rows: float vectors (`activity_vectors`), their
 * binary-quantized copies in a sqlite-vec vec0 table (`activity_vec_bit`), and
 * which model made each (`activity_embeddings`). On PostgreSQL, which has no
 * vec0, only the floats are stored: the binary copies are quantized from them
 * when the in-memory index loads, and exact distances are computed here; or,
 * when pgvector serves (db/vector-store.ts), the vectors go to pgvector's
 * table instead (db/pgvector.ts) and `activity_vectors` stays empty. This
 * module is the only writer of `activity_vectors`, `activity_vec_bit` and
 * `activity_embeddings`. Every write stores a new random token in meta
 * (`search_vectors_version`) in its transaction and returns the token before
 * and after, so an in-memory copy of the vectors knows whether it is current.
 */

const versionKey = "search_vectors_version";

/** The token before and after a write of the vector tables. */
export type VectorsVersionChange = { before: string | undefined; after: string };

/** The current version token of the vector tables. */
export function readVectorsVersion(db: ReadableDatabase): string | undefined {
  return readMeta(db, versionKey);
}

/** Stores a new version token (call inside the writing transaction). */
export function bumpVectorsVersion(db: TreasuryDatabase): VectorsVersionChange {
  const before = readMeta(db, versionKey);
  const after = randomBytes(8).toString("hex");
  writeMeta(db, versionKey, after);
  return { before, after };
}

/** The model and vector length the vector tables hold now. */
export function vectorModel(db: ReadableDatabase): { model: string; dimensions: number } | undefined {
  const model = readMeta(db, "search_embedding_model");
  const dimensions = Number(readMeta(db, "search_embedding_dimensions") ?? "0");
  return model ? { model, dimensions } : undefined;
}

/** The vector size the store's table is made for (SQLite's vec0 table, pgvector's column; the in-process store on PostgreSQL has none of its own). */
function currentBitDimensions(db: ReadableDatabase): number | undefined {
  if (engineOf(db) === "postgres") return readVectorStoreSettings(db).store === "pgvector" ? pgvectorTableDimensions(db) : vectorModel(db)?.dimensions;
  const row = statement(db, "SELECT sql FROM sqlite_master WHERE name = 'activity_vec_bit'").get() as { sql: string } | undefined;
  const match = row ? /bit\[(\d+)\]/.exec(row.sql) : null;
  return match ? Number(match[1]) : undefined;
}

/**
 * Makes the vector tables hold vectors of `model` with `dimensions` values.
 * When another model (or size) is recorded, every vector and its bookkeeping
 * is dropped, so the embedding worker re-embeds everything with the new model:
 * vectors of two models are never mixed. Returns the version change when it
 * reset them, else undefined.
 */
export function prepareVectorTables(db: TreasuryDatabase, model: string, dimensions: number): (VectorsVersionChange & { replacedModel: boolean }) | undefined {
  const current = vectorModel(db);
  if (current && current.model === model && current.dimensions === dimensions && currentBitDimensions(db) === dimensions) return undefined;
  if (!Number.isInteger(dimensions) || dimensions <= 0 || dimensions % 8 !== 0 || dimensions > 8192)
    throw new Error(`Unsupported embedding size ${dimensions} (need a positive multiple of 8).`);
  const connection = connectionOf(db);
  return connection.transaction(() => {
    lockVectorStore(db, "shared");
    const { store, schema } = readVectorStoreSettings(db);
    if (engineOf(db) === "sqlite") resetSqliteVectorTables(db, current !== undefined, dimensions);
    else if (store === "pgvector" && schema) createPgvectorTable(db, schema, dimensions);
    connection.exec("DELETE FROM activity_vectors; DELETE FROM activity_embeddings;");
    const change = bumpVectorsVersion(db);
    writeMeta(db, "search_embedding_model", model);
    writeMeta(db, "search_embedding_dimensions", String(dimensions));
    return { ...change, replacedModel: current !== undefined };
  })();
}

/** SQLite's vec0 table of binary vectors, made for `dimensions` (remade when the size changes, else emptied). */
function resetSqliteVectorTables(db: TreasuryDatabase, hadModel: boolean, dimensions: number): void {
  const connection = connectionOf(db);
  // (An early layout kept floats in a vec0 table too; chunked blobs make its point reads slow.)
  connection.exec("DROP TABLE IF EXISTS activity_vec; CREATE TABLE IF NOT EXISTS activity_vectors (activity_id INTEGER PRIMARY KEY, embedding BLOB NOT NULL);");
  if (currentBitDimensions(db) !== dimensions) {
    connection.exec("DROP TABLE IF EXISTS activity_vec_bit;");
    connection.exec(`CREATE VIRTUAL TABLE activity_vec_bit USING vec0 (embedding bit[${dimensions}]);`);
  } else if (hadModel) connection.exec("DELETE FROM activity_vec_bit;");
}

export type StoredVector = { id: number; contentHash: string; vector: Float32Array };

const blobOf = (vector: Float32Array) => Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);

/** Rows with vectors as one JSON parameter, for PostgreSQL's `json_to_recordset` (the vector as `embedding`, in base64). */
const vectorsJson = <T extends { vector: Float32Array }>(rows: readonly T[]) =>
  JSON.stringify(rows.map(({ vector, ...rest }) => ({ ...rest, embedding: blobOf(vector).toString("base64") })));

/**
 * Stores vectors (float and binary-quantized, or in pgvector when it serves)
 * and records their model, in one transaction. Rows removed while they were
 * being embedded are skipped.
 * Returns the vectors written and the version change.
 */
export function writeVectors(db: TreasuryDatabase, model: string, vectors: readonly StoredVector[]): { written: StoredVector[]; change: VectorsVersionChange } {
  const insertFloat = statement(
    db,
    "INSERT INTO activity_vectors (activity_id, embedding) VALUES (?, ?) ON CONFLICT (activity_id) DO UPDATE SET embedding = excluded.embedding",
  );
  const binary = engineOf(db) === "sqlite";
  const deleteBit = binary ? statement(db, "DELETE FROM activity_vec_bit WHERE rowid = ?") : undefined;
  const insertBit = binary ? statement(db, "INSERT INTO activity_vec_bit (rowid, embedding) VALUES (?, vec_quantize_binary(?))") : undefined;
  const record = statement(
    db,
    `INSERT INTO activity_embeddings (activity_id, model, content_hash, embedded_at) VALUES (?, ?, ?, unixepoch())
     ON CONFLICT (activity_id) DO UPDATE SET model = excluded.model, content_hash = excluded.content_hash,
       embedded_at = excluded.embedded_at`,
  );
  const exists = connectionOf(db).prepare("SELECT 1 FROM activity WHERE id = ?").pluck();
  return connectionOf(db).transaction(() => {
    lockVectorStore(db, "shared");
    const pgvector = readVectorStoreSettings(db).store === "pgvector";
    if (engineOf(db) === "postgres" && !pgvector) return { written: writeFloatVectorsAtOnce(db, model, vectors), change: bumpVectorsVersion(db) };
    const written: StoredVector[] = [];
    for (const stored of vectors) {
      const { id, contentHash, vector } = stored;
      const rowid = BigInt(id);
      if (!exists.get(rowid)) continue;
      const blob = blobOf(vector);
      if (pgvector) writePgvector(db, id, vector);
      else insertFloat.run(rowid, blob);
      deleteBit?.run(rowid);
      insertBit?.run(rowid, blob);
      record.run(rowid, model, contentHash);
      written.push(stored);
    }
    return { written, change: bumpVectorsVersion(db) };
  })();
}

/**
 * `writeVectors` on PostgreSQL without pgvector: the float vectors of live rows and their records in one statement,
 * not three per vector (each a round trip).
 */
function writeFloatVectorsAtOnce(db: TreasuryDatabase, model: string, vectors: readonly StoredVector[]): StoredVector[] {
  const live = new Set(
    (
      statement(
        db,
        `WITH given AS (
           SELECT g.id, decode(g.embedding, 'base64') AS embedding, g.hash FROM json_to_recordset(?::json) AS g(id bigint, embedding text, hash text)
         ), live AS (
           SELECT given.* FROM given JOIN activity a ON a.id = given.id
         ), floats AS (
           INSERT INTO activity_vectors (activity_id, embedding) SELECT id, embedding FROM live
           ON CONFLICT (activity_id) DO UPDATE SET embedding = excluded.embedding
         ), recorded AS (
           INSERT INTO activity_embeddings (activity_id, model, content_hash, embedded_at) SELECT id, ?, hash, unixepoch() FROM live
           ON CONFLICT (activity_id) DO UPDATE SET model = excluded.model, content_hash = excluded.content_hash, embedded_at = excluded.embedded_at
         )
         SELECT id FROM live`,
      )
        .pluck()
        .all(vectorsJson(vectors.map(({ id, contentHash, vector }) => ({ id, hash: contentHash, vector }))), model) as number[]
    ).map(Number),
  );
  return vectors.filter((stored) => live.has(stored.id));
}

/** Deletes the vectors of an activity row (call inside the transaction that removes the row). */
export function deleteVectorsOf(db: TreasuryDatabase, id: number): void {
  const rowid = BigInt(id);
  lockVectorStore(db, "shared");
  const { store, dimensions } = readVectorStoreSettings(db);
  if (store === "pgvector" && dimensions) deletePgvector(db, id); // (pgvector's table is made with the first model)
  statement(db, "DELETE FROM activity_vectors WHERE activity_id = ?").run(rowid);
  if (engineOf(db) === "sqlite") statement(db, "DELETE FROM activity_vec_bit WHERE rowid = ?").run(rowid);
  statement(db, "DELETE FROM activity_embeddings WHERE activity_id = ?").run(rowid);
}

/** Up to `limit` float vectors of `activity_vectors` with ids above `after`, in id order (moving them to pgvector). */
export function readFloatVectors(db: ReadableDatabase, after: number, limit: number): { id: number; vector: Float32Array }[] {
  return (statement(db, "SELECT activity_id, embedding FROM activity_vectors WHERE activity_id > ? ORDER BY activity_id LIMIT ?").raw().all(after, limit) as [number, Buffer][]).map(
    ([id, blob]) => ({ id: Number(id), vector: floatsOf(blob) }),
  );
}

/** Stores many float vectors in one statement, on PostgreSQL (moving them in from pgvector). Call inside the moving transaction. */
export function writeFloatVectors(db: TreasuryDatabase, rows: readonly { id: number; vector: Float32Array }[]): void {
  if (rows.length === 0) return;
  statement(
    db,
    `INSERT INTO activity_vectors (activity_id, embedding)
     SELECT r.id, decode(r.embedding, 'base64') FROM json_to_recordset(?::json) AS r(id bigint, embedding text)
     ON CONFLICT (activity_id) DO UPDATE SET embedding = excluded.embedding`,
  ).run(vectorsJson(rows));
}

/** Empties `activity_vectors` (its vectors moved to pgvector). Call inside the moving transaction. */
export function clearFloatVectors(db: TreasuryDatabase): void {
  statement(db, "DELETE FROM activity_vectors").run();
}

/** Activity rows with no vector from `model` for their current text (the embedding worker's backlog), oldest first. */
export function listRowsToEmbed(db: ReadableDatabase, model: string, limit: number): { id: number; title: string; body: string; contentHash: string }[] {
  return statement(
    db,
    `SELECT a.id, a.title, a.body, a.content_hash AS contentHash FROM activity a
       LEFT JOIN activity_embeddings e ON e.activity_id = a.id
      WHERE e.activity_id IS NULL OR e.model != ? OR e.content_hash != a.content_hash
      ORDER BY a.id LIMIT ?`,
  ).all(model, limit) as { id: number; title: string; body: string; contentHash: string }[];
}

/** How many activity rows have no vector from `model` (or the current model) for their current text. */
export function embeddingBacklog(db: ReadableDatabase, model?: string): number {
  const current = model ?? vectorModel(db)?.model;
  if (!current) return (statement(db, "SELECT count(*) FROM activity").pluck().get() as number) ?? 0;
  return statement(
    db,
    `SELECT count(*) FROM activity a LEFT JOIN activity_embeddings e ON e.activity_id = a.id
      WHERE e.activity_id IS NULL OR e.model != ? OR e.content_hash != a.content_hash`,
  )
    .pluck()
    .get(current) as number;
}

/** How many vectors the serving store holds (`activity_vectors`, or pgvector's table). */
export function countStoredVectors(db: ReadableDatabase): number {
  const { store, dimensions } = readVectorStoreSettings(db);
  if (store === "pgvector") return dimensions ? Number(statement(db, "SELECT count(*) FROM activity_pgvectors").pluck().get()) : 0;
  return Number(statement(db, "SELECT count(*) FROM activity_vectors").pluck().get());
}

/** How many rows hold an embedding. */
export function countEmbeddings(db: ReadableDatabase): number {
  return (statement(db, "SELECT count(*) FROM activity_embeddings").pluck().get() as number) ?? 0;
}

/**
 * Calls `put` with every binary-quantized vector of `bytes` bytes. The fast
 * path reads sqlite-vec's vec0 storage tables (chunks of `size` slots: a
 * validity bitmap, int64 rowids and the packed vectors) directly, about 50
 * times faster than `SELECT ... FROM activity_vec_bit`, which costs seconds at
 * a million rows. Any surprise in that layout (another sqlite-vec version)
 * falls back to the plain scan; `reset` is called before the fallback runs.
 */
export function readBinaryVectors(db: ReadableDatabase, bytes: number, put: (id: number, bits: Uint8Array) => void, reset: () => void): void {
  if (engineOf(db) === "postgres") {
    for (const [id, blob] of statement(db, "SELECT activity_id, embedding FROM activity_vectors").raw().iterate() as IterableIterator<[number, Buffer]>) {
      const bits = quantizeBinary(floatsOf(blob));
      if (bits.length === bytes) put(Number(id), bits);
    }
    return;
  }
  if (readBinaryVectorChunks(db, bytes, put)) return;
  reset();
  for (const row of connectionOf(db).prepare("SELECT rowid AS id, embedding FROM activity_vec_bit").raw().iterate() as IterableIterator<[number | bigint, Buffer]>) {
    if (row[1].length !== bytes) continue;
    put(Number(row[0]), row[1]);
  }
}

function readBinaryVectorChunks(db: ReadableDatabase, bytes: number, put: (id: number, bits: Uint8Array) => void): boolean {
  try {
    const connection = connectionOf(db);
    const expected = connection.prepare("SELECT count(*) FROM activity_vec_bit_rowids").pluck().get() as number;
    const chunks = connection
      .prepare(
        `SELECT c.size, c.validity, c.rowids, v.vectors FROM activity_vec_bit_chunks c
           JOIN activity_vec_bit_vector_chunks00 v ON v.rowid = c.chunk_id ORDER BY c.chunk_id`,
      )
      .raw()
      .iterate() as IterableIterator<[number, Buffer, Buffer, Buffer]>;
    let read = 0;
    for (const [size, validity, rowids, vectors] of chunks) {
      if (validity.length !== Math.ceil(size / 8) || rowids.length !== size * 8 || vectors.length !== size * bytes) return false;
      for (let slot = 0; slot < size; slot++) {
        if (!(validity[slot >> 3] & (1 << (slot & 7)))) continue;
        put(Number(rowids.readBigInt64LE(slot * 8)), vectors.subarray(slot * bytes, (slot + 1) * bytes));
        read++;
      }
    }
    return read === expected;
  } catch {
    return false;
  }
}

/** The `limit` rows nearest to `query` by exact cosine distance over every float vector (a full scan). */
export function exactNearest(db: ReadableDatabase, query: Float32Array, limit: number): { id: number; distance: number }[] {
  if (engineOf(db) === "postgres") return nearestOf(statement(db, "SELECT activity_id, embedding FROM activity_vectors").raw().all() as [number, Buffer][], query, limit);
  return (
    statement(db, "SELECT activity_id AS id, vec_distance_cosine(embedding, ?) AS distance FROM activity_vectors ORDER BY distance LIMIT ?").all(blobOf(query), limit) as {
      id: number;
      distance: number;
    }[]
  ).map((row) => ({ id: Number(row.id), distance: row.distance }));
}

/** The `k` rows nearest to `query` by Hamming distance, from sqlite-vec's own KNN over the binary vectors. */
export function binaryNearest(db: ReadableDatabase, query: Float32Array, k: number): number[] {
  if (engineOf(db) === "postgres") throw new Error("PostgreSQL has no vec0 KNN here: the in-memory binary index serves its vector search.");
  return (
    statement(db, "SELECT rowid AS id FROM activity_vec_bit WHERE embedding MATCH vec_quantize_binary(?) AND k = ?").all(blobOf(query), k) as { id: number | bigint }[]
  ).map((row) => Number(row.id));
}

/** Rescores candidate rows by exact cosine distance to `query`, nearest first. */
export function rescoreNearest(db: ReadableDatabase, query: Float32Array, ids: readonly number[], limit: number): { id: number; distance: number }[] {
  if (engineOf(db) === "postgres")
    return nearestOf(statement(db, `SELECT activity_id, embedding FROM activity_vectors WHERE activity_id IN (${idList(db)})`).raw().all(JSON.stringify(ids)) as [number, Buffer][], query, limit);
  return (
    statement(
      db,
      `SELECT activity_id AS id, vec_distance_cosine(embedding, ?) AS distance FROM activity_vectors
        WHERE activity_id IN (${idList(db)}) ORDER BY distance LIMIT ?`,
    ).all(blobOf(query), JSON.stringify(ids), limit) as { id: number; distance: number }[]
  ).map((row) => ({ id: Number(row.id), distance: row.distance }));
}

/**
 * The binary-quantized copy of a vector, as sqlite-vec's `vec_quantize_binary`
 * makes it: bit i (least significant first in each byte) is set when value i is positive.
 */
export function quantizeBinary(vector: Float32Array): Uint8Array {
  const bits = new Uint8Array(Math.ceil(vector.length / 8));
  for (let i = 0; i < vector.length; i++) if (vector[i]! > 0) bits[i >> 3]! |= 1 << (i & 7);
  return bits;
}

const floatsOf = (blob: Buffer) => new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));

/**
 * Cosine distance as sqlite-vec's `vec_distance_cosine` gives it, to the bit:
 * 1 - cos(a, b), with its sums kept in 32-bit floats and its result a 32-bit float.
 */
function cosineDistance(a: Float32Array, b: Float32Array): number {
  const f32 = Math.fround;
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    dot = f32(dot + f32(a[i]! * b[i]!));
    aa = f32(aa + f32(a[i]! * a[i]!));
    bb = f32(bb + f32(b[i]! * b[i]!));
  }
  return f32(1 - dot / (Math.sqrt(aa) * Math.sqrt(bb)));
}

/** The `limit` rows nearest to `query` among stored float vectors, by exact cosine distance (computed here, for PostgreSQL). */
function nearestOf(rows: [number, Buffer][], query: Float32Array, limit: number): { id: number; distance: number }[] {
  return rows
    .map(([id, blob]) => ({ id: Number(id), distance: cosineDistance(floatsOf(blob), query) }))
    .sort((a, b) => a.distance - b.distance || a.id - b.id)
    .slice(0, limit);
}
