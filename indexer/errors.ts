import { RetryableError, TreasuryError } from "../core/errors.ts";

/** Something the indexer cannot get past by trying again: it stops and says what to fix. */
export class IndexerError extends TreasuryError {
  override name = "IndexerError";
}

/** The configured Safe address holds no contract on this chain. */
export class SafeNotFoundError extends IndexerError {
  override name = "SafeNotFoundError";
}

/** The RPC failed in a way that may pass (timeout, dropped connection, rate limit, 5xx). */
export class RpcRetryableError extends RetryableError {
  override name = "RpcRetryableError";
}

/** The RPC refused a block range, or its answer was too large: ask again for fewer blocks. */
export class RangeTooLargeError extends RpcRetryableError {
  override name = "RangeTooLargeError";
}

/** The RPC answered with something that is not what JSON-RPC promises (bad JSON, a log without a hash...). */
export class MalformedRpcResponseError extends RpcRetryableError {
  override name = "MalformedRpcResponseError";
}

/** The RPC kept failing after every retry, or failed in a way retrying cannot fix. */
export class RpcFailedError extends IndexerError {
  override name = "RpcFailedError";
}
