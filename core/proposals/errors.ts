import { InvalidInputError, TreasuryError } from "../errors.ts";

/** The proposal asked for does not exist (an unknown safeTxHash or review token). */
export class ProposalNotFoundError extends InvalidInputError {
  override name = "ProposalNotFoundError";
}

/** The token named is neither ETH, a deployed token nor one the indexer has seen. */
export class UnknownTokenError extends InvalidInputError {
  override name = "UnknownTokenError";
}

/** The payee is not an address, has a wrong checksum, or is not an address-book label. */
export class InvalidPayeeError extends InvalidInputError {
  override name = "InvalidPayeeError";
}

/** The payee is a name the address book does not know (not an address). `payee` is the name as typed. */
export class UnknownPayeeError extends InvalidPayeeError {
  override name = "UnknownPayeeError";
  readonly payee: string;
  constructor(payee: string, shortMessage: string, options?: { details?: string; cause?: unknown }) {
    super(shortMessage, options);
    this.payee = payee;
  }
}

/** This payment alone is more than the Safe holds of that token. */
export class InsufficientBalanceError extends InvalidInputError {
  override name = "InsufficientBalanceError";
}

/** The nonce asked for is already used on-chain. */
export class NonceUsedError extends InvalidInputError {
  override name = "NonceUsedError";
}

/** The action needs a pending proposal, and this one is not pending (or has signatures, for cancel). */
export class ProposalStateError extends InvalidInputError {
  override name = "ProposalStateError";
}

/** Fewer approvals than the Safe's threshold. */
export class ThresholdNotMetError extends InvalidInputError {
  override name = "ThresholdNotMetError";
}

/** RELAYER_PRIVATE_KEY is not set: an owner must execute from their own wallet. */
export class RelayerNotConfiguredError extends TreasuryError {
  override name = "RelayerNotConfiguredError";
}

/** The execution transaction was sent but reverted or the Safe reported ExecutionFailure. */
export class ExecutionFailedError extends TreasuryError {
  override name = "ExecutionFailedError";
}

/** Why a signature was refused, as a stable code (for tests, the web page and Slack). */
export type SignatureRefusalReason =
  | "malformed"
  | "not_owner"
  | "removed_owner"
  | "wrong_chain"
  | "wrong_safe"
  | "wrong_nonce"
  | "tampered_field"
  | "other_proposal"
  | "duplicate"
  | "not_pending"
  | "stale_nonce";

/**
 * A signature was refused; nothing was stored. `reason` says why in one code,
 * and `field` names the changed field when the reason is `tampered_field`.
 */
export class SignatureRefusedError extends InvalidInputError {
  override name = "SignatureRefusedError";
  readonly reason: SignatureRefusalReason;
  readonly field?: string;
  constructor(reason: SignatureRefusalReason, shortMessage: string, options: { field?: string; details?: string; cause?: unknown } = {}) {
    super(shortMessage, options);
    this.reason = reason;
    this.field = options.field;
  }
}

/** A proposal number or hash prefix matches more than one proposal; the message lists them. */
export class AmbiguousProposalError extends InvalidInputError {
  override name = "AmbiguousProposalError";
}

/** The person asking may not cancel or reject this proposal (neither its proposer nor an owner, or not an owner once signed). */
export class RejectNotAllowedError extends TreasuryError {
  override name = "RejectNotAllowedError";
}

/**
 * The relayer key (RELAYER_PRIVATE_KEY) belongs to a current owner of the Safe.
 * The relayer only pays gas; an owner's key on the server would let the server
 * sign, so the service refuses to start with it and stops relaying if an owner
 * change makes it one.
 */
export class RelayerIsOwnerError extends TreasuryError {
  override name = "RelayerIsOwnerError";
}
