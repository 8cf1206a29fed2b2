import { userInfo } from "node:os";
import { publicUrl } from "../../../core/config.ts";
import type { TreasuryContext } from "../../../core/context.ts";
import { formatAmountForPeople } from "../../../core/money.ts";
import type { ProposalView } from "../../../core/proposals/view.ts";

/** Who the CLI acts as: TREASURY_MEMBER, or the OS user name. */
export function cliMember(): string {
  const fromEnv = process.env.TREASURY_MEMBER?.trim();
  if (fromEnv) return fromEnv;
  try {
    return userInfo().username || "cli";
  } catch {
    return "cli";
  }
}

/** "250 USDC to Acme Design Studio, 1.5 ETH to 0x12…ab" */
export function describeTransfers(proposal: ProposalView): string {
  if (proposal.kind === "rejection") return `rejection of nonce ${proposal.nonce}`;
  if (proposal.transfers.length === 0) return `call to ${proposal.safeTx.to}`;
  return proposal.transfers
    .map((transfer) => `${formatAmountForPeople(transfer.amount, transfer.decimals)} ${transfer.symbol} to ${transfer.label ?? transfer.to}`)
    .join(", ");
}

/** Prints a proposal for a person: what it pays, its state, warnings, hashes and review link. */
export function printProposal(ctx: TreasuryContext, proposal: ProposalView): void {
  console.log(`Proposal   ${describeTransfers(proposal)}`);
  console.log(`Status     ${proposal.status}, nonce ${proposal.nonce}, approvals ${proposal.approvals.length} of ${proposal.threshold}${proposal.ready ? " (ready to execute)" : ""}`);
  if (proposal.memo) console.log(`Memo       ${proposal.memo}`);
  if (proposal.category) console.log(`Category   ${proposal.category}`);
  console.log(`Proposer   ${proposal.proposer}`);
  for (const approval of proposal.approvals) console.log(`Approved   ${approval.name ?? approval.owner} (${approval.source})`);
  if (proposal.simulation) console.log(`Simulation ${proposal.simulation.ok ? "succeeds" : `fails: ${proposal.simulation.reason}`}`);
  for (const warning of proposal.warnings) console.log(`Warning    ${warning.message}`);
  console.log(`safeTxHash ${proposal.safeTxHash}`);
  console.log(`Domain     ${proposal.hashes.domainHash}`);
  console.log(`Message    ${proposal.hashes.messageHash}`);
  if (proposal.executedTxHash) console.log(`Executed   ${proposal.executedTxHash}`);
  console.log(`Review     ${publicUrl(ctx.config)}/review/${proposal.reviewToken}`);
}
