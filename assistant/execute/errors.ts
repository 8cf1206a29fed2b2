import { TreasuryError } from "../../core/errors.ts";

/** A plan the executor cannot answer as asked. Never retryable: the same plan fails the same way. */
export class PlanError extends TreasuryError {
  override name = "PlanError";
}

export type NameKind = "payee" | "sender" | "person" | "token" | "category" | "proposal";

/** A name the database does not know: said, with the closest known names, never dropped. */
export class UnknownNameError extends PlanError {
  override name = "UnknownNameError";
  constructor(
    readonly what: NameKind,
    readonly wanted: string,
    readonly closest: string[],
  ) {
    super(`I know no ${what} called ${wanted}${closest.length ? `; the closest are ${closest.join(", ")}` : ""}.`);
  }
}

/** A name that fits several entries equally: the answer asks which one. */
export class AmbiguousNameError extends PlanError {
  override name = "AmbiguousNameError";
  constructor(
    readonly what: NameKind,
    readonly wanted: string,
    readonly options: string[],
  ) {
    super(`${wanted} could be ${options.join(" or ")}; which one do you mean?`);
  }
}

/** A period that has not begun: there is no data for it yet. */
export class FuturePeriodError extends PlanError {
  override name = "FuturePeriodError";
  constructor(
    readonly period: string,
    readonly dataUntil: string,
  ) {
    super(`${period} has not begun yet: there is no data for it (the history goes up to ${dataUntil}).`);
  }
}

/** An event the plan counts from (an owner added, a proposal executed) that never happened. */
export class EventNotFoundError extends PlanError {
  override name = "EventNotFoundError";
  constructor(readonly event: string) {
    super(`The history shows no such event: ${event}.`);
  }
}

/** A plan that failed validation; the issues name each field to fix. */
export class InvalidPlanError extends PlanError {
  override name = "InvalidPlanError";
  constructor(readonly issues: string[]) {
    super(`The query plan is not valid: ${issues.join("; ")}.`);
  }
}
