import { getAddress, type Address } from "viem";
import { labelForAddress } from "../people/address-book.ts";
import type { TreasuryContext } from "../context.ts";
import { formatAmountForPeople } from "../money.ts";
import { tokenByAddress } from "../proposals/tokens.ts";
import type { StoredProposal } from "../../db/proposals.ts";
import type { ReadableDatabase } from "../../db/database.ts";
import { listStoredProposals } from "../../db/proposals.ts";
import { erc20Abi } from "../tokens.ts";
import { simulateSafeTx, type SimulationResult } from "./simulate.ts";

export type WarningCode =
  | "insufficient_balance_with_pending"
  | "first_payment_to_address"
  | "lookalike_address"
  | "possible_duplicate"
  | "nonce_conflict"
  | "nonce_already_used"
  | "simulation_failed";

/** Something a signer should know before signing, with the reason in words. */
export type ProposalWarning = { code: WarningCode; message: string };

export type CheckProposalParameters = {
  proposal: StoredProposal;
  /** The Safe's nonce now (read live). */
  safeNonce: number;
  /** Pass a result to reuse it; left out, the SafeTx is simulated now. */
  simulation?: SimulationResult;
};

export type CheckProposalReturnType = { warnings: ProposalWarning[]; simulation: SimulationResult | null };

const short = (address: Address) => `${address.slice(0, 6)}…${address.slice(-4)}`;

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
    warnings.push({
      code: "nonce_already_used",
      message: `Nonce ${proposal.nonce} is already used on-chain (the Safe is at nonce ${safeNonce}); this proposal can no longer execute.`,
    });
  const sameNonce = pending.filter((other) => other.nonce === proposal.nonce);
  if (sameNonce.length > 0)
    warnings.push({
      code: "nonce_conflict",
      message: `${sameNonce.length === 1 ? "Another pending proposal uses" : `${sameNonce.length} other pending proposals use`} the same nonce ${proposal.nonce} (${sameNonce
        .map((other) => `${other.kind === "rejection" ? "a rejection" : `"${other.memo || other.kind}"`} ${other.safeTxHash.slice(0, 10)}…`)
        .join(", ")}); only one of them can execute.`,
    });

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
      warnings.push({
        code: "insufficient_balance_with_pending",
        message:
          here > balance
            ? `The Safe holds ${fmt(balance)}, less than this proposal's ${fmt(here)}.`
            : `The Safe holds ${fmt(balance)}: enough for this ${fmt(here)}, but not together with ${count} other pending proposal${count === 1 ? "" : "s"} (${fmt(othersTotal)}), ${fmt(here + othersTotal)} in all.`,
      });
    }
  }

  warnings.push(...payeeWarnings(ctx.db, proposal));

  // Duplicates: same payee, token and amount as an earlier payment or proposal, or the same invoice number.
  for (const transfer of proposal.transfers) {
    const twin = findTwinTransfer(ctx, proposal, transfer.token, transfer.to, transfer.amount);
    if (twin) {
      const token = tokenByAddress(ctx, transfer.token);
      warnings.push({
        code: "possible_duplicate",
        message: `${formatAmountForPeople(transfer.amount, token.decimals)} ${token.symbol} to ${labelForAddress(ctx.db, transfer.to) ?? short(transfer.to)} was already ${twin}: possible duplicate.`,
      });
    }
  }
  warnings.push(...invoiceWarnings(ctx.db, proposal));

  const result = simulation ?? (await simulateSafeTx(ctx, proposal.safeTx));
  if (!result.ok) warnings.push({ code: "simulation_failed", message: `Simulating this transaction from the Safe fails now: ${result.reason}.` });
  return { warnings, simulation: result };
}

/**
 * The checks that need only the stored history (no chain): a first payment to
 * an address, a look-alike of a known address (address poisoning).
 */
export function payeeWarnings(db: ReadableDatabase, proposal: StoredProposal): ProposalWarning[] {
  const warnings: ProposalWarning[] = [];
  const payees = [...new Set(proposal.transfers.map((transfer) => transfer.to))];
  const known = knownAddresses(db, proposal);
  for (const payee of payees) {
    const label = labelForAddress(db, payee);
    const name = label ? `${label} (${short(payee)})` : payee;
    if (!hasBeenPaid(db, payee, proposal))
      warnings.push({
        code: "first_payment_to_address",
        message: `First payment ever to ${name}${label ? "" : ", which is not in the address book"}; check the address with the payee through another channel.`,
      });
    const lookalike = known.find(
      (entry) =>
        entry.address !== payee &&
        entry.address.slice(2, 6).toLowerCase() === payee.slice(2, 6).toLowerCase() &&
        entry.address.slice(-4).toLowerCase() === payee.slice(-4).toLowerCase(),
    );
    if (lookalike)
      warnings.push({
        code: "lookalike_address",
        message: `${payee} looks like ${lookalike.label ? `${lookalike.label}'s ` : "the known address "}${lookalike.address} (same first and last 4 digits) but is a different address: possible address poisoning.`,
      });
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
      warnings.push({
        code: "possible_duplicate",
        message: `Invoice ${invoice} is also in ${other.status === "executed" ? "an executed" : "a pending"} proposal (nonce ${other.nonce}, "${other.memo}"): possible double payment.`,
      });
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

/** Addresses the treasury knows: the address book, everyone paid on-chain, and payees of executed proposals. */
function knownAddresses(db: ReadableDatabase, proposal: StoredProposal): { address: Address; label: string | null }[] {
  const rows = db
    .prepare(
      `SELECT address, label FROM address_book
       UNION SELECT to_address, NULL FROM payments
       UNION SELECT t.to_address, NULL FROM proposal_transfers t JOIN proposals p ON p.safe_tx_hash = t.safe_tx_hash
         WHERE p.status = 'executed' AND p.safe_tx_hash != ?`,
    )
    .all(proposal.safeTxHash) as { address: string; label: string | null }[];
  const byAddress = new Map<Address, string | null>();
  for (const row of rows) {
    const address = getAddress(row.address);
    if (!byAddress.get(address)) byAddress.set(address, row.label);
  }
  return [...byAddress].map(([address, label]) => ({ address, label }));
}

function hasBeenPaid(db: ReadableDatabase, payee: Address, proposal: StoredProposal): boolean {
  const row = db
    .prepare(
      `SELECT 1 FROM payments WHERE to_address = ?
       UNION ALL SELECT 1 FROM proposal_transfers t JOIN proposals p ON p.safe_tx_hash = t.safe_tx_hash
         WHERE t.to_address = ? AND p.status = 'executed' AND p.safe_tx_hash != ? LIMIT 1`,
    )
    .get(payee, payee, proposal.safeTxHash);
  return row !== undefined;
}

/** Describes an earlier payment or live proposal with the same token, payee and amount, or undefined. */
function findTwinTransfer(ctx: TreasuryContext, proposal: StoredProposal, token: Address | null, to: Address, amount: bigint): string | undefined {
  const paid = ctx.db
    .prepare(
      `SELECT block_time FROM payments WHERE to_address = ? AND amount = ? AND token IS ? AND safe_tx_hash != ? ORDER BY block_time DESC LIMIT 1`,
    )
    .get(to, amount.toString(), token, proposal.safeTxHash) as { block_time: number } | undefined;
  if (paid) return `paid on ${new Date(paid.block_time * 1000).toISOString().slice(0, 10)}`;
  const proposed = ctx.db
    .prepare(
      `SELECT p.status, p.nonce FROM proposal_transfers t JOIN proposals p ON p.safe_tx_hash = t.safe_tx_hash
       WHERE t.to_address = ? AND t.amount = ? AND t.token IS ? AND p.safe_tx_hash != ? AND p.status IN ('pending', 'executed')
       ORDER BY p.created_at DESC LIMIT 1`,
    )
    .get(to, amount.toString(), token, proposal.safeTxHash) as { status: string; nonce: number } | undefined;
  if (proposed) return proposed.status === "executed" ? `paid (proposal nonce ${proposed.nonce})` : `proposed (pending, nonce ${proposed.nonce})`;
  return undefined;
}
