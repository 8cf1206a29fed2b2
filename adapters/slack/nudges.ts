import type { TreasuryContext } from "../../core/context.ts";
import { getProposal } from "../../core/proposals/view.ts";
import { reviewUrl } from "../web/pages/urls.ts";
import type { SlackDeps } from "./deps.ts";
import { slackUsersOfOwners } from "./identity.ts";
import { postOnce } from "./post-once.ts";
import { listProposalsDueForNudge, readPost, recordNudge } from "../../db/slack.ts";

/** Proposals created at or before this time (in seconds) are due a reminder. */
export function nudgesDueBefore(settings: Pick<SlackDeps["settings"], "nudgeAfterMs">): number {
  return Math.floor((Date.now() - settings.nudgeAfterMs) / 1000);
}

/**
 * Reminds each owner who has not signed a pending proposal, once, in the
 * card's thread, after `nudgeAfterMs`. "Once" is durable: the reminder is a
 * post keyed by proposal and owner (see postOnce), recorded in `slack_nudges`
 * in the same transaction as its Slack ts.
 */
export async function sendNudges(deps: SlackDeps, ctx: TreasuryContext): Promise<number> {
  const waiting = listProposalsDueForNudge(ctx.db, { safeAddress: ctx.safeAddress, createdBefore: nudgesDueBefore(deps.settings) });
  let sent = 0;
  for (const card of waiting) {
    const proposal = await getProposal(ctx, card.safeTxHash, { warnings: false });
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
        message: { channel: card.channelId, thread_ts: card.messageTs, text },
        onPosted: (ts) =>
          recordNudge(deps.ctx.db, {
            safeTxHash: proposal.safeTxHash,
            owner,
            slackUserId: person?.slackUserId ?? null,
            channelId: card.channelId,
            messageTs: ts,
            sentAt: Date.now(),
          }),
      });
      if (result.posted) sent += 1;
    }
  }
  return sent;
}
