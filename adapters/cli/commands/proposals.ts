import type { Command } from "commander";
import { InvalidInputError } from "../../../core/errors.ts";
import type { ProposalStatus } from "../../../db/proposals.ts";
import { getProposal, listProposals } from "../../../core/proposals/view.ts";
import { printJson, printTable } from "../output.ts";
import { withTreasury } from "../session.ts";
import { describeTransfers, printProposal } from "./proposal-output.ts";

const statuses = ["pending", "executed", "failed", "rejected", "cancelled", "replaced"];

/** `treasury proposals [--status s] [--json]` and `treasury proposals show <safeTxHash>`. */
export function registerProposals(program: Command): void {
  const command = program
    .command("proposals")
    .description("list proposals, newest nonce first, with approvals and warnings")
    .option("--status <status>", `only this status (${statuses.join(", ")})`)
    .option("--json", "print JSON")
    .action(async (options: { status?: string; json?: boolean }) =>
      withTreasury(async (ctx) => {
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
      }),
    );
  command
    .command("show")
    .description("show one proposal in full: transfers, approvals, warnings, hashes")
    .argument("<safeTxHash>")
    .option("--json", "print JSON")
    .action(async (safeTxHash: string, options: { json?: boolean }) =>
      withTreasury(async (ctx) => {
        const proposal = await getProposal(ctx, safeTxHash);
        if (options.json) return printJson(proposal);
        printProposal(ctx, proposal);
      }),
    );
}
