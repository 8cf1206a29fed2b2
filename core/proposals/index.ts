/** The proposals core: propose, review, approve, execute, reject. No Slack and no HTTP in here. */
export * from "./errors.ts";
export { proposePayment, proposeTransaction, nextProposalNonce, newReviewToken, listQueue } from "./propose.ts";
export type { PaymentInput, ProposePaymentParameters, ProposeTransactionParameters } from "./propose.ts";
export { getProposal, getProposalByReviewToken, listProposals, safeTxTypedData, viewProposal } from "./view.ts";
export type { ProposalView, ProposalTransferView, ProposalApproval, ProposalSigner, GetProposalOptions, ListProposalsParameters } from "./view.ts";
export { submitSignature, parseOwnerSignature, recoverOwnerSignature, wasOwner } from "./signatures.ts";
export type { SubmitSignatureParameters, SubmitSignatureReturnType, SignedTypedData, RecoverOwnerParameters } from "./signatures.ts";
export { executeProposal, buildExecutionCall, recordExecution, checkExecution } from "./execute.ts";
export type { ExecutionCall, ExecuteProposalReturnType, CheckExecutionReturnType } from "./execute.ts";
export { proposeRejection, proposeSignedRejection, rejectionSafeTx, rejectionTypedData, cancelProposal } from "./reject.ts";
export type { ProposeRejectionParameters, ProposeSignedRejectionParameters, CancelProposalParameters } from "./reject.ts";
export { reconcileProposals } from "./reconcile.ts";
export type { ReconcileProposalsReturnType } from "./reconcile.ts";
export { listProposalUpdates, listSignatures } from "../../db/proposals.ts";
export type { ProposalStatus, ProposalKind, ProposalChange, ProposalUpdate, SignatureSource } from "../../db/proposals.ts";
export { knownTokens, resolveToken } from "./tokens.ts";
