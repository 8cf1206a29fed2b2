import type { TreasuryContext } from "../../../core/context.ts";
import { findProposal } from "../../../core/proposals/find.ts";
import { rejectProposal, type Rejecter } from "../../../core/proposals/reject.ts";
import { readSafeOwnership } from "../../../core/safe/owners.ts";
import { addressesOfMember, findMember } from "../../../db/people.ts";
import { withTreasury } from "../session.ts";
import { cliMember, printProposal } from "./proposal-output.ts";

/**
 * The person at the terminal: the member TREASURY_MEMBER (or the OS user)
 * names, an owner when one of the wallets they linked owns the Safe now.
 */
async function cliRejecter(ctx: TreasuryContext): Promise<Rejecter> {
  const name = cliMember();
  const member = findMember(ctx.db, name);
  const addresses = member ? addressesOfMember(ctx.db, member.id) : [];
  if (addresses.length === 0) return { name, isOwner: false };
  const { owners } = await readSafeOwnership(ctx);
  return { name, isOwner: addresses.some((address) => owners.includes(address)) };
}

/**
 * `treasury reject <proposal>`, by the one rule for everyone: a proposal nobody
 * signed is cancelled off-chain (by its proposer or an owner; no gas); one with
 * approvals gets the Safe's on-chain rejection (a zero-value call to the Safe on
 * the same nonce), proposed by an owner, for owners to sign and execute.
 */
export function rejectCommand(reference: string): Promise<void> {
  return withTreasury(async (ctx) => {
    const stored = findProposal(ctx.db, reference);
    const result = await rejectProposal(ctx, { safeTxHash: stored.safeTxHash, by: await cliRejecter(ctx) });
    if (result.action === "cancel") {
      console.log(`Cancelled nonce ${stored.nonce} (nobody had approved it, so no on-chain rejection is needed; the nonce is free again).`);
      return;
    }
    console.log("Proposed an on-chain rejection; owners sign and execute it like any proposal:");
    printProposal(ctx, result.rejection);
  });
}
