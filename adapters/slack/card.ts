import type { ProposalView } from "../../core/proposals/view.ts";
import { shortAddress, shortHash } from "../../core/short.ts";

export type CardContext = {
  /** The web review page of this proposal. */
  reviewUrl: string;
  /** Slack user who proposed, when proposed from Slack. */
  proposerSlackUserId?: string | null;
  /** True when the proposal was queued in the Safe app (seen first in the Safe Transaction Service). */
  fromSafeApp?: boolean;
  /** Other pending proposals on the same nonce (a conflict). */
  conflicts?: Array<{ safeTxHash: string; memo: string }>;
  /** A block explorer's transaction address prefix, e.g. https://etherscan.io/tx/ */
  explorerTxUrl?: string | null;
  /** For a proposal that moves no money: its title ("Owner change") and what it does, one line each (mrkdwn). */
  call?: { title: string; lines: string[] };
};

export type ProposalCard = { text: string; blocks: unknown[] };

export const actionIds = { review: "proposal_review", reject: "proposal_reject", cancel: "proposal_cancel" } as const;

const statusLine: Record<ProposalView["status"], string> = {
  pending: ":hourglass_flowing_sand: Waiting for approvals",
  executed: ":white_check_mark: Executed",
  failed: ":x: Failed on-chain",
  rejected: ":no_entry: Rejected",
  cancelled: ":heavy_multiplication_x: Cancelled",
  replaced: ":leftwards_arrow_with_hook: Replaced by another proposal on the same nonce",
};

/** Text from people (memos, labels) shown as text: no mentions, links or markup can be smuggled in. */
export function escapeText(text: string, max = 500): string {
  const cut = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return cut.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}


/** Who has approved, as "Ana, Ben" (names when known, short addresses otherwise). */
export function approvalNames(proposal: Pick<ProposalView, "approvals">): string {
  return proposal.approvals.map((approval) => escapeText(approval.name ?? shortAddress(approval.owner), 60)).join(", ");
}

/**
 * The proposal card: payees with labels, amounts, memo, proposer, nonce,
 * warnings, approvals k of n with names, status, and the buttons that fit the
 * status. The same function renders every update, so the card always shows the
 * proposal as stored.
 */
export function buildProposalCard(proposal: ProposalView, context: CardContext): ProposalCard {
  const title =
    proposal.kind === "rejection"
      ? `Rejection of proposal #${proposal.nonce}`
      : proposal.transfers.length > 1
        ? `Batch payment #${proposal.nonce} (${proposal.transfers.length} payments)`
        : proposal.kind === "payment"
          ? `Payment proposal #${proposal.nonce}`
          : `${context.call?.title ?? "Safe transaction"} #${proposal.nonce}`;
  const lines = proposal.transfers.map(
    (transfer) =>
      `• *${transfer.formatted} ${escapeText(transfer.symbol, 20)}* to *${escapeText(transfer.label ?? "unlabelled address", 80)}* \`${transfer.to}\``,
  );
  if (proposal.kind === "rejection" && proposal.rejectsSafeTxHash)
    lines.push(`Replaces proposal \`${shortHash(proposal.rejectsSafeTxHash)}\` with a zero-value call on the same nonce, so it can never execute.`);
  if (lines.length === 0 && context.call) lines.push(...context.call.lines.map((line) => `• ${line}`));
  if (lines.length === 0) lines.push(`Call to \`${proposal.safeTx.to}\``);

  const proposer = context.proposerSlackUserId ? `<@${context.proposerSlackUserId}>` : escapeText(proposal.proposer, 60);
  const approvals = `*Approvals ${proposal.approvals.length} of ${proposal.threshold}*${proposal.approvals.length ? ` (${approvalNames(proposal)})` : ""}`;
  let status = statusLine[proposal.status];
  if (proposal.status === "pending" && proposal.ready) status = ":large_green_circle: Ready to execute";
  if (proposal.executedTxHash) {
    const tx = context.explorerTxUrl ? `<${context.explorerTxUrl}${proposal.executedTxHash}|${shortHash(proposal.executedTxHash)}>` : `\`${proposal.executedTxHash}\``;
    status += ` – transaction ${tx}`;
  }

  const blocks: unknown[] = [
    { type: "header", text: { type: "plain_text", text: title.slice(0, 150) } },
    { type: "section", text: { type: "mrkdwn", text: lines.join("\n").slice(0, 2900) } },
  ];
  if (proposal.memo) blocks.push({ type: "section", text: { type: "mrkdwn", text: `*Memo:* ${escapeText(proposal.memo, 1500)}` } });
  blocks.push({
    type: "context",
    elements: [
      {
        type: "mrkdwn",
        text: `${context.fromSafeApp ? `:iphone: *Proposed in the Safe app* by ${proposer}` : `Proposed by ${proposer}`} · nonce ${proposal.nonce}${proposal.category ? ` · ${escapeText(proposal.category, 40)}` : ""} · \`${shortHash(proposal.safeTxHash)}\``,
      },
    ],
  });
  const warnings = [...proposal.warnings.map((warning) => warning.message)];
  for (const conflict of context.conflicts ?? [])
    warnings.push(`Another pending proposal uses nonce ${proposal.nonce} (\`${shortHash(conflict.safeTxHash)}\`${conflict.memo ? `, “${conflict.memo}”` : ""}); only one of them can execute.`);
  if (warnings.length)
    blocks.push({ type: "section", text: { type: "mrkdwn", text: warnings.map((warning) => `:warning: ${escapeText(warning, 300)}`).join("\n").slice(0, 2900) } });
  blocks.push({ type: "section", text: { type: "mrkdwn", text: `${approvals}\n*Status:* ${status}` } });

  if (proposal.status === "pending") {
    const buttons: unknown[] = [
      { type: "button", action_id: actionIds.review, text: { type: "plain_text", text: "Review and sign" }, url: context.reviewUrl, style: "primary", value: proposal.safeTxHash },
    ];
    if (proposal.kind !== "rejection")
      buttons.push({
        type: "button",
        action_id: actionIds.reject,
        text: { type: "plain_text", text: "Reject" },
        style: "danger",
        value: proposal.safeTxHash,
        confirm: {
          title: { type: "plain_text", text: "Propose a rejection?" },
          text: { type: "mrkdwn", text: `This proposes a zero-value transaction on nonce ${proposal.nonce}. Once owners sign and execute it, this ${proposal.kind === "payment" ? "payment" : "transaction"} can never run.` },
          confirm: { type: "plain_text", text: "Propose rejection" },
          deny: { type: "plain_text", text: "Keep it" },
        },
      });
    if (proposal.approvals.length === 0)
      buttons.push({ type: "button", action_id: actionIds.cancel, text: { type: "plain_text", text: "Cancel" }, value: proposal.safeTxHash });
    blocks.push({ type: "actions", block_id: `proposal:${proposal.safeTxHash}`, elements: buttons });
  }

  const summary = proposal.transfers.map((transfer) => `${transfer.formatted} ${transfer.symbol} to ${transfer.label ?? transfer.to}`).join(", ");
  const text = `${title}: ${summary || context.call?.lines.join("; ") || proposal.safeTx.to} – approvals ${proposal.approvals.length} of ${proposal.threshold} – ${proposal.status}`;
  return { text: escapeText(text, 2900), blocks };
}
