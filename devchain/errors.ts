import { TreasuryError } from "../core/errors.ts";

/** Safe's contracts could not be built or put at their canonical addresses on the embedded chain. */
export class SafeBuildError extends TreasuryError {
  override name = "SafeBuildError";
}
