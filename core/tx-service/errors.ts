import { RetryableError, TreasuryError } from "../errors.ts";

/** The Transaction Service could not be reached, answered 5xx or 429, or was too slow: try again later. */
export class TxServiceUnavailableError extends RetryableError {
  override name = "TxServiceUnavailableError";
}

/** The Transaction Service refused a request for good (a 4xx with its reason): trying again will not help. */
export class TxServiceRefusedError extends TreasuryError {
  override name = "TxServiceRefusedError";
  constructor(
    shortMessage: string,
    readonly status: number,
    options: { cause?: unknown } = {},
  ) {
    super(shortMessage, options);
  }
}

/** The Transaction Service does not know this transaction (yet): a 404. Pushing its signature waits. */
export class TxServiceNotFoundError extends RetryableError {
  override name = "TxServiceNotFoundError";
}
