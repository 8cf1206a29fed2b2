import { activityFilterSql, hasFilters, type ActivityFilters } from "./activity-filters.ts";
import { connectionOf, statement } from "./connection.ts";
import { DatabaseError } from "./errors.ts";
import type { ReadableDatabase, TreasuryDatabase } from "./handle.ts";
import { PostgresError } from "./postgres/connection.ts";
import { readVectorStoreSettings } from "./vector-store.ts";

/**
 * pgvector's side of the vectors on PostgreSQL: the `vector` extension (made
 * once per database, in `public`), the table `activity_pgvectors` (one
 * `vector(n)` per embedded activity row, with an HNSW index for cosine
 * distance where pgvector can index that many dimensions), and the nearest-row
 * search in SQL. This module is the only writer of `activity_pgvectors`.
 *
 * The extension's types and operators are always named with its schema
 * (`"public".vector`, `OPERATOR("public".<=>)`): the connection's search_path
 * holds only the treasury's own schema, and each test database is a schema of
 * its own that is dropped with CASCADE, so the extension must live outside it.
 */

/** The role may not create the `vector` extension (or the server refused it for another reason). */
export class PgvectorRefusedError extends DatabaseError {
  override name = "PgvectorRefusedError";
}

/** How pgvector searches vectors of a size: HNSW over `vector` (up to 2,000 dimensions), HNSW over a half-precision copy (up to 4,000), or an exact scan. */
export type PgvectorIndexKind = "hnsw" | "hnsw-halfvec" | "exact";

/** The index pgvector can keep for `dimensions` values (its HNSW limits: 2,000 for vector, 4,000 for halfvec). */
export function pgvectorIndexKind(dimensions: number): PgvectorIndexKind {
  if (dimensions <= 2000) return "hnsw";
  if (dimensions <= 4000) return "hnsw-halfvec";
  return "exact";
}

/** Whether the server offers pgvector, and the schema it is installed in (undefined while it is not). */
export function pgvectorOffer(db: ReadableDatabase): { offered: boolean; schema: string | undefined } {
  const row = statement(
    db,
    `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') AS offered,
            (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'vector') AS schema`,
  ).get() as { offered: boolean | number; schema: string | null };
  return { offered: Boolean(row.offered), schema: row.schema ?? undefined };
}

const duplicate = new Set(["23505", "42710"]); // unique_violation, duplicate_object: another session created it first

/**
 * Makes the `vector` extension exist in this database, in `public` unless it
 * is installed elsewhere already, and returns its schema. Processes of every
 * treasury schema in the database may call it at once: a database-wide
 * advisory lock lets one create it, and a duplicate from a creator outside
 * the lock is read as success. Throws `PgvectorRefusedError` with the
 * server's reason when it cannot be created (not a superuser, say); the
 * caller's transaction, if any, goes on unharmed.
 */
export function installPgvector(db: TreasuryDatabase): string {
  const connection = connectionOf(db);
  const installed = () => pgvectorOffer(db).schema;
  try {
    return connection.transaction(() => {
      statement(db, "SELECT pg_advisory_xact_lock(hashtext('treasury.pgvector.extension'))").get();
      const schema = installed();
      if (schema) return schema;
      connection.exec("CREATE EXTENSION IF NOT EXISTS vector SCHEMA public");
      return installed()!;
    })();
  } catch (error) {
    if (error instanceof PostgresError && error.code && duplicate.has(error.code)) {
      const schema = installed();
      if (schema) return schema;
    }
    const reason = error instanceof DatabaseError ? error.shortMessage : String(error);
    throw new PgvectorRefusedError(`PostgreSQL would not create the vector extension: ${reason}`, { cause: error });
  }
}

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The size of the `vector(n)` column of `activity_pgvectors`, or undefined when the table does not exist. */
export function pgvectorTableDimensions(db: ReadableDatabase): number | undefined {
  const size = statement(db, "SELECT atttypmod FROM pg_attribute WHERE attrelid = to_regclass('activity_pgvectors') AND attname = 'embedding'").pluck().get() as
    | number
    | undefined;
  return size === undefined ? undefined : Number(size);
}

/**
 * (Re)makes `activity_pgvectors` empty, for vectors of `dimensions` values, in
 * the caller's transaction; with its index unless `index` is false (a bulk
 * fill builds the index afterwards, which is much faster).
 */
export function createPgvectorTable(db: TreasuryDatabase, schema: string, dimensions: number, { index = true }: { index?: boolean } = {}): void {
  const connection = connectionOf(db);
  connection.exec("DROP TABLE IF EXISTS activity_pgvectors");
  connection.exec(`CREATE TABLE activity_pgvectors (activity_id BIGINT PRIMARY KEY, embedding ${quoted(schema)}.vector(${dimensions}) NOT NULL)`);
  if (index) createPgvectorIndex(db, schema, dimensions);
}

/**
 * Adds the HNSW index for cosine distance that `dimensions` allows (none above 4,000). Over rows already
 * stored, the build gets the memory to hold its graph (up to 1 GB, for this transaction only): a graph
 * that does not fit is built on disk, several times slower.
 */
export function createPgvectorIndex(db: TreasuryDatabase, schema: string, dimensions: number): void {
  const kind = pgvectorIndexKind(dimensions);
  const s = quoted(schema);
  if (kind === "exact") return;
  const rows = Number(statement(db, "SELECT count(*) FROM activity_pgvectors").pluck().get());
  const graphKb = Math.min(1024 * 1024, Math.ceil((rows * (dimensions * (kind === "hnsw" ? 4 : 2) + 512) * 1.2) / 1024));
  statement(
    db,
    "SELECT set_config('maintenance_work_mem', ?, true) WHERE ?::bigint > (SELECT setting::bigint FROM pg_settings WHERE name = 'maintenance_work_mem')",
  ).get(`${graphKb}kB`, graphKb);
  if (kind === "hnsw") connectionOf(db).exec(`CREATE INDEX activity_pgvectors_hnsw ON activity_pgvectors USING hnsw (embedding ${s}.vector_cosine_ops)`);
  if (kind === "hnsw-halfvec")
    connectionOf(db).exec(`CREATE INDEX activity_pgvectors_hnsw ON activity_pgvectors USING hnsw ((embedding::${s}.halfvec(${dimensions})) ${s}.halfvec_cosine_ops)`);
}

/** Drops `activity_pgvectors` (the vectors moved to the in-process store). */
export function dropPgvectorTable(db: TreasuryDatabase): void {
  connectionOf(db).exec("DROP TABLE IF EXISTS activity_pgvectors");
}

/** pgvector's text form of a vector. Each 32-bit float prints exactly, so pgvector stores the same bits. */
const vectorText = (vector: Float32Array) => `[${Array.from(vector).join(",")}]`;

/** Stores (or replaces) one row's vector. Call inside the writing transaction. */
export function writePgvector(db: TreasuryDatabase, id: number, vector: Float32Array): void {
  statement(db, "INSERT INTO activity_pgvectors (activity_id, embedding) VALUES (?, ?) ON CONFLICT (activity_id) DO UPDATE SET embedding = excluded.embedding").run(
    BigInt(id),
    vectorText(vector),
  );
}

/** Stores many rows' vectors in one statement (moving vectors in from the in-process store). */
export function writePgvectors(db: TreasuryDatabase, schema: string, rows: readonly { id: number; vector: Float32Array }[]): void {
  if (rows.length === 0) return;
  statement(
    db,
    `INSERT INTO activity_pgvectors (activity_id, embedding)
     SELECT r.id, r.embedding::${quoted(schema)}.vector FROM json_to_recordset(?::json) AS r(id bigint, embedding text)
     ON CONFLICT (activity_id) DO UPDATE SET embedding = excluded.embedding`,
  ).run(JSON.stringify(rows.map(({ id, vector }) => ({ id, embedding: vectorText(vector) }))));
}

/** Deletes one row's vector. Call inside the transaction that removes the row. */
export function deletePgvector(db: TreasuryDatabase, id: number): void {
  statement(db, "DELETE FROM activity_pgvectors WHERE activity_id = ?").run(BigInt(id));
}

/** Up to `limit` stored vectors with ids above `after`, in id order (moving vectors out to the in-process store). */
export function readPgvectors(db: ReadableDatabase, after: number, limit: number): { id: number; vector: Float32Array }[] {
  return (
    statement(db, "SELECT activity_id, embedding::text FROM activity_pgvectors WHERE activity_id > ? ORDER BY activity_id LIMIT ?").raw().all(after, limit) as [
      number,
      string,
    ][]
  ).map(([id, text]) => ({ id: Number(id), vector: Float32Array.from(JSON.parse(text) as number[]) }));
}

/** Cosine similarity (1 - cosine distance) of two rows' stored vectors; undefined when either has none. */
export function pgvectorSimilarity(db: ReadableDatabase, a: number, b: number): number | undefined {
  const { schema } = readVectorStoreSettings(db);
  if (!schema || pgvectorTableDimensions(db) === undefined) return undefined;
  const value = statement(
    db,
    `SELECT 1 - (a.embedding OPERATOR(${quoted(schema)}.<=>) b.embedding) FROM activity_pgvectors a, activity_pgvectors b WHERE a.activity_id = ? AND b.activity_id = ?`,
  )
    .pluck()
    .get(BigInt(a), BigInt(b)) as number | null | undefined;
  return value ?? undefined;
}

export type PgvectorNearestParameters = {
  limit: number;
  /** Only rows matching these filters (applied in SQL, with the handle's Safe). */
  filters?: ActivityFilters;
  /** Cosine distance to every (matching) row instead of the HNSW index. */
  exact?: boolean;
};

/**
 * The rows nearest to `query` by cosine distance (pgvector's `<=>`), smallest
 * first, ties by id.
 *
 * Guarantees: rows that do not match `filters` never appear, and fewer than
 * `limit` rows come back only when fewer rows match. With an HNSW index the
 * rows are approximately the nearest: the index is searched with
 * `hnsw.ef_search` = max(100, 2 × limit) and pgvector's iterative scan; with
 * filters, the index's nearest max(40 × limit, 400) rows are filtered, and
 * when fewer than `limit` of them match, every matching row is scored
 * instead (so a narrow filter gets exact answers). `exact`, and sizes above
 * 4,000 dimensions, score every matching row.
 */
export function pgvectorNearest(db: ReadableDatabase, query: Float32Array, { limit, filters, exact = false }: PgvectorNearestParameters): { id: number; distance: number }[] {
  const { schema, dimensions } = readVectorStoreSettings(db);
  if (!schema || !dimensions) return [];
  if (query.length !== dimensions) throw new DatabaseError(`The query has ${query.length} dimensions, but the stored vectors have ${dimensions}.`);
  const s = quoted(schema);
  const where = filters && hasFilters(filters) ? activityFilterSql(filters) : undefined;
  const named = { query: vectorText(query) };
  const distance = `v.embedding OPERATOR(${s}.<=>) @query::${s}.vector`;
  const rows = (sql: string, params: unknown[]) =>
    (statement(db, sql).raw().all(...params, named) as [number, number][]).map(([id, d]) => ({ id: Number(id), distance: Number(d) }));
  const matching = where ? `JOIN activity a ON a.id = v.activity_id WHERE ${where.sql}` : "";
  const exactly = () =>
    // OFFSET 0 keeps the planner from reading the index for this ORDER BY: every matching row is scored.
    rows(`SELECT id, distance FROM (SELECT v.activity_id AS id, ${distance} AS distance FROM activity_pgvectors v ${matching} OFFSET 0) s ORDER BY distance, id LIMIT ?`, [
      ...(where?.params ?? []),
      limit,
    ]);
  const kind = exact ? "exact" : pgvectorIndexKind(dimensions);
  if (kind === "exact") return exactly();
  const order = kind === "hnsw" ? distance : `(v.embedding::${s}.halfvec(${dimensions})) OPERATOR(${s}.<=>) @query::${s}.halfvec(${dimensions})`;
  statement(db, "SELECT set_config('hnsw.ef_search', ?, false), set_config('hnsw.iterative_scan', 'relaxed_order', false)").get(String(Math.min(1000, Math.max(100, limit * 2))));
  // The index gives the candidates (relaxed order) with nothing else in their query, so the planner always reads it;
  // the outer query filters them and orders them by exact distance, then id.
  const candidates = `SELECT v.activity_id, ${distance} AS distance FROM activity_pgvectors v ORDER BY ${order} LIMIT ?`;
  const near = where
    ? rows(
        `SELECT c.activity_id AS id, c.distance FROM (${candidates}) c JOIN activity a ON a.id = c.activity_id WHERE ${where.sql} ORDER BY c.distance, c.activity_id LIMIT ?`,
        [Math.max(limit * 40, 400), ...where.params, limit],
      )
    : rows(`SELECT activity_id AS id, distance FROM (${candidates}) c ORDER BY distance, activity_id`, [limit]);
  return near.length < limit ? exactly() : near;
}
