import { findSimilarPastPayment } from "../../assistant/similar-payment.ts";
import type { TreasuryContext } from "../../core/context.ts";
import { describeSafeTx } from "../../core/safe/describe.ts";
import { buildProposalCard, escapeText, type ProposalCard } from "./card.ts";
import { getProposal, listProposalUpdates, reviewUrl } from "./core.ts";
import type { SlackDeps } from "./deps.ts";
import { safeTxTextContext } from "./names.ts";
import { postOnce } from "./post-once.ts";
import { safeTxParts, safeTxProposalTitle } from "./safe-tx-text.ts";
import { readCursor, readProposalOrigin, statement, writeCursor } from "./store.ts";

export type CardMessage = { channelId: string; messageTs: string; permalink: string | null };

/** Where a proposal's card is, or undefined when it has none. */
export function findCard(ctx: TreasuryContext, safeTxHash: string): CardMessage | undefined {
  const row = ctx.db.prepare("SELECT channel_id, message_ts, permalink FROM proposal_messages WHERE safe_tx_hash = ?").get(safeTxHash) as
    | { channel_id: string; message_ts: string; permalink: string | null }
    | undefined;
  return row && { channelId: row.channel_id, messageTs: row.message_ts, permalink: row.permalink };
}

/** The proposal whose card is this message (a thread's parent), if any. */
export function proposalOfCard(ctx: TreasuryContext, channelId: string, messageTs: string): string | undefined {
  const row = statement(ctx.db, "SELECT safe_tx_hash FROM proposal_messages WHERE channel_id = ? AND message_ts = ?").get(channelId, messageTs) as
    | { safe_tx_hash: string }
    | undefined;
  return row?.safe_tx_hash;
}

/** Renders the card of a proposal as it is stored now. */
export async function renderCard(deps: SlackDeps, ctx: TreasuryContext, safeTxHash: string): Promise<ProposalCard> {
  const proposal = await getProposal(ctx, safeTxHash);
  const conflicts =
    proposal.status === "pending"
      ? (ctx.db
          .prepare("SELECT safe_tx_hash AS safeTxHash, memo FROM proposals WHERE nonce = ? AND status = 'pending' AND safe_tx_hash != ? AND safe_address = ? AND kind != 'rejection' AND ? != 'rejection'")
          .all(proposal.nonce, proposal.safeTxHash, ctx.safeAddress, proposal.kind) as Array<{ safeTxHash: string; memo: string }>)
      : [];
  const call =
    proposal.transfers.length === 0 && proposal.kind !== "rejection"
      ? describeSafeTx({
          safeAddress: ctx.safeAddress,
          multiSendAddresses: [ctx.deployment.contracts.multiSend, ctx.deployment.contracts.multiSendCallOnly],
          call: proposal.safeTx,
        })
      : undefined;
  return buildProposalCard(proposal, {
    call: call && { title: safeTxProposalTitle(call), lines: safeTxParts(call, proposal.nonce, safeTxTextContext(ctx, { mentions: false }), "proposed") },
    reviewUrl: reviewUrl(ctx, proposal),
    proposerSlackUserId: readProposalOrigin(deps.ctx.db, safeTxHash)?.slackUserId ?? null,
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
    onPosted: (ts) =>
      ctx.db
        .prepare("INSERT INTO proposal_messages (safe_tx_hash, channel_id, message_ts) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
        .run(safeTxHash, channelId, ts),
  });
  const permalink = (await deps.api.permalink(channel, messageTs)) ?? null;
  if (permalink) ctx.db.prepare("UPDATE proposal_messages SET permalink = ? WHERE safe_tx_hash = ?").run(permalink, safeTxHash);
  // Proactive help, once per proposal: an earlier payment to the same payee that this one resembles.
  const similar = findSimilarPastPayment(ctx, safeTxHash);
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

/** On first start the cursor begins at the newest update: history is not re-announced. */
export function initCardCursor(deps: SlackDeps, ctx: TreasuryContext): void {
  const known = deps.ctx.db.prepare("SELECT 1 FROM slack_cursors WHERE name = ?").get(cursorName(ctx));
  if (known) return;
  const row = ctx.db.prepare("SELECT MAX(id) AS id FROM proposal_updates").get() as { id: number | null };
  writeCursor(deps.ctx.db, cursorName(ctx), row.id ?? 0);
}

/**
 * Follows `proposal_updates` with a durable cursor and updates each changed
 * proposal's card (and the cards on the same nonce, which may now conflict).
 * A proposal made outside Slack (CLI, web) gets a card in the default
 * channel. The cursor advances only past updates whose cards are done, so a
 * crash repeats an update (chat.update is idempotent) and never skips one.
 */
export async function followProposalUpdates(deps: SlackDeps, ctx: TreasuryContext): Promise<number> {
  const name = cursorName(ctx);
  const updates = listProposalUpdates(ctx.db, { after: readCursor(deps.ctx.db, name), limit: 200 });
  if (updates.length === 0) return 0;
  const done = new Set<string>();
  let handled = 0;
  for (const update of updates) {
    if (!done.has(update.safeTxHash)) {
      if (!findCard(ctx, update.safeTxHash) && update.change === "created") {
        // A Slack proposal in flight posts its own card, where it was asked for: wait for it.
        const inFlight = deps.ctx.db
          .prepare("SELECT 1 FROM slack_jobs WHERE kind IN ('propose', 'action') AND status IN ('pending', 'running') LIMIT 1")
          .get();
        if (inFlight) break;
        if (!readProposalOrigin(deps.ctx.db, update.safeTxHash) && deps.settings.defaultChannel) {
          const proposal = await getProposal(ctx, update.safeTxHash, { warnings: false });
          if (proposal.status === "pending") await publishCard(deps, ctx, { safeTxHash: update.safeTxHash, channelId: deps.settings.defaultChannel });
        }
      }
      await refreshCard(deps, ctx, update.safeTxHash);
      const siblings = ctx.db
        .prepare("SELECT p.safe_tx_hash FROM proposals p JOIN proposal_messages m ON m.safe_tx_hash = p.safe_tx_hash WHERE p.nonce = (SELECT nonce FROM proposals WHERE safe_tx_hash = ?) AND p.safe_tx_hash != ?")
        .all(update.safeTxHash, update.safeTxHash) as Array<{ safe_tx_hash: string }>;
      for (const sibling of siblings) if (!done.has(sibling.safe_tx_hash) && (await refreshCard(deps, ctx, sibling.safe_tx_hash))) done.add(sibling.safe_tx_hash);
      done.add(update.safeTxHash);
    }
    writeCursor(deps.ctx.db, name, update.id);
    handled += 1;
  }
  return handled;
}
