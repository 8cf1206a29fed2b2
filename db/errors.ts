/**
 * The database cannot be opened or used. `shortMessage` is one line a person
 * can act on (the same shape as the core's errors, so every adapter shows it).
 */
export class DatabaseError extends Error {
  override name = "DatabaseError";
  readonly shortMessage: string;
  readonly details?: string;

  constructor(shortMessage: string, options: { details?: string; cause?: unknown } = {}) {
    super(options.details ? `${shortMessage}\n\nDetails: ${options.details}` : shortMessage, { cause: options.cause });
    this.shortMessage = shortMessage;
    this.details = options.details;
  }
}
