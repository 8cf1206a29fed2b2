import type { TreasuryDatabase } from "../../db/handle.ts";
import { readPost, recordPostIntent, recordPosted } from "../../db/slack.ts";
import type { SlackApi, SlackMessage } from "./web-api.ts";

/** The metadata event type on every message the bot posts once; its payload carries the post key. */
export const postMetadataType = "treasury_post";

export type PostOnceParameters = {
  /** What this message is, e.g. `outbox:12`, `card:0xabc…`, `nudge:0xabc…:0xOwner`. */
  key: string;
  message: SlackMessage;
  /** Runs in the same transaction that records the Slack ts (e.g. marking an outbox row delivered). */
  onPosted?: (messageTs: string) => void;
};

export type PostOnceReturnType = { messageTs: string; channel: string; posted: boolean };

/**
 * Posts a message at most once per key, even across crashes and restarts:
 * an intent row is written before chat.postMessage, the ts after it. When an
 * intent has no ts (the process died between the two), the channel's recent
 * messages are searched for this key in their metadata before posting again.
 */
export async function postOnce(db: TreasuryDatabase, api: SlackApi, { key, message, onPosted }: PostOnceParameters): Promise<PostOnceReturnType> {
  const existing = readPost(db, key);
  if (existing?.status === "posted" && existing.messageTs) return { messageTs: existing.messageTs, channel: existing.channelId, posted: false };
  if (existing?.status === "intent") {
    const oldest = (Math.floor(existing.createdAt / 1000) - 60).toString();
    const recent = await api.history(existing.channelId, oldest, existing.threadTs ?? undefined);
    const found = recent.find((candidate) => candidate.metadata?.event_type === postMetadataType && candidate.metadata.event_payload?.key === key);
    if (found) {
      recordPosted(db, key, found.ts, () => onPosted?.(found.ts));
      return { messageTs: found.ts, channel: existing.channelId, posted: false };
    }
  } else {
    recordPostIntent(db, { key, channelId: message.channel, threadTs: message.thread_ts });
  }
  const { ts } = await api.postMessage({ ...message, metadata: { event_type: postMetadataType, event_payload: { key } } });
  recordPosted(db, key, ts, () => onPosted?.(ts));
  return { messageTs: ts, channel: message.channel, posted: true };
}
