import { statement } from "./connection.ts";
import type { ReadableDatabase, TreasuryDatabase } from "./handle.ts";

/**
 * The talk around proposals: the chat message that carries each proposal's
 * card (`proposal_messages`), and the replies in its thread
 * (`discussion_messages`). Text is stored as data; nothing reads it as an
 * instruction. This module is the only writer of both tables.
 */

export type ProposalCardMessage = { safeTxHash: string; channelId: string; messageTs: string; permalink: string | null };

/** Records where a proposal's card is (once; a second record of the same card changes nothing). */
export function recordProposalCard(db: TreasuryDatabase, card: { safeTxHash: string; channelId: string; messageTs: string; permalink?: string | null }): void {
  statement(db, "INSERT INTO proposal_messages (safe_tx_hash, channel_id, message_ts, permalink) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING").run(
    card.safeTxHash,
    card.channelId,
    card.messageTs,
    card.permalink ?? null,
  );
}

export function setProposalCardPermalink(db: TreasuryDatabase, safeTxHash: string, permalink: string): void {
  statement(db, "UPDATE proposal_messages SET permalink = ? WHERE safe_tx_hash = ?").run(permalink, safeTxHash);
}

/** Where a proposal's card is, or undefined. */
export function findProposalCard(db: ReadableDatabase, safeTxHash: string): ProposalCardMessage | undefined {
  const row = statement(db, "SELECT safe_tx_hash, channel_id, message_ts, permalink FROM proposal_messages WHERE safe_tx_hash = ?").get(safeTxHash) as
    | { safe_tx_hash: string; channel_id: string; message_ts: string; permalink: string | null }
    | undefined;
  return row && { safeTxHash: row.safe_tx_hash, channelId: row.channel_id, messageTs: row.message_ts, permalink: row.permalink };
}

/** The card at this message (a thread's parent), if it is one. */
export function findProposalCardAt(db: ReadableDatabase, channelId: string, messageTs: string): ProposalCardMessage | undefined {
  const row = statement(db, "SELECT safe_tx_hash, channel_id, message_ts, permalink FROM proposal_messages WHERE channel_id = ? AND message_ts = ?").get(channelId, messageTs) as
    | { safe_tx_hash: string; channel_id: string; message_ts: string; permalink: string | null }
    | undefined;
  return row && { safeTxHash: row.safe_tx_hash, channelId: row.channel_id, messageTs: row.message_ts, permalink: row.permalink };
}

/** Proposals on the same nonce as this one that have a card (their cards change with it). */
export function listCardedProposalsOnSameNonce(db: ReadableDatabase, safeTxHash: string): string[] {
  return statement(
    db,
    "SELECT p.safe_tx_hash FROM proposals p JOIN proposal_messages m ON m.safe_tx_hash = p.safe_tx_hash WHERE (p.safe_id, p.nonce) = (SELECT safe_id, nonce FROM proposals WHERE safe_tx_hash = ?) AND p.safe_tx_hash != ?",
  )
    .pluck()
    .all(safeTxHash, safeTxHash) as string[];
}

export type NewDiscussionMessage = {
  safeTxHash: string | null;
  channelId: string;
  messageTs: string;
  threadTs: string | null;
  authorId: string;
  authorName: string | null;
  text: string;
  permalink?: string | null;
  postedAt: number;
};

/** Stores a reply once (a redelivery of the same message changes nothing). Returns true when stored. */
export function insertDiscussionMessage(db: TreasuryDatabase, message: NewDiscussionMessage): boolean {
  return (
    statement(
      db,
      `INSERT INTO discussion_messages (safe_tx_hash, channel_id, message_ts, thread_ts, author_id, author_name, text, permalink, posted_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (channel_id, message_ts) DO NOTHING`,
    ).run(
      message.safeTxHash,
      message.channelId,
      message.messageTs,
      message.threadTs,
      message.authorId,
      message.authorName,
      message.text,
      message.permalink ?? null,
      message.postedAt,
    ).changes > 0
  );
}

export function setDiscussionMessagePermalink(db: TreasuryDatabase, channelId: string, messageTs: string, permalink: string): void {
  statement(db, "UPDATE discussion_messages SET permalink = ? WHERE channel_id = ? AND message_ts = ?").run(permalink, channelId, messageTs);
}

/** Applies an edit to a stored, not deleted message. Returns true when one changed. */
export function editDiscussionMessage(db: TreasuryDatabase, { channelId, messageTs, text, editedAt }: { channelId: string; messageTs: string; text: string; editedAt: number }): boolean {
  return (
    statement(db, "UPDATE discussion_messages SET text = ?, edited_at = ? WHERE channel_id = ? AND message_ts = ? AND deleted_at IS NULL").run(text, editedAt, channelId, messageTs)
      .changes > 0
  );
}

/** Empties a deleted message's text and marks it deleted (the row stays). Returns true when one changed. */
export function deleteDiscussionMessage(db: TreasuryDatabase, { channelId, messageTs, deletedAt }: { channelId: string; messageTs: string; deletedAt: number }): boolean {
  return (
    statement(db, "UPDATE discussion_messages SET text = '', deleted_at = ? WHERE channel_id = ? AND message_ts = ? AND deleted_at IS NULL").run(deletedAt, channelId, messageTs)
      .changes > 0
  );
}

export function hasDiscussionMessage(db: ReadableDatabase, channelId: string, messageTs: string): boolean {
  return statement(db, "SELECT 1 FROM discussion_messages WHERE channel_id = ? AND message_ts = ?").get(channelId, messageTs) !== undefined;
}
