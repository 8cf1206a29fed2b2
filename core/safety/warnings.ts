import type { Address } from "viem";
import { findTwinTransfer, hasBeenPaid, listKnownPayees } from "../../db/payees.ts";
import { findAddressBookEntry } from "../../db/people.ts";
import type { TreasuryContext } from "../context.ts";
import { formatAmountForPeople } from "../money.ts";
import { tokenByAddress } from "../proposals/tokens.ts";
import type { ReadableDatabase } from "../../db/handle.ts";
import type { StoredProposal } from "../../db/proposals.ts";
import { listStoredProposals } from "../../db/proposals.ts";
import { erc20Abi } from "../tokens.ts";
import { simulateSafeTx, type SimulationResult } from "./simulate.ts";
import { shortAddress } from "../short.ts";

export type WarningCode =
  | "insufficient_balance_with_pending"
  | "first_payment_to_address"
  | "lookalike_address"
  | "possible_duplicate"
  | "nonce_conflict"
  | "nonce_already_used"
  | "simulation_failed";

/** The title people see for each warning (the code stays for machines). */
export const warningTitles: Record<WarningCode, string> = {
  insufficient_balance_with_pending: "Not enough funds for every pending proposal",
  first_payment_to_address: "First payment to this address",
  lookalike_address: "Looks like a known address",
  possible_duplicate: "Possible duplicate payment",
  nonce_conflict: "Another proposal uses this nonce",
  nonce_already_used: "Nonce already used",
  simulation_failed: "Simulation fails",
};

/** The two addresses of a look-alike warning: the payee, and the known address it resembles. */
export type LookalikePair = { payee: Address; known: Address; knownLabel: string | null };

/** Something a signer should know before signing: a title, the reason in words, and for look-alikes the two addresses. */
export type ProposalWarning = { code: WarningCode; title: string; message: string; lookalike?: LookalikePair };

function warning(code: WarningCode, message: string, extra: Pick<ProposalWarning, "lookalike"> = {}): ProposalWarning {
  return { code, title: warningTitles[code], message, ...extra };
}

export type CheckProposalParameters = {
  proposal: StoredProposal;
  /** The Safe's nonce now (read live). */
  safeNonce: number;
  /** Pass a result to reuse it; left out, the SafeTx is simulated now. */
  simulation?: SimulationResult;
};

export type CheckProposalReturnType = { warnings: ProposalWarning[]; simulation: SimulationResult | null };


/**
 * The safety checks run on a pending proposal before anyone signs. Each
 * warning names what is wrong and why; none of them blocks signing. A
 * proposal that is no longer pending gets no warnings and no simulation.
 */
export async function checkProposal(ctx: TreasuryContext, { proposal, safeNonce, simulation }: CheckProposalParameters): Promise<CheckProposalReturnType> {
  if (proposal.status !== "pending") return { warnings: [], simulation: null };
  const warnings: ProposalWarning[] = [];
  const pending = listStoredProposals(ctx.db, { status: "pending" }).filter((other) => other.safeTxHash !== proposal.safeTxHash);

  // Nonce: already used on-chain, or shared with another pending proposal.
  if (proposal.nonce < safeNonce)
    warnings.push(
      warning("nonce_already_used", `Nonce ${proposal.nonce} is already used on-chain (the Safe is at nonce ${safeNonce}); this proposal can no longer execute.`),
    );
  const sameNonce = pending.filter((other) => other.nonce === proposal.nonce);
  if (sameNonce.length > 0)
    warnings.push(
      warning(
        "nonce_conflict",
        `${sameNonce.length === 1 ? "Another pending proposal uses" : `${sameNonce.length} other pending proposals use`} the same nonce ${proposal.nonce} (${sameNonce
        .map((other) => `${other.kind === "rejection" ? "a rejection" : `"${other.memo || other.kind}"`} ${other.safeTxHash.slice(0, 10)}…`)
        .join(", ")}); only one of them can execute.`,
      ),
    );

  // Balance, counting the other pending proposals that can still execute (not those sharing this nonce: only one of them can).
  const tokensHere = [...new Set(proposal.transfers.map((transfer) => transfer.token))];
  for (const tokenAddress of tokensHere) {
    const token = tokenByAddress(ctx, tokenAddress);
    const here = proposal.transfers.filter((transfer) => transfer.token === tokenAddress).reduce((sum, transfer) => sum + transfer.amount, 0n);
    const others = pending.filter((other) => other.nonce >= safeNonce && other.nonce !== proposal.nonce);
    const othersTotal = others
      .flatMap((other) => other.transfers)
      .filter((transfer) => transfer.token === tokenAddress)
      .reduce((sum, transfer) => sum + transfer.amount, 0n);
    const balance =
      tokenAddress === null
        ? await ctx.client.getBalance({ address: ctx.safeAddress })
        : await ctx.client.readContract({ address: tokenAddress, abi: erc20Abi, functionName: "balanceOf", args: [ctx.safeAddress] });
    if (here + othersTotal > balance) {
      const count = others.filter((other) => other.transfers.some((transfer) => transfer.token === tokenAddress)).length;
      const fmt = (units: bigint) => `${formatAmountForPeople(units, token.decimals)} ${token.symbol}`;
      warnings.push(
        warning(
          "insufficient_balance_with_pending",
          here > balance
            ? `The Safe holds ${fmt(balance)}, less than this proposal's ${fmt(here)}.`
            : `The Safe holds ${fmt(balance)}: enough for this ${fmt(here)}, but not together with ${count} other pending proposal${count === 1 ? "" : "s"} (${fmt(othersTotal)}), ${fmt(here + othersTotal)} in all.`,
        ),
      );
    }
  }

  warnings.push(...payeeWarnings(ctx.db, proposal));

  // Duplicates: same payee, token and amount as an earlier payment or proposal, or the same invoice number.
  for (const transfer of proposal.transfers) {
    const twin = describeTwinTransfer(ctx, proposal, transfer.token, transfer.to, transfer.amount);
    if (twin) {
      const token = tokenByAddress(ctx, transfer.token);
      warnings.push(
        warning(
          "possible_duplicate",
          `${formatAmountForPeople(transfer.amount, token.decimals)} ${token.symbol} to ${findAddressBookEntry(ctx.db, transfer.to)?.label ?? shortAddress(transfer.to)} was already ${twin}: possible duplicate.`,
        ),
      );
    }
  }
  warnings.push(...invoiceWarnings(ctx.db, proposal));

  const result = simulation ?? (await simulateSafeTx(ctx, proposal.safeTx));
  if (!result.ok) warnings.push(warning("simulation_failed", `Simulating this transaction from the Safe fails now: ${result.reason}.`));
  return { warnings, simulation: result };
}

/**
 * The checks that need only the stored history (no chain): a first payment to
 * an address, a look-alike of a known address (address poisoning).
 */
export function payeeWarnings(db: ReadableDatabase, proposal: StoredProposal): ProposalWarning[] {
  const warnings: ProposalWarning[] = [];
  const payees = [...new Set(proposal.transfers.map((transfer) => transfer.to))];
  const known = listKnownPayees(db, proposal.safeTxHash);
  for (const payee of payees) {
    const label = findAddressBookEntry(db, payee)?.label ?? null;
    const name = label ? `${label} (${shortAddress(payee)})` : payee;
    if (!hasBeenPaid(db, payee, proposal.safeTxHash))
      warnings.push(
        warning(
          "first_payment_to_address",
          `First payment ever to ${name}${label ? "" : ", which is not in the address book"}; check the address with the payee through another channel.`,
        ),
      );
    const lookalike = known.find(
      (entry) =>
        entry.address !== payee &&
        entry.address.slice(2, 6).toLowerCase() === payee.slice(2, 6).toLowerCase() &&
        entry.address.slice(-4).toLowerCase() === payee.slice(-4).toLowerCase(),
    );
    if (lookalike)
      warnings.push(
        warning(
          "lookalike_address",
          `${payee} looks like ${lookalike.label ? `${lookalike.label}'s ` : "the known address "}${lookalike.address} (same first and last 4 digits) but is a different address: possible address poisoning.`,
          { lookalike: { payee, known: lookalike.address, knownLabel: lookalike.label } },
        ),
      );
  }

  return warnings;
}

/** An invoice number of this proposal that is also in an executed or pending proposal: a possible double payment. */
export function invoiceWarnings(db: ReadableDatabase, proposal: StoredProposal): ProposalWarning[] {
  const warnings: ProposalWarning[] = [];
  for (const invoice of invoiceNumbers(proposal.memo)) {
    const other = listStoredProposals(db)
      .filter((candidate) => candidate.safeTxHash !== proposal.safeTxHash && ["pending", "executed"].includes(candidate.status))
      .find((candidate) => invoiceNumbers(candidate.memo).includes(invoice));
    if (other)
      warnings.push(
        warning(
          "possible_duplicate",
          `Invoice ${invoice} is also in ${other.status === "executed" ? "an executed" : "a pending"} proposal (nonce ${other.nonce}, "${other.memo}"): possible double payment.`,
        ),
      );
  }

  return warnings;
}

/** Invoice numbers in a memo ("INV-2004", "invoice #77"), normalised to upper case. */
export function invoiceNumbers(memo: string): string[] {
  const found = new Set<string>();
  for (const match of memo.matchAll(/\bINV[-#:]?\s?(\d[\w-]*)/gi)) found.add(`INV-${match[1].toUpperCase()}`);
  for (const match of memo.matchAll(/\binvoice\s*(?:no\.?|number|#)?\s*[#:]?\s*(\d[\w-]*)/gi)) found.add(`INV-${match[1].toUpperCase()}`);
  return [...found];
}

/** Describes an earlier payment or live proposal with the same token, payee and amount, or undefined. */
function describeTwinTransfer(ctx: TreasuryContext, proposal: StoredProposal, token: Address | null, to: Address, amount: bigint): string | undefined {
  const twin = findTwinTransfer(ctx.db, { except: proposal.safeTxHash, token, to, amount });
  if (!twin) return undefined;
  if (twin.kind === "paid") return `paid on ${new Date(twin.blockTime * 1000).toISOString().slice(0, 10)}`;
  return twin.status === "executed" ? `paid (proposal nonce ${twin.nonce})` : `proposed (pending, nonce ${twin.nonce})`;
}
