/**
 * Every error the treasury raises on purpose is a `TreasuryError`: a short human
 * message (shown in Slack replies, HTTP responses and the CLI), optional details,
 * and the cause. Loops retry only `RetryableError`s.
 */
export type TreasuryErrorOptions = {
  details?: string;
  cause?: unknown;
};

export class TreasuryError extends Error {
  override name = "TreasuryError";
  /** One line a treasurer can read. */
  readonly shortMessage: string;
  readonly details?: string;

  constructor(shortMessage: string, options: TreasuryErrorOptions = {}) {
    super(options.details ? `${shortMessage}\n\nDetails: ${options.details}` : shortMessage, {
      cause: options.cause,
    });
    this.shortMessage = shortMessage;
    this.details = options.details;
  }
}

/** A failure that may pass if the same work is tried again (a timeout, a dropped connection). */
export class RetryableError extends TreasuryError {
  override name = "RetryableError";
}

/** A configuration value is missing or wrong; the program cannot start. */
export class ConfigError extends TreasuryError {
  override name = "ConfigError";
}

/** Input a person typed is not usable (an amount, a payee, a token). */
export class InvalidInputError extends TreasuryError {
  override name = "InvalidInputError";
}

export class InvalidAmountError extends InvalidInputError {
  override name = "InvalidAmountError";
}

/** Returns the short message of any error: ours, viem's, or a plain Error. */
export function shortMessageOf(error: unknown): string {
  if (error && typeof error === "object" && "shortMessage" in error) {
    const message = (error as { shortMessage?: unknown }).shortMessage;
    if (typeof message === "string" && message.length > 0) return message;
  }
  if (error instanceof Error) return error.message.split("\n")[0];
  return String(error);
}
