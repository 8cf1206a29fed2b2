import type { Embedder } from "../search/embedder.ts";
import type { ReadableDatabase } from "../db/handle.ts";
import { readMeta } from "../db/meta.ts";
import { indexedHead } from "../db/ledger/state.ts";
import type { Logger } from "../core/logger.ts";

/** The settings the assistant reads (a full `Config` fits). */
export type AssistantConfig = {
  OPENAI_BASE_URL?: string;
  OPENAI_MODEL?: string;
  OPENAI_API_KEY?: string;
  EXPLORER_URL?: string;
};

/**
 * What the assistant needs: a database it only reads, and its settings. A full
 * `TreasuryContext` fits (then safety answers also run the live checks); so
 * does `{ db, config }` opened from DATABASE_PATH alone (the CLI answers with
 * no chain running). The assistant never writes a proposal, a signature or a
 * transaction, and never calls a write path.
 */
export type AssistantContext = {
  db: ReadableDatabase;
  config: AssistantConfig;
  chainId?: number;
  logger?: Logger;
  /** The embedder for the query side of search (the background worker embeds the activity). */
  embedder?: Embedder;
  /** Unix seconds "now" for relative periods; default: the latest indexed block. */
  now?: number;
};

/** A receipt an answer points at: a transaction, a chat message, or a proposal. */
export type Citation = { kind: "tx" | "message" | "proposal"; ref: string; label: string; url?: string };

export function chainIdOf(ctx: AssistantContext): number | undefined {
  if (ctx.chainId !== undefined) return ctx.chainId;
  const stored = readMeta(ctx.db, "chain_id");
  return stored ? Number(stored) : undefined;
}

const chainNames: Record<number, string> = {
  1: "Ethereum",
  10: "Optimism",
  100: "Gnosis",
  137: "Polygon",
  8453: "Base",
  42161: "Arbitrum",
  11155111: "Sepolia",
  31337: "local chain 31337",
};

export function chainLabel(ctx: AssistantContext): string {
  const id = chainIdOf(ctx);
  return id === undefined ? "this chain" : (chainNames[id] ?? `chain ${id}`);
}

/**
 * "Now" for relative periods ("this year"): the time of the latest indexed
 * block, so answers over a replayed history mean the history's present. Falls
 * back to the clock when nothing is indexed.
 */
export function referenceNow(ctx: AssistantContext): { at: number; source: "latest block" | "clock" | "given" } {
  if (ctx.now !== undefined) return { at: ctx.now, source: "given" };
  const head = indexedHead(ctx.db);
  return head ? { at: head.timestamp, source: "latest block" } : { at: Math.floor(Date.now() / 1000), source: "clock" };
}

export function txCitation(ctx: AssistantContext, txHash: string, label: string): Citation {
  const base = ctx.config.EXPLORER_URL?.replace(/\/$/, "");
  return { kind: "tx", ref: txHash, label, url: base ? `${base}/tx/${txHash}` : undefined };
}

export function messageCitation(ref: string, label: string, permalink: string | null): Citation {
  return { kind: "message", ref, label, url: permalink ?? undefined };
}

export function proposalCitation(safeTxHash: string, label: string, permalink: string | null): Citation {
  return { kind: "proposal", ref: safeTxHash, label, url: permalink ?? undefined };
}

export function dateOf(unix: number): string {
  return new Date(unix * 1000).toISOString().slice(0, 10);
}

export function dedupeCitations(citations: Citation[]): Citation[] {
  const seen = new Set<string>();
  return citations.filter((c) => (seen.has(c.ref) ? false : (seen.add(c.ref), true)));
}
