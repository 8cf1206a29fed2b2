import type { Command } from "commander";
import { listSignatures } from "../../../db/proposals.ts";
import { loadStoredProposal } from "../../../core/proposals/load.ts";
import { cancelProposal, proposeRejection } from "../../../core/proposals/reject.ts";
import { withTreasury } from "../session.ts";
import { cliMember, printProposal } from "./proposal-output.ts";

/**
 * `treasury reject <safeTxHash>`: a proposal nobody approved is cancelled; one
 * with approvals gets an on-chain rejection (a zero-value call to the Safe on
 * the same nonce) for owners to sign and execute.
 */
export function registerReject(program: Command): void {
  program
    .command("reject")
    .description("cancel an unapproved proposal, or propose the Safe's on-chain rejection of an approved one")
    .argument("<safeTxHash>")
    .option("--onchain", "always propose an on-chain rejection, even if nobody approved yet")
    .action(async (safeTxHash: string, options: { onchain?: boolean }) =>
      withTreasury(async (ctx) => {
        const stored = loadStoredProposal(ctx.db, safeTxHash);
        if (!options.onchain && listSignatures(ctx.db, stored.safeTxHash).length === 0) {
          await cancelProposal(ctx, { safeTxHash: stored.safeTxHash, by: cliMember() });
          console.log(`Cancelled nonce ${stored.nonce} (nobody had approved it; the nonce is free again).`);
          return;
        }
        const rejection = await proposeRejection(ctx, { safeTxHash: stored.safeTxHash, proposer: cliMember() });
        console.log("Proposed an on-chain rejection; owners sign and execute it like any proposal:");
        printProposal(ctx, rejection);
      }),
    );
}
