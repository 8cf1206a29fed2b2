import { DatabaseError } from "../errors.ts";

/** A statement PostgreSQL refused, or a connection it would not open. `code` is PostgreSQL's SQLSTATE. */
export class PostgresError extends DatabaseError {
  override name = "PostgresError";
  readonly code: string | undefined;
  constructor(message: string, options: { code?: string; details?: string; cause?: unknown } = {}) {
    super(message, options);
    this.code = options.code;
  }
}
