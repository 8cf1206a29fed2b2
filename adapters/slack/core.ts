/**
 * The parts of the treasury core the Slack adapter calls: one import site, so
 * the adapter stays a thin layer over the same functions the CLI and the web
 * pages use.
 */
export {
  proposePayment,
  getProposal,
  listProposals,
  proposeRejection,
  cancelProposal,
  listProposalUpdates,
  resolvePayments,
  UnknownPayeeError,
  InvalidPayeeError,
  type ProposalView,
} from "../../core/proposals/index.ts";
export { addAddressBookEntry, labelForAddress, parseAddressInput, resolvePayee, AddressBookConflictError } from "../../core/people/address-book.ts";
export { reviewUrl, linkUrl } from "../web/pages/urls.ts";
export { getMemberBySlackUser, upsertMember, addressesOfMember, type Member } from "../../core/people/members.ts";
export { createLinkRequest } from "../../core/people/wallet-link.ts";
