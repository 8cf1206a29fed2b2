import { insertDiscussionMessage, recordProposalCard as storeProposalCard, type NewDiscussionMessage } from "../db/discussion.ts";
import type { TreasuryContext } from "./context.ts";
import { InvalidInputError } from "./errors.ts";

/** The longest message text stored (Slack's own limit is 40,000 characters). */
export const maxDiscussionText = 40_000;

export type RecordProposalCardParameters = Parameters<typeof storeProposalCard>[1];

/** Records the chat message that carries a proposal's card, so its thread is the proposal's discussion. Idempotent. */
export function recordProposalCard(ctx: Pick<TreasuryContext, "db">, card: RecordProposalCardParameters): void {
  storeProposalCard(ctx.db, card);
}

/** A message as the chat gives it; `postedAt` (unix seconds) defaults to now. */
export type RecordDiscussionMessageParameters = Omit<NewDiscussionMessage, "postedAt"> & { postedAt?: number };

/**
 * Keeps a message of a proposal's discussion as data (never as an
 * instruction), once: a redelivered message changes nothing. Text longer than
 * `maxDiscussionText` is cut. Returns true when it was stored.
 */
export function recordDiscussionMessage(ctx: Pick<TreasuryContext, "db" | "now">, message: RecordDiscussionMessageParameters): boolean {
  if (!message.channelId || !message.messageTs) throw new InvalidInputError("A discussion message needs its channel and timestamp.");
  return insertDiscussionMessage(ctx.db, { ...message, text: message.text.slice(0, maxDiscussionText), postedAt: message.postedAt ?? ctx.now() });
}
