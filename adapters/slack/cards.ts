import { findSimilarPastPayment } from "../../assistant/similar-payment.ts";
import { assistantContext } from "./assistant-entry.ts";
import type { TreasuryContext } from "../../core/context.ts";
import { describeSafeTx } from "../../core/safe/describe.ts";
import { buildProposalCard, escapeText, type ProposalCard } from "./card.ts";
import { getProposal } from "../../core/proposals/view.ts";
import { listProposalUpdates } from "../../db/proposals.ts";
import { reviewUrl } from "../web/pages/urls.ts";
import type { SlackDeps } from "./deps.ts";
import { safeTxTextContext } from "./names.ts";
import { postOnce } from "./post-once.ts";
import { findProposalCard, findProposalCardAt, listCardedProposalsOnSameNonce, recordProposalCard, setProposalCardPermalink } from "../../db/discussion.ts";
import { lastProposalUpdateId, listNonceRivals } from "../../db/proposals.ts";
import { hasCursor, hasProposalJobInFlight, readCursor, readProposalOrigin, writeCursor } from "../../db/slack.ts";
import { safeTxParts, safeTxProposalTitle } from "./safe-tx-text.ts";
import { multiSendAddresses } from "../../core/safe/setup.ts";
import { findAppProposal } from "../../db/tx-service.ts";
import { boundSafeId } from "../../db/safes.ts";
import { channelsOfTreasury } from "./safes.ts";

export type CardMessage = { channelId: string; messageTs: string; permalink: string | null };

/** Where a proposal's card is, or undefined when it has none. */
export function findCard(ctx: TreasuryContext, safeTxHash: string): CardMessage | undefined {
  const card = findProposalCard(ctx.db, safeTxHash);
  return card && { channelId: card.channelId, messageTs: card.messageTs, permalink: card.permalink };
}

/** The proposal whose card is this message (a thread's parent), if any. */
export function proposalOfCard(ctx: TreasuryContext, channelId: string, messageTs: string): string | undefined {
  return findProposalCardAt(ctx.db, channelId, messageTs)?.safeTxHash;
}

/** Renders the card of a proposal as it is stored now. */
export async function renderCard(deps: SlackDeps, ctx: TreasuryContext, safeTxHash: string): Promise<ProposalCard> {
  const proposal = await getProposal(ctx, safeTxHash);
  const conflicts = proposal.status === "pending" ? listNonceRivals(ctx.db, { ...proposal, safeAddress: ctx.safeAddress }) : [];
  const call =
    proposal.transfers.length === 0 && proposal.kind !== "rejection"
      ? describeSafeTx({
          safeAddress: ctx.safeAddress,
          multiSendAddresses: multiSendAddresses(ctx.safe),
          call: proposal.safeTx,
        })
      : undefined;
  return buildProposalCard(proposal, {
    call: call && { title: safeTxProposalTitle(call), lines: safeTxParts(call, proposal.nonce, safeTxTextContext(ctx, { mentions: false }), "proposed") },
    reviewUrl: reviewUrl(ctx, proposal),
    proposerSlackUserId: readProposalOrigin(deps.ctx.db, safeTxHash)?.slackUserId ?? null,
    fromSafeApp: findAppProposal(ctx.db, safeTxHash) !== undefined,
    conflicts,
    explorerTxUrl: deps.settings.explorerTxUrl,
  });
}

/**
 * Posts a proposal's card once (a retry or a restart finds the card it
 * posted) and records it in `proposal_messages`, so its thread and updates
 * find it.
 */
export async function publishCard(
  deps: SlackDeps,
  ctx: TreasuryContext,
  { safeTxHash, channelId, threadTs }: { safeTxHash: string; channelId: string; threadTs?: string },
): Promise<CardMessage> {
  const existing = findCard(ctx, safeTxHash);
  if (existing) return existing;
  const card = await renderCard(deps, ctx, safeTxHash);
  const { messageTs, channel } = await postOnce(deps.ctx.db, deps.api, {
    key: `card:${safeTxHash}`,
    message: { channel: channelId, text: card.text, blocks: card.blocks, thread_ts: threadTs },
    onPosted: (ts) => recordProposalCard(ctx.db, { safeTxHash, channelId, messageTs: ts }),
  });
  const permalink = (await deps.api.permalink(channel, messageTs)) ?? null;
  if (permalink) setProposalCardPermalink(ctx.db, safeTxHash, permalink);
  // Proactive help, once per proposal: an earlier payment to the same payee that this one resembles.
  const similar = findSimilarPastPayment(assistantContext(deps, ctx), safeTxHash);
  if (similar)
    await postOnce(deps.ctx.db, deps.api, {
      key: `similar:${safeTxHash}`,
      message: { channel, thread_ts: threadTs ?? messageTs, text: escapeText(similar.message, 1000) },
    });
  return { channelId: channel, messageTs, permalink };
}

/** Updates a card in place with chat.update. Returns false when the proposal has no card. */
export async function refreshCard(deps: SlackDeps, ctx: TreasuryContext, safeTxHash: string): Promise<boolean> {
  const card = findCard(ctx, safeTxHash);
  if (!card) return false;
  const rendered = await renderCard(deps, ctx, safeTxHash);
  await deps.api.update({ channel: card.channelId, ts: card.messageTs, text: rendered.text, blocks: rendered.blocks });
  return true;
}

const cursorName = (ctx: TreasuryContext) => `proposal_updates:${ctx.chainId}:${ctx.safeAddress}`;

/** True when the treasury's cards have followed every proposal update up to `newest` (`cursors`: `listCursors`). */
export function cardsFollowed(ctx: TreasuryContext, cursors: Map<string, number>, newest: number): boolean {
  return (cursors.get(cursorName(ctx)) ?? 0) >= newest;
}

/** On first start the cursor begins at the newest update: history is not re-announced. */
export function initCardCursor(deps: SlackDeps, ctx: TreasuryContext): void {
  if (hasCursor(deps.ctx.db, cursorName(ctx))) return;
  writeCursor(deps.ctx.db, cursorName(ctx), lastProposalUpdateId(ctx.db));
}

/**
 * Follows `proposal_updates` with a durable cursor and updates each changed
 * proposal's card (and the cards on the same nonce, which may now conflict).
 * A proposal made outside Slack (CLI, web) gets a card in its Safe's
 * channel (the default channel for the default Safe); another Safe's updates
 * are not read here (its own treasury follows them). The cursor advances only past updates whose cards are done, so a
 * crash repeats an update (chat.update is idempotent) and never skips one; once every update of this Safe up to the
 * newest is done, it moves past the other Safes' updates in one write.
 */
export async function followProposalUpdates(deps: SlackDeps, ctx: TreasuryContext): Promise<number> {
  const name = cursorName(ctx);
  const after = readCursor(deps.ctx.db, name);
  const newest = lastProposalUpdateId(ctx.db);
  if (newest <= after) return 0;
  const limit = 200;
  const updates = listProposalUpdates(ctx.db, { after, limit, safeId: boundSafeId(ctx.db) });
  const done = new Set<string>();
  let handled = 0;
  let position = after;
  for (const update of updates) {
    if (!done.has(update.safeTxHash)) {
      if (!findCard(ctx, update.safeTxHash) && update.change === "created") {
        // A Slack proposal in flight posts its own card, where it was asked for: wait for it.
        if (hasProposalJobInFlight(deps.ctx.db)) return handled;
        const home = channelsOfTreasury(deps, ctx)[0];
        if (!readProposalOrigin(deps.ctx.db, update.safeTxHash) && home) {
          const proposal = await getProposal(ctx, update.safeTxHash, { warnings: false });
          if (proposal.status === "pending") await publishCard(deps, ctx, { safeTxHash: update.safeTxHash, channelId: home });
        }
      }
      await refreshCard(deps, ctx, update.safeTxHash);
      for (const sibling of listCardedProposalsOnSameNonce(ctx.db, update.safeTxHash))
        if (!done.has(sibling) && (await refreshCard(deps, ctx, sibling))) done.add(sibling);
      done.add(update.safeTxHash);
    }
    writeCursor(deps.ctx.db, name, (position = update.id));
    handled += 1;
  }
  // Every update of this Safe up to `newest` is done (the list was not cut short): the others' are not this treasury's.
  if (updates.length < limit && newest > position) writeCursor(deps.ctx.db, name, newest);
  return handled;
}
