/**
 * The parts of the treasury the replay goes through: the same functions the
 * Slack app, the web pages and the CLI call. Kept in one place so the replay
 * reads as the sequence of real flows it is.
 */
import type { TreasuryContext } from "../core/context.ts";
import { createIndexer, type IndexerRunResult } from "../indexer/indexer.ts";

export {
  buildExecutionCall,
  cancelProposal,
  getProposal,
  proposePayment,
  proposeRejection,
  proposeTransaction,
  reconcileProposals,
  recordExecution,
  safeTxTypedData,
  submitSignature,
} from "../core/proposals/index.ts";
export type { ProposalView } from "../core/proposals/index.ts";
export { upsertMember } from "../core/people/members.ts";
export { addAddressBookEntry } from "../core/people/address-book.ts";
export { completeLink, createLinkRequest, linkMessage } from "../core/people/wallet-link.ts";

/**
 * Indexes the chain into the database once, up to its head, through the
 * indexer the service runs. Resolves when everything up to the head is stored.
 */
export async function indexOnce(ctx: TreasuryContext): Promise<IndexerRunResult> {
  return createIndexer({ ctx, progress: "off" }).runOnce();
}
