import type { TreasuryContext } from "../../core/context.ts";
import { proposalOfCard } from "./cards.ts";
import type { SlackDeps } from "./deps.ts";
import { maxDiscussionText, recordDiscussionMessage } from "../../core/discussion.ts";
import { deleteDiscussionMessage, editDiscussionMessage, findProposalCardAt, hasDiscussionMessage, setDiscussionMessagePermalink } from "../../db/discussion.ts";
import { findMemberBySlackUser } from "../../db/people.ts";
import type { ProposalCardAt } from "../../db/slack.ts";

/** A message event reduced to what the discussion store needs. */
export type DiscussionEvent =
  | { change: "posted"; channel: string; ts: string; threadTs: string; user: string; text: string }
  | { change: "edited"; channel: string; ts: string; text: string; editedAt: number }
  | { change: "deleted"; channel: string; ts: string };

/**
 * Reads a Slack `message` event: a reply in a thread, an edit
 * (`message_changed`) or a deletion (`message_deleted`). Returns undefined for
 * everything else (top-level messages, bot messages, joins).
 */
export function discussionEventOf(event: Record<string, any>): DiscussionEvent | undefined {
  if (event?.type !== "message" || typeof event.channel !== "string") return undefined;
  if (event.subtype === "message_changed") {
    const message = event.message ?? {};
    if (typeof message.ts !== "string" || typeof message.text !== "string" || message.bot_id) return undefined;
    const editedAt = Number(message.edited?.ts ?? event.event_ts ?? Date.now() / 1000);
    return { change: "edited", channel: event.channel, ts: message.ts, text: message.text.slice(0, maxDiscussionText), editedAt: Math.floor(editedAt) };
  }
  if (event.subtype === "message_deleted") {
    const ts = event.deleted_ts ?? event.previous_message?.ts;
    return typeof ts === "string" ? { change: "deleted", channel: event.channel, ts } : undefined;
  }
  if (event.subtype && event.subtype !== "thread_broadcast" && event.subtype !== "file_share") return undefined;
  if (event.bot_id || typeof event.user !== "string") return undefined;
  if (typeof event.thread_ts !== "string" || event.thread_ts === event.ts || typeof event.ts !== "string") return undefined;
  return { change: "posted", channel: event.channel, ts: event.ts, threadTs: event.thread_ts, user: event.user, text: String(event.text ?? "").slice(0, maxDiscussionText) };
}

/** True when the event may concern a stored discussion (a reply in a card's thread, or an edit/deletion of a stored message). */
export function concernsDiscussion(ctx: TreasuryContext, event: DiscussionEvent): boolean {
  if (event.change === "posted") return proposalOfCard(ctx, event.channel, event.threadTs) !== undefined;
  return hasDiscussionMessage(ctx.db, event.channel, event.ts);
}

/**
 * Stores a reply in a proposal card's thread as data for the assistant and
 * search, or applies an edit or deletion to the stored copy (a deleted
 * message keeps its row with empty text and `deleted_at`). Idempotent.
 * `known`: the reply's card as found when it came in (saves reading it again).
 */
export async function storeDiscussion(
  deps: SlackDeps,
  ctx: TreasuryContext,
  event: DiscussionEvent,
  known?: ProposalCardAt,
): Promise<"stored" | "edited" | "deleted" | "ignored"> {
  if (event.change === "edited") {
    return editDiscussionMessage(ctx.db, { channelId: event.channel, messageTs: event.ts, text: event.text, editedAt: event.editedAt }) ? "edited" : "ignored";
  }
  if (event.change === "deleted") {
    return deleteDiscussionMessage(ctx.db, { channelId: event.channel, messageTs: event.ts, deletedAt: ctx.now() }) ? "deleted" : "ignored";
  }
  // A card's row never moves to another proposal: the one found when the reply came in is still it. Its link may have
  // come since, so a card known without one is read again.
  const card = known?.permalink ? known : findProposalCardAt(ctx.db, event.channel, event.threadTs);
  if (!card) return "ignored";
  const authorName = findMemberBySlackUser(ctx.db, event.user)?.name ?? (await deps.api.userName(event.user));
  // The reply's link, built from the card's when it can be (no Web API call); else asked of Slack once it is stored.
  const builtPermalink = replyPermalink(card.permalink, event);
  const stored = recordDiscussionMessage(ctx, {
    safeTxHash: card.safeTxHash,
    channelId: event.channel,
    messageTs: event.ts,
    threadTs: event.threadTs,
    authorId: event.user,
    authorName,
    text: event.text,
    permalink: builtPermalink,
    postedAt: Math.floor(Number(event.ts)),
  });
  if (stored && !builtPermalink) {
    const permalink = await deps.api.permalink(event.channel, event.ts);
    if (permalink) setDiscussionMessagePermalink(ctx.db, event.channel, event.ts, permalink);
  }
  return stored ? "stored" : "ignored";
}

/**
 * The permalink of a reply in a card's thread, built from the card's own
 * permalink (which chat.getPermalink returned) the way Slack writes thread
 * links: `…/archives/<channel>/p<ts without the dot>?thread_ts=<parent ts>&cid=<channel>`.
 * Saves a Web API call per reply; undefined (ask Slack) when the card's link
 * does not have that shape.
 */
export function replyPermalink(cardPermalink: string | null | undefined, reply: { channel: string; ts: string; threadTs: string }): string | undefined {
  const match = cardPermalink?.match(/^(https:\/\/[^/?#]+\/archives\/)([A-Z0-9]+)\/p\d{16}$/);
  const digits = reply.ts.replace(".", "");
  if (!match || match[2] !== reply.channel || !/^\d{10}\.\d{6}$/.test(reply.ts) || !/^\d{10}\.\d{6}$/.test(reply.threadTs)) return undefined;
  return `${match[1]}${reply.channel}/p${digits}?thread_ts=${reply.threadTs}&cid=${reply.channel}`;
}
