import { matchActivityText, readActivityByIds, type ActivityFilters, type ActivityRow } from "../db/activity.ts";
import type { ReadableDatabase } from "../db/handle.ts";
import { embeddingBacklog, vectorModel } from "../db/vectors.ts";
import { shortMessageOf } from "../core/errors.ts";
import type { Embedder } from "./embedder.ts";
import { nearestActivities } from "./vectors.ts";

/** Narrowing applied to both the text and the vector side. Times are unix seconds, `to` exclusive. */
export type SearchFilters = ActivityFilters;

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

const fusionK = 60;
const sideDepth = 50;

/**
 * Hybrid search over activity: bm25 full-text ranking and vector nearness
 * fused by reciprocal rank (k = 60), both narrowed by the same filters.
 * Synchronous and read-only; pass `queryVector` to include the vector side.
 */
export function searchActivity(db: ReadableDatabase, { query, filters, limit = 10, queryVector, vectorMode }: SearchActivityParameters): SearchHit[] {
  const fused = new Map<number, { score: number; matchedBy: Set<"text" | "meaning"> }>();
  const add = (id: number, rank: number, side: "text" | "meaning") => {
    const entry = fused.get(id) ?? { score: 0, matchedBy: new Set() };
    entry.score += 1 / (fusionK + rank + 1);
    entry.matchedBy.add(side);
    fused.set(id, entry);
  };

  // Rows with every word first (a short list to rank even in a large history), then rows with any word.
  const depth = Math.max(sideDepth, limit);
  const every = ftsQuery(query, "AND");
  if (every) {
    const textHits = matchActivityText(db, { match: every, filters, limit: depth });
    const any = ftsQuery(query, "OR");
    if (textHits.length < limit && any && any !== every) {
      const seen = new Set(textHits);
      for (const id of matchActivityText(db, { match: any, filters, limit: depth })) if (!seen.has(id)) textHits.push(id);
    }
    textHits.slice(0, depth).forEach((id, rank) => add(id, rank, "text"));
  }

  if (queryVector) {
    const near = nearestActivities(db, queryVector, { limit: Math.max(10, limit), mode: vectorMode, filters });
    near.forEach((row, rank) => add(row.id, rank, "meaning"));
  }

  const ranked = [...fused.entries()].sort((a, b) => b[1].score - a[1].score).slice(0, limit);
  if (ranked.length === 0) return [];
  const byId = new Map<number, ActivityRow>();
  for (const activity of readActivityByIds(db, ranked.map(([id]) => id))) byId.set(activity.id, activity);
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
export async function hybridSearch(db: ReadableDatabase, { embedder, embedTimeoutMs = 3000, ...params }: HybridSearchParameters): Promise<HybridSearchReturnType> {
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
