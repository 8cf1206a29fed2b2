/** The assistant's read-only queries over the chain mirror and the workflow tables. */
export * from "./types.ts";
export { listMoney, aggregateMoney, counterpartyActivity, type ListMoneyParameters } from "./money.ts";
export { listProposals, countProposals, rejectionsOf, type ListProposalsParameters } from "./proposals.ts";
export { listApprovals, listMessages, listOwnerChanges } from "./people.ts";
export { indexedHead, indexedStart, tokenFlows, type TokenFlow } from "./state.ts";
export { readDirectory, type LedgerDirectory, type TokenEntry, type BookEntry, type MemberEntry } from "./directory.ts";
