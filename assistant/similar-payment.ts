import { activitySimilarity, pastPaymentsLike, proposalHead, type PastPayment } from "../db/ledger/similar.ts";
import { directoryOf } from "./directory.ts";
import { nameOfAddress, tokenOf } from "./execute/resolve.ts";
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
  const proposal = proposalHead(db, safeTxHash);
  const transfer = proposal?.transfer;
  if (!proposal || !transfer) return undefined;
  const amount = BigInt(transfer.amount);
  const comparable = pastPaymentsLike(db, { to: transfer.to, token: transfer.token, except: safeTxHash }).filter((c) => {
    const other = BigInt(c.amount);
    return other * 2n >= amount && other <= amount * 2n;
  });
  if (comparable.length === 0) return undefined;

  const ownWords = words(proposal.memo);
  const ownRefs = invoiceRefs(proposal.memo);
  let best: { score: number; similarity: number; candidate: PastPayment } | undefined;
  for (const candidate of comparable) {
    let similarity = activitySimilarity(db, `proposal:${safeTxHash}`, `payment:${candidate.safeTxHash}:${candidate.batchIndex}`);
    if (similarity === undefined) {
      const other = words(candidate.memo);
      const shared = [...ownWords].filter((w) => other.has(w)).length;
      similarity = ownWords.size + other.size ? (2 * shared) / (ownWords.size + other.size) : 0;
    }
    const ratio = Number((BigInt(candidate.amount) * 1000n) / amount) / 1000;
    const amountCloseness = 1 - Math.min(1, Math.abs(Math.log(ratio)) / Math.log(2));
    const score = 0.6 * similarity + 0.4 * amountCloseness;
    if (!best || score > best.score) best = { score, similarity, candidate };
  }
  if (!best) return undefined;
  const { directory } = directoryOf(db);
  const token = tokenOf(directory, transfer.token);
  const payee = nameOfAddress(directory, transfer.to);
  const c = best.candidate;
  const sameAmount = BigInt(c.amount) === amount;
  const sharedRef = [...invoiceRefs(c.memo)].some((ref) => ownRefs.has(ref));
  const possibleDuplicate = sameAmount && sharedRef;
  const formatted = formatAmountForPeople(BigInt(c.amount), token.decimals);
  const citation = txCitation(ctx, c.txHash, `${formatted} ${token.symbol} to ${payee} on ${dateOf(c.blockTime)}`);
  const where = citation.url ?? c.txHash;
  const message = possibleDuplicate
    ? `Possible duplicate: ${formatted} ${token.symbol} was already paid to ${payee} on ${dateOf(c.blockTime)} for “${c.memo}” (${where}).`
    : `Similar earlier payment: ${formatted} ${token.symbol} to ${payee} on ${dateOf(c.blockTime)} for “${c.memo}” (${where}).`;
  return {
    safeTxHash: c.safeTxHash,
    txHash: c.txHash,
    date: dateOf(c.blockTime),
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
