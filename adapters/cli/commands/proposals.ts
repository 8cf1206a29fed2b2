import { InvalidInputError } from "../../../core/errors.ts";
import type { ProposalStatus } from "../../../db/proposals.ts";
import { findProposal } from "../../../core/proposals/find.ts";
import { getProposal, listProposals } from "../../../core/proposals/view.ts";
import { printJson, printTable } from "../output.ts";
import { withTreasury } from "../session.ts";
import { describeTransfers, printProposal, reviewLink } from "./proposal-output.ts";

const statuses = ["pending", "executed", "failed", "rejected", "cancelled", "replaced"];

export type ProposalsOptions = { status?: string; json?: boolean };

/** `treasury proposals [--status s] [--json]`: the queue and history, newest nonce first, each with its review link. */
export function proposalsCommand(options: ProposalsOptions): Promise<void> {
  return withTreasury(async (ctx) => {
    if (options.status && !statuses.includes(options.status))
      throw new InvalidInputError(`Unknown status "${options.status}"; use one of ${statuses.join(", ")}.`);
    const proposals = await listProposals(ctx, { status: options.status as ProposalStatus | undefined, warnings: true });
    if (options.json) return printJson(proposals);
    if (proposals.length === 0) return console.log("No proposals yet. Propose one with: treasury pay <amount> <token> to <payee>");
    printTable([
      ["NONCE", "STATUS", "APPROVALS", "WHAT", "MEMO", "WARNINGS", "SAFETXHASH", "REVIEW"],
      ...proposals.map((proposal) => [
        String(proposal.nonce),
        proposal.status,
        `${proposal.approvals.length}/${proposal.threshold}${proposal.ready ? " ready" : ""}`,
        describeTransfers(proposal),
        proposal.memo.length > 40 ? `${proposal.memo.slice(0, 39)}…` : proposal.memo,
        proposal.warnings.map((warning) => warning.title).join("; ") || "-",
        proposal.safeTxHash,
        reviewLink(ctx, proposal),
      ]),
    ]);
  });
}

export type ShowProposalOptions = { json?: boolean };

/** `treasury proposals show <proposal> [--json]`: one proposal in full, named by number (`41`, `#41`) or safeTxHash (or a unique prefix). */
export function showProposalCommand(reference: string, options: ShowProposalOptions): Promise<void> {
  return withTreasury(async (ctx) => {
    const proposal = await getProposal(ctx, findProposal(ctx.db, reference).safeTxHash);
    if (options.json) return printJson(proposal);
    printProposal(ctx, proposal);
  });
}
