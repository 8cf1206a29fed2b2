import type { TreasuryDatabase } from "../db/database.ts";
import { shortMessageOf } from "../core/errors.ts";
import { activityFromSql, type ActivityKind, type ActivityRow } from "./activity.ts";
import type { Embedder } from "./embedder.ts";
import { embeddingBacklog, nearestActivities, vectorModel } from "./vectors.ts";

/** Narrowing applied to both the text and the vector side. Times are unix seconds, `to` exclusive. */
export type SearchFilters = {
  from?: number;
  to?: number;
  kinds?: ActivityKind[];
  /** A token symbol ("USDC", "ETH") or address. */
  token?: string;
  /** An address, or a name matched against the counterparty's label. */
  counterparty?: string;
};

export type SearchHit = ActivityRow & {
  /** Reciprocal-rank-fusion score (higher is better). */
  score: number;
  matchedBy: ("text" | "meaning")[];
};

export type SearchActivityParameters = {
  query: string;
  filters?: SearchFilters;
  limit?: number;
  /** The query's embedding (same model as the stored vectors); without it, text search only. */
  queryVector?: Float32Array;
  vectorMode?: "binary" | "exact";
};

const stopwords = new Set(
  `a an the and or of to in on at for by with from as is are was were be been it its this that these those what which who whom
   whose why how when where did do does done we us our you your i me my they them their he she his her has have had
   much many any some all about into than then there here can could would should will shall may might please tell show
   give list find me much`.split(/\s+/),
);

/** Words of a question, lower-cased, as FTS5 sees them (letters and digits only). */
export function queryWords(text: string): string[] {
  return (text.normalize("NFKC").toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 64);
}

/**
 * Turns free text into a safe FTS5 query: every word quoted (so `"NEAR(`,
 * `AND`, `*`, quotes and brackets are just text), stop words dropped when
 * others remain, joined with OR so bm25 ranks rows matching more words first.
 * Returns undefined when nothing searchable is left.
 */
export function ftsQuery(text: string, join: "OR" | "AND" = "OR"): string | undefined {
  const words = queryWords(text);
  const content = words.filter((word) => !stopwords.has(word));
  const chosen = [...new Set(content.length > 0 ? content : words)].slice(0, 24);
  if (chosen.length === 0) return undefined;
  return chosen.map((word) => `"${word.replaceAll('"', "")}"`).join(` ${join} `);
}

/** SQL conditions over `activity a` for the filters. */
export function filterSql(filters: SearchFilters = {}): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filters.from !== undefined) {
    clauses.push("a.occurred_at >= ?");
    params.push(Math.floor(filters.from));
  }
  if (filters.to !== undefined) {
    clauses.push("a.occurred_at < ?");
    params.push(Math.floor(filters.to));
  }
  if (filters.kinds && filters.kinds.length > 0) {
    clauses.push(`a.kind IN (${filters.kinds.map(() => "?").join(", ")})`);
    params.push(...filters.kinds);
  }
  if (filters.token) {
    if (/^0x[0-9a-fA-F]{40}$/.test(filters.token)) {
      clauses.push("lower(a.token) = lower(?)");
      params.push(filters.token);
    } else {
      clauses.push("upper(a.symbol) = upper(?)");
      params.push(filters.token);
    }
  }
  if (filters.counterparty) {
    if (/^0x[0-9a-fA-F]{40}$/.test(filters.counterparty)) {
      clauses.push("lower(a.counterparty) = lower(?)");
      params.push(filters.counterparty);
    } else {
      clauses.push("a.counterparty_label LIKE ? ESCAPE '\\'");
      params.push(`%${filters.counterparty.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
  }
  return { sql: clauses.length ? clauses.join(" AND ") : "1", params };
}

const fusionK = 60;
const sideDepth = 50;

/**
 * Hybrid search over activity: bm25 full-text ranking and vector nearness
 * fused by reciprocal rank (k = 60), both narrowed by the same filters.
 * Synchronous and read-only; pass `queryVector` to include the vector side.
 */
export function searchActivity(db: TreasuryDatabase, { query, filters, limit = 10, queryVector, vectorMode }: SearchActivityParameters): SearchHit[] {
  const where = filterSql(filters);
  const fused = new Map<number, { score: number; matchedBy: Set<"text" | "meaning"> }>();
  const add = (id: number, rank: number, side: "text" | "meaning") => {
    const entry = fused.get(id) ?? { score: 0, matchedBy: new Set() };
    entry.score += 1 / (fusionK + rank + 1);
    entry.matchedBy.add(side);
    fused.set(id, entry);
  };

  // Rows with every word first (a short list to rank even in a large history), then rows with any word.
  const depth = Math.max(sideDepth, limit);
  // Without filters the ranking reads only the FTS index: joining `activity` first would look up
  // every matching row (thousands in a large history) before the LIMIT.
  const textSearch = db.prepare(
    where.sql === "1"
      ? `SELECT rowid AS id FROM activity_fts WHERE activity_fts MATCH ? ORDER BY bm25(activity_fts, 3.0, 1.0) LIMIT ?`
      : `SELECT a.id AS id FROM activity_fts JOIN activity a ON a.id = activity_fts.rowid
          WHERE activity_fts MATCH ? AND ${where.sql}
          ORDER BY bm25(activity_fts, 3.0, 1.0) LIMIT ?`,
  );
  const every = ftsQuery(query, "AND");
  if (every) {
    const textHits = textSearch.all(every, ...where.params, depth) as { id: number }[];
    const any = ftsQuery(query, "OR");
    if (textHits.length < limit && any && any !== every) {
      const seen = new Set(textHits.map((row) => Number(row.id)));
      for (const row of textSearch.all(any, ...where.params, depth) as { id: number }[]) if (!seen.has(Number(row.id))) textHits.push(row);
    }
    textHits.slice(0, depth).forEach((row, rank) => add(Number(row.id), rank, "text"));
  }

  if (queryVector) {
    const filtered = where.sql !== "1";
    const keep = filtered
      ? (ids: number[]) =>
          new Set(
            (
              db
                .prepare(`SELECT a.id FROM activity a WHERE a.id IN (SELECT value FROM json_each(?)) AND ${where.sql}`)
                .pluck()
                .all(JSON.stringify(ids), ...where.params) as number[]
            ).map(Number),
          )
      : undefined;
    const near = nearestActivities(db, queryVector, { limit: Math.max(10, limit), mode: vectorMode, keep });
    near.forEach((row, rank) => add(row.id, rank, "meaning"));
  }

  const ranked = [...fused.entries()].sort((a, b) => b[1].score - a[1].score).slice(0, limit);
  if (ranked.length === 0) return [];
  const byId = new Map<number, ActivityRow>();
  for (const row of db
    .prepare("SELECT * FROM activity WHERE id IN (SELECT value FROM json_each(?))")
    .all(JSON.stringify(ranked.map(([id]) => id))) as Record<string, unknown>[]) {
    const activity = activityFromSql(row);
    byId.set(activity.id, activity);
  }
  return ranked
    .filter(([id]) => byId.has(id))
    .map(([id, entry]) => ({ ...byId.get(id)!, score: entry.score, matchedBy: [...entry.matchedBy] }));
}

export type HybridSearchParameters = Omit<SearchActivityParameters, "queryVector"> & {
  embedder?: Embedder;
  /** How long to wait for the query's embedding before searching by words only (default 3 s). */
  embedTimeoutMs?: number;
};

export type HybridSearchReturnType = {
  hits: SearchHit[];
  /** "hybrid" when vectors took part, "text" when the search used words only. */
  mode: "hybrid" | "text";
  /** Why the search used words only, and the embedding backlog, when it did. */
  note?: string;
};

/**
 * Searches with words and meaning. Only the question is embedded here (the
 * activity was embedded by the background worker). When no vectors from this
 * embedder exist yet, or the model does not answer within `embedTimeoutMs`
 * (still loading, endpoint down), it searches by words only and says so,
 * with the number of rows still waiting for embeddings.
 */
export async function hybridSearch(db: TreasuryDatabase, { embedder, embedTimeoutMs = 3000, ...params }: HybridSearchParameters): Promise<HybridSearchReturnType> {
  let queryVector: Float32Array | undefined;
  let reason: string | undefined;
  const stored = vectorModel(db);
  if (!embedder) reason = "no embedding model is configured";
  else if (!stored || stored.model !== embedder.model) reason = `no activity has been embedded with ${embedder.model} yet`;
  else if (queryWords(params.query).length === 0) reason = undefined;
  else {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the embedding model did not answer within ${embedTimeoutMs} ms`)), embedTimeoutMs);
      });
      [queryVector] = await Promise.race([embedder.embed([params.query.slice(0, 2000)]), timeout]);
    } catch (error) {
      reason = shortMessageOf(error);
    } finally {
      clearTimeout(timer);
    }
  }
  const hits = searchActivity(db, { ...params, queryVector });
  if (queryVector) return { hits, mode: "hybrid" };
  if (!reason) return { hits, mode: "text" };
  const backlog = embeddingBacklog(db, embedder?.model);
  return {
    hits,
    mode: "text",
    note: `Searched by words only (${reason})${backlog > 0 ? `; ${backlog} activity rows are waiting for embeddings` : ""}.`,
  };
}
