import { formatAmount } from "../../core/money.ts";
import type { LedgerDirectory } from "../../db/ledger/directory.ts";
import { listOwnerChanges } from "../../db/ledger/people.ts";
import type { AmountCondition, CategoryCondition, TimeSpan } from "../../db/ledger/types.ts";
import type { AssistantContext } from "../context.ts";
import type { AmountFilter, QueryPlan } from "../plan.ts";
import { EventNotFoundError, PlanError } from "./errors.ts";
import { clipSpans, isoDay, resolvePeriod, type ResolvedPeriod } from "./periods.ts";
import {
  nativeTokenInfo,
  resolveCategory,
  resolveCounterparty,
  resolvePerson,
  resolveToken,
  type ResolvedCategory,
  type ResolvedCounterparty,
  type ResolvedPerson,
  type TokenInfo,
} from "./resolve.ts";
import type { Amount, Note } from "./types.ts";

/** A plan's filters resolved against the database: addresses, token addresses, member keys, spans, base units. */
export type Scope = {
  directory: LedgerDirectory;
  now: number;
  periods: ResolvedPeriod[];
  /** The periods (or all time) narrowed by the event; undefined = no time limit. */
  spans?: TimeSpan[];
  counterparties?: ResolvedCounterparty[];
  categories?: ResolvedCategory[];
  tokens?: TokenInfo[];
  amounts?: AmountCondition[];
  amountLabel: string | null;
  proposers?: ResolvedPerson[];
  approvers?: ResolvedPerson[];
  executors?: ResolvedPerson[];
  authors?: ResolvedPerson[];
  eventLabel: string | null;
  notes: Note[];
};

export const amountOf = (token: TokenInfo, units: bigint): Amount => ({ token, units, value: formatAmount(units, token.decimals) });

/** Exact: decimal text to base units; more decimals than the token has is an error, never a rounding. */
export function unitsOf(value: string, token: TokenInfo): bigint {
  const [whole, fraction = ""] = value.split(".");
  if (fraction.replace(/0+$/, "").length > token.decimals)
    throw new PlanError(`${value} has more decimals than ${token.symbol} has (${token.decimals}).`);
  return BigInt(whole) * 10n ** BigInt(token.decimals) + BigInt((fraction.padEnd(token.decimals, "0").slice(0, token.decimals) || "0"));
}

const opWords: Record<AmountFilter["op"], string> = { over: "over", at_least: "at least", under: "under", at_most: "at most", exactly: "exactly", between: "between" };
const ops: Record<AmountFilter["op"], AmountCondition["op"]> = { over: "gt", at_least: "gte", under: "lt", at_most: "lte", exactly: "eq", between: "between" };

export function allTokens(directory: LedgerDirectory): TokenInfo[] {
  return [nativeTokenInfo(directory), ...directory.tokens.map((t) => ({ symbol: t.symbol, address: t.address, decimals: t.decimals }))];
}

/**
 * Resolves every filter of a plan. Names the database does not know throw
 * (`UnknownNameError`, `AmbiguousNameError`); a period that has not begun
 * throws `FuturePeriodError`. Nothing is dropped.
 */
export type ExecutionOf = (proposal: string) => { time: number; label: string };

export function resolveScope(ctx: AssistantContext, plan: QueryPlan, directory: LedgerDirectory, now: number, executionOf?: ExecutionOf): Scope {
  const f = plan.filters;
  const notes: Note[] = [];
  const periods = (f.periods ?? []).map((period) => resolvePeriod(period, now));
  for (const period of periods) if (period.partial) notes.push({ code: "partial_period", label: period.label, until: isoDay(now) });
  const counterpartyKind = plan.over === "deposits" ? "sender" : "payee";
  const counterparties = f.counterparties?.map((name) => resolveCounterparty(directory, name, counterpartyKind));
  for (const [index, c] of (counterparties ?? []).entries()) {
    for (const variant of c.variants) notes.push({ code: "variant_excluded", name: c.label, variant: variant.label, address: variant.address });
    if (c.confidence < 0.95) notes.push({ code: "loose_match", wanted: f.counterparties![index], matched: c.label });
  }
  const categories = f.categories?.map((name) => resolveCategory(directory, name));
  const tokens = f.tokens?.map((name) => resolveToken(directory, name));
  const proposers = f.proposedBy?.map((name) => resolvePerson(directory, name));
  const approvers = f.approvedBy?.map((name) => resolvePerson(directory, name));
  const executors = f.executedBy?.map((name) => resolvePerson(directory, name));
  const authors = f.authors?.map((name) => resolvePerson(directory, name));

  let amounts: AmountCondition[] | undefined;
  let amountLabel: string | null = null;
  if (f.amount) {
    const a = f.amount;
    const amountTokens = a.token ? [resolveToken(directory, a.token)] : (tokens ?? allTokens(directory));
    if (!a.token && !tokens) notes.push({ code: "each_token_own_units" });
    amounts = amountTokens.map((token) => ({
      token: token.address,
      op: ops[a.op],
      value: unitsOf(a.value, token).toString(),
      upTo: a.upTo === undefined ? undefined : unitsOf(a.upTo, token).toString(),
    }));
    const unit = a.token ? ` ${amountTokens[0].symbol}` : tokens?.length === 1 ? ` ${tokens[0].symbol}` : "";
    amountLabel = a.op === "between" ? `between ${a.value} and ${a.upTo}${unit}` : `${opWords[a.op]} ${a.value}${unit}`;
  }

  let spans: TimeSpan[] | undefined = periods.length ? periods.map((p) => ({ from: p.from, to: p.to })) : undefined;
  let eventLabel: string | null = null;
  if (f.event) {
    const { time, label } = eventTime(ctx, plan, directory, executionOf);
    eventLabel = `${f.event.relation} ${label} (${isoDay(time)})`;
    const [from, to] = f.event.relation === "after" ? [time, 2 ** 40] : [0, time];
    spans = clipSpans(spans ?? [{ from: 0, to: 2 ** 40 }], from, to);
  }
  return { directory, now, periods, spans, counterparties, categories, tokens, amounts, amountLabel, proposers, approvers, executors, authors, eventLabel, notes };
}

function eventTime(ctx: AssistantContext, plan: QueryPlan, directory: LedgerDirectory, executionOf?: ExecutionOf): { time: number; label: string } {
  const event = plan.filters.event!;
  const changes = listOwnerChanges(ctx.db);
  if (event.event === "owner_added" || event.event === "owner_removed") {
    if (!event.who) throw new PlanError(`${event.event} needs who: the owner added or removed.`);
    const person = resolvePerson(directory, event.who);
    const mine = (address: string | null) => !!address && person.addresses.some((a) => a.toLowerCase() === address.toLowerCase());
    const found =
      event.event === "owner_removed"
        ? changes.find((c) => c.kind === "removed" && mine(c.owner))
        : changes.find((c) => (c.kind === "added" && mine(c.owner)) || (c.kind === "setup" && parseOwnerList(c.owners).some(mine)));
    const label = `${person.name} ${event.event === "owner_added" ? "became an owner" : "stopped being an owner"}`;
    if (!found) throw new EventNotFoundError(label);
    return { time: found.time, label };
  }
  if (event.event === "threshold_changed") {
    const found = changes.find((c) => c.kind === "threshold");
    if (!found) throw new EventNotFoundError("the threshold changed");
    return { time: found.time, label: "the threshold changed" };
  }
  if (!event.proposal) throw new PlanError("proposal_executed needs proposal: which proposal.");
  if (!executionOf) throw new PlanError("proposal_executed is not available here.");
  return executionOf(event.proposal);
}

export function parseOwnerList(text: string | null): string[] {
  if (!text) return [];
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    try {
      return (JSON.parse(trimmed) as unknown[]).map(String);
    } catch {
      return [];
    }
  }
  return trimmed.split(/[,\s]+/).filter(Boolean);
}

/** The category condition of a scope: the names and the address-book addresses filed under them. */
export function categoryCondition(scope: Scope): CategoryCondition | undefined {
  if (!scope.categories) return undefined;
  return { names: scope.categories.map((c) => c.name), addresses: scope.categories.flatMap((c) => c.bookAddresses) };
}

export const addressesOf = (list: { addresses: string[] }[] | undefined) => list?.flatMap((item) => item.addresses);
export const keysOf = (list: ResolvedPerson[] | undefined) => list?.flatMap((person) => person.keys);
