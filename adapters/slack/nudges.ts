import type { TreasuryContext } from "../../core/context.ts";
import { getProposal, reviewUrl } from "./core.ts";
import type { SlackDeps } from "./deps.ts";
import { slackUsersOfOwners } from "./identity.ts";
import { postOnce } from "./post-once.ts";
import { readPost } from "./store.ts";

/**
 * Reminds each owner who has not signed a pending proposal, once, in the
 * card's thread, after `nudgeAfterMs`. "Once" is durable: the reminder is a
 * post keyed by proposal and owner (see postOnce), recorded in `slack_nudges`
 * in the same transaction as its Slack ts.
 */
export async function sendNudges(deps: SlackDeps, ctx: TreasuryContext): Promise<number> {
  const dueBefore = Math.floor((Date.now() - deps.settings.nudgeAfterMs) / 1000);
  const waiting = ctx.db
    .prepare(
      `SELECT p.safe_tx_hash, m.channel_id, m.message_ts FROM proposals p JOIN proposal_messages m ON m.safe_tx_hash = p.safe_tx_hash
       WHERE p.status = 'pending' AND p.safe_address = ? AND p.created_at <= ?
         AND (SELECT COUNT(*) FROM slack_nudges n WHERE n.safe_tx_hash = p.safe_tx_hash) < 20
       ORDER BY p.created_at LIMIT 50`,
    )
    .all(ctx.safeAddress, dueBefore) as Array<{ safe_tx_hash: string; channel_id: string; message_ts: string }>;
  let sent = 0;
  for (const card of waiting) {
    const proposal = await getProposal(ctx, card.safe_tx_hash, { warnings: false });
    if (proposal.status !== "pending" || proposal.ready) continue;
    const signed = new Set(proposal.approvals.map((approval) => approval.owner));
    const missing = proposal.owners.filter((owner) => !signed.has(owner));
    const people = slackUsersOfOwners(ctx, missing);
    for (const owner of missing) {
      const key = `nudge:${proposal.safeTxHash}:${owner}`;
      if (readPost(deps.ctx.db, key)?.status === "posted") continue;
      const person = people.get(owner);
      const who = person?.slackUserId ? `<@${person.slackUserId}>` : `${person?.name ?? "Owner"} (\`${owner}\`)`;
      const text = `${who}, a reminder: proposal #${proposal.nonce} is waiting for your signature (approvals ${proposal.approvals.length} of ${proposal.threshold}). <${reviewUrl(ctx, proposal)}|Review and sign>`;
      const result = await postOnce(deps.ctx.db, deps.api, {
        key,
        message: { channel: card.channel_id, thread_ts: card.message_ts, text },
        onPosted: (ts) =>
          deps.ctx.db
            .prepare(
              "INSERT INTO slack_nudges (safe_tx_hash, owner, slack_user_id, channel_id, message_ts, sent_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            )
            .run(proposal.safeTxHash, owner, person?.slackUserId ?? null, card.channel_id, ts, Date.now()),
      });
      if (result.posted) sent += 1;
    }
  }
  return sent;
}
