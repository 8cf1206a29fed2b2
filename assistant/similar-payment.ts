import { connectionOf } from "../db/connection.ts";
import { loadDirectory } from "../search/activity.ts";
import { formatAmountForPeople } from "../core/money.ts";
import { dateOf, txCitation, type AssistantContext, type Citation } from "./context.ts";

export type SimilarPastPayment = {
  safeTxHash: string;
  txHash: string;
  date: string;
  payee: string;
  amount: string;
  symbol: string;
  memo: string;
  /** 0..1: how alike the texts are (vector cosine similarity, or shared words when no vectors exist yet). */
  similarity: number;
  /** Same payee, token and amount, and an invoice number in common: likely paid twice. */
  possibleDuplicate: boolean;
  citation: Citation;
  /** One line to post in the proposal's thread. */
  message: string;
};

const words = (text: string) => new Set(text.toLowerCase().match(/[\p{L}\p{N}-]+/gu) ?? []);
const invoiceRefs = (text: string) => new Set((text.match(/\b[A-Z]{2,}-?\d[\w-]*/g) ?? []).map((s) => s.toUpperCase()));

/**
 * The earlier executed payment a proposal most resembles: same payee and
 * token, an amount within half to double, ranked by the similarity of their
 * descriptions (embeddings when both are embedded, shared words otherwise)
 * and closeness of amount. Undefined when nothing comparable was paid before.
 * Read-only; the Slack adapter decides to post it (once per proposal).
 */
export function findSimilarPastPayment(ctx: AssistantContext, safeTxHash: string): SimilarPastPayment | undefined {
  const db = ctx.db;
  const proposal = connectionOf(db).prepare("SELECT safe_tx_hash, memo, created_at FROM proposals WHERE safe_tx_hash = ?").get(safeTxHash) as
    | { safe_tx_hash: string; memo: string; created_at: number }
    | undefined;
  if (!proposal) return undefined;
  const transfer = connectionOf(db).prepare("SELECT token, to_address, amount FROM proposal_transfers WHERE safe_tx_hash = ? ORDER BY batch_index LIMIT 1").get(safeTxHash) as
    | { token: string | null; to_address: string; amount: string }
    | undefined;
  if (!transfer) return undefined;
  const amount = BigInt(transfer.amount);
  const candidates = connectionOf(db)
    .prepare(
      `SELECT p.safe_tx_hash, p.amount, p.tx_hash, p.block_time, p.batch_index, coalesce(pr.memo, '') AS memo
         FROM payments p LEFT JOIN proposals pr ON pr.safe_tx_hash = p.safe_tx_hash
        WHERE lower(p.to_address) = lower(?) AND coalesce(lower(p.token), '') = coalesce(lower(?), '') AND p.safe_tx_hash != ?`,
    )
    .all(transfer.to_address, transfer.token, safeTxHash) as { safe_tx_hash: string; amount: string; tx_hash: string; block_time: number; batch_index: number; memo: string }[];
  const comparable = candidates.filter((c) => {
    const other = BigInt(c.amount);
    return other * 2n >= amount && other <= amount * 2n;
  });
  if (comparable.length === 0) return undefined;

  const activityId = (ref: string) => connectionOf(db).prepare("SELECT id FROM activity WHERE ref = ?").pluck().get(ref) as number | undefined;
  const proposalVectorId = activityId(`proposal:${safeTxHash}`);
  const vectorSimilarity = connectionOf(db).prepare(
    "SELECT 1 - vec_distance_cosine(a.embedding, b.embedding) FROM activity_vectors a, activity_vectors b WHERE a.activity_id = ? AND b.activity_id = ?",
  );
  const ownWords = words(proposal.memo);
  const ownRefs = invoiceRefs(proposal.memo);
  let best: { score: number; similarity: number; candidate: (typeof comparable)[number] } | undefined;
  for (const candidate of comparable) {
    let similarity: number | undefined;
    const otherId = activityId(`payment:${candidate.safe_tx_hash}:${candidate.batch_index}`);
    if (proposalVectorId !== undefined && otherId !== undefined) {
      try {
        similarity = vectorSimilarity.pluck().get(BigInt(proposalVectorId), BigInt(otherId)) as number | undefined;
      } catch {
        similarity = undefined;
      }
    }
    if (similarity === undefined || similarity === null) {
      const other = words(candidate.memo);
      const shared = [...ownWords].filter((w) => other.has(w)).length;
      similarity = ownWords.size + other.size ? (2 * shared) / (ownWords.size + other.size) : 0;
    }
    const ratio = Number(BigInt(candidate.amount) * 1000n / amount) / 1000;
    const amountCloseness = 1 - Math.min(1, Math.abs(Math.log(ratio)) / Math.log(2));
    const score = 0.6 * similarity + 0.4 * amountCloseness;
    if (!best || score > best.score) best = { score, similarity, candidate };
  }
  if (!best) return undefined;
  const directory = loadDirectory(db);
  const token = directory.token(transfer.token);
  const payee = directory.nameOf(transfer.to_address);
  const c = best.candidate;
  const sameAmount = BigInt(c.amount) === amount;
  const sharedRef = [...invoiceRefs(c.memo)].some((ref) => ownRefs.has(ref));
  const possibleDuplicate = sameAmount && sharedRef;
  const formatted = formatAmountForPeople(BigInt(c.amount), token.decimals);
  const citation = txCitation(ctx, c.tx_hash, `${formatted} ${token.symbol} to ${payee} on ${dateOf(c.block_time)}`);
  const where = citation.url ?? c.tx_hash;
  const message = possibleDuplicate
    ? `Possible duplicate: ${formatted} ${token.symbol} was already paid to ${payee} on ${dateOf(c.block_time)} for “${c.memo}” (${where}).`
    : `Similar earlier payment: ${formatted} ${token.symbol} to ${payee} on ${dateOf(c.block_time)} for “${c.memo}” (${where}).`;
  return {
    safeTxHash: c.safe_tx_hash,
    txHash: c.tx_hash,
    date: dateOf(c.block_time),
    payee,
    amount: formatAmountForPeople(BigInt(c.amount), token.decimals).replaceAll(",", ""),
    symbol: token.symbol,
    memo: c.memo,
    similarity: Math.round(best.similarity * 1000) / 1000,
    possibleDuplicate,
    citation,
    message,
  };
}
