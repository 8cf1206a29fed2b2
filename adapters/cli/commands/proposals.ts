import { InvalidInputError } from "../../../core/errors.ts";
import type { ProposalStatus } from "../../../db/proposals.ts";
import { getProposal, listProposals } from "../../../core/proposals/view.ts";
import { printJson, printTable } from "../output.ts";
import { withTreasury } from "../session.ts";
import { describeTransfers, printProposal } from "./proposal-output.ts";

const statuses = ["pending", "executed", "failed", "rejected", "cancelled", "replaced"];

export type ProposalsOptions = { status?: string; json?: boolean };

/** `treasury proposals [--status s] [--json]`: the queue and history, newest nonce first. */
export function proposalsCommand(options: ProposalsOptions): Promise<void> {
  return withTreasury(async (ctx) => {
    if (options.status && !statuses.includes(options.status))
      throw new InvalidInputError(`Unknown status "${options.status}"; use one of ${statuses.join(", ")}.`);
    const proposals = await listProposals(ctx, { status: options.status as ProposalStatus | undefined, warnings: true });
    if (options.json) return printJson(proposals);
    if (proposals.length === 0) return console.log("No proposals yet. Propose one with: treasury pay <amount> <token> to <payee>");
    printTable([
      ["NONCE", "STATUS", "APPROVALS", "WHAT", "MEMO", "WARNINGS", "SAFETXHASH"],
      ...proposals.map((proposal) => [
        String(proposal.nonce),
        proposal.status,
        `${proposal.approvals.length}/${proposal.threshold}${proposal.ready ? " ready" : ""}`,
        describeTransfers(proposal),
        proposal.memo.length > 40 ? `${proposal.memo.slice(0, 39)}…` : proposal.memo,
        proposal.warnings.map((warning) => warning.code).join(",") || "-",
        proposal.safeTxHash,
      ]),
    ]);
  });
}

export type ShowProposalOptions = { json?: boolean };

/** `treasury proposals show <safeTxHash> [--json]`: one proposal in full. */
export function showProposalCommand(safeTxHash: string, options: ShowProposalOptions): Promise<void> {
  return withTreasury(async (ctx) => {
    const proposal = await getProposal(ctx, safeTxHash);
    if (options.json) return printJson(proposal);
    printProposal(ctx, proposal);
  });
}
