import { userInfo } from "node:os";
import { publicUrl } from "../../../core/config.ts";
import type { TreasuryContext } from "../../../core/context.ts";
import { formatAmountForPeople } from "../../../core/money.ts";
import type { ProposalView } from "../../../core/proposals/view.ts";
import { compareAddresses, countDifferingDigits } from "../../../core/safety/address-diff.ts";
import type { ProposalWarning } from "../../../core/safety/warnings.ts";

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

/** The review link of a proposal (the page an owner signs on). */
export function reviewLink(ctx: TreasuryContext, proposal: Pick<ProposalView, "reviewToken">): string {
  return `${publicUrl(ctx.config)}/review/${proposal.reviewToken}`;
}

const indent = " ".repeat(11);

/**
 * The lines of a look-alike warning as the review page shows it: the two
 * addresses one above the other, and a line of `^` under the digits that differ.
 */
export function lookalikeLines(warning: ProposalWarning, payeeLabel: string | null): string[] {
  const pair = warning.lookalike!;
  const knownName = pair.knownLabel ?? "Known address";
  const labels = ["This payment goes to", knownName];
  const width = Math.max(...labels.map((label) => label.length));
  const marks = compareAddresses(pair.payee, pair.known)
    .map((run) => (run.differs ? "^" : " ").repeat(run.text.length))
    .join("")
    .trimEnd();
  return [
    `${payeeLabel ? `The payee "${payeeLabel}"` : "This payee"} has the same first and last digits as ${pair.knownLabel ? `${pair.knownLabel}'s address` : "the known address"}, but it is a different address: possible address poisoning. Compare them digit by digit:`,
    `  ${labels[0].padEnd(width)}  ${pair.payee}`,
    `  ${labels[1].padEnd(width)}  ${pair.known}`,
    `  ${"".padEnd(width)}  ${marks}`,
    `${countDifferingDigits(pair.payee, pair.known)} of the ${pair.payee.length - 2} digits differ (marked ^).`,
  ];
}

/**
 * Prints a proposal as the review page shows it, for a person about to sign or
 * decide: what it pays (each transfer with the full payee and token address),
 * its state and approvals, the warnings with their titles (a look-alike with
 * the two addresses compared), the simulation, the hashes to compare on a
 * hardware wallet, and the review link.
 */
export function printProposal(ctx: TreasuryContext, proposal: ProposalView): void {
  const line = (label: string, text: string) => console.log(`${label.padEnd(10)} ${text}`);
  line("Proposal", describeTransfers(proposal));
  for (const transfer of proposal.transfers)
    line(
      "Transfer",
      `${formatAmountForPeople(transfer.amount, transfer.decimals)} ${transfer.symbol} to ${transfer.label ? `${transfer.label} ` : "an unlabelled address "}${transfer.to}${
        transfer.token ? ` (${transfer.symbol} contract ${transfer.token})` : " (native coin)"
      }`,
    );
  if (proposal.kind === "rejection")
    line("Rejects", `${proposal.rejectsSafeTxHash ?? `nonce ${proposal.nonce}`}: a zero-value call from the Safe to itself, so that nonce is used up`);
  else if (proposal.transfers.length === 0) line("Moves", "no funds");
  line("Status", `${proposal.status}, nonce ${proposal.nonce}, approvals ${proposal.approvals.length} of ${proposal.threshold}${proposal.ready ? " (ready to execute)" : ""}`);
  if (proposal.memo) line("Memo", proposal.memo);
  if (proposal.category) line("Category", proposal.category);
  line("Proposer", proposal.proposer);
  for (const approval of proposal.approvals) line("Approved", `${approval.name ?? approval.owner} (${approval.source})`);
  if (proposal.status === "pending" && proposal.warnings.length === 0) line("Warnings", "none");
  for (const warning of proposal.warnings) {
    line("Warning", warning.title);
    const payeeLabel = warning.lookalike ? (proposal.transfers.find((transfer) => transfer.to === warning.lookalike!.payee)?.label ?? null) : null;
    for (const text of warning.lookalike ? lookalikeLines(warning, payeeLabel) : [warning.message]) console.log(`${indent}${text}`);
  }
  if (proposal.simulation)
    line(
      "Simulation",
      proposal.simulation.ok
        ? `succeeds: the transaction would not revert today (gas used ${proposal.simulation.gasUsed})`
        : `fails: ${proposal.simulation.reason}`,
    );
  line("safeTxHash", proposal.hashes.safeTxHash);
  line("Domain", `${proposal.hashes.domainHash} (domain hash)`);
  line("Message", `${proposal.hashes.messageHash} (message hash)`);
  if (proposal.executedTxHash) line("Executed", proposal.executedTxHash);
  line("Review", reviewLink(ctx, proposal));
}
