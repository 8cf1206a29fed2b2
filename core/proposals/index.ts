/** The proposals core: propose, review, approve, execute, reject. No Slack and no HTTP in here. */
export * from "./errors.ts";
export { proposePayment, proposeTransaction, nextProposalNonce, newReviewToken, listQueue, resolvePayments } from "./propose.ts";
export type { PaymentInput, ProposePaymentParameters, ProposeTransactionParameters, ResolvePaymentsReturnType } from "./propose.ts";
export { getProposal, getProposalByReviewToken, listProposals, safeTxTypedData, viewProposal } from "./view.ts";
export type { ProposalView, ProposalTransferView, ProposalApproval, GetProposalOptions, ListProposalsParameters } from "./view.ts";
export { submitSignature, parseOwnerSignature, wasOwner } from "./signatures.ts";
export type { SubmitSignatureParameters, SubmitSignatureReturnType, SignedTypedData } from "./signatures.ts";
export { executeProposal, buildExecutionCall, recordExecution } from "./execute.ts";
export type { ExecutionCall, ExecuteProposalReturnType } from "./execute.ts";
export { proposeRejection, cancelProposal } from "./reject.ts";
export type { ProposeRejectionParameters, CancelProposalParameters } from "./reject.ts";
export { reconcileProposals } from "./reconcile.ts";
export type { ReconcileProposalsReturnType } from "./reconcile.ts";
export { listProposalUpdates, listSignatures } from "../../db/proposals.ts";
export type { ProposalStatus, ProposalKind, ProposalChange, ProposalUpdate, SignatureSource } from "../../db/proposals.ts";
export { knownTokens, resolveToken } from "./tokens.ts";
