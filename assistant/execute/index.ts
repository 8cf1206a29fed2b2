import { directoryOf } from "../directory.ts";
import { indexedHead, indexedStart } from "../../db/ledger/state.ts";
import { chainLabel, dateOf, dedupeCitations, referenceNow, type AssistantContext, type Citation } from "../context.ts";
import { validatePlan, type QueryPlan } from "../plan.ts";
import { EventNotFoundError, InvalidPlanError } from "./errors.ts";
import { executeMoney, type Executed } from "./money.ts";
import { executeApprovals, executeMessages, executeProposals, findProposals } from "./proposals.ts";
import { isoDay } from "./periods.ts";
import { executeBalances, executeNetFlow, executeOwners, executeRunway } from "./state.ts";
import { amountOf, resolveScope, type Scope } from "./scope.ts";
import type { Amount, Note, PlanResult, ResultValue } from "./types.ts";

export type { PlanResult } from "./types.ts";

/**
 * Executes a query plan over the database, read-only. Every figure is exact:
 * base units summed as bigints, shown as decimal strings with the token's
 * decimals, with the period, the token, the chain and the receipts. A plan
 * that is not valid throws `InvalidPlanError` (its issues say what to fix); a
 * name the database does not know throws `UnknownNameError`; a period that has
 * not begun throws `FuturePeriodError`. Nothing is widened or dropped.
 */
export async function executePlan(ctx: AssistantContext, input: unknown): Promise<PlanResult> {
  const checked = validatePlan(input);
  if (!checked.ok) throw new InvalidPlanError(checked.issues);
  const plan = checked.plan;
  const { directory } = directoryOf(ctx.db);
  const now = referenceNow(ctx);
  const executionOf = (ref: string) => {
    const probe: QueryPlan = { measure: "list", over: "proposals", filters: { proposal: ref } };
    const scopeForProbe = resolveScope(ctx, probe, directory, now.at);
    const executed = findProposals(ctx, probe, scopeForProbe, false, []).filter((r) => r.execution?.success);
    if (executed.length === 0) throw new EventNotFoundError(`the execution of ${ref}`);
    const first = executed[0];
    return { time: first.execution!.time, label: `proposal #${first.nonce} was executed` };
  };
  const scope = resolveScope(ctx, plan, directory, now.at, executionOf);

  let executed: Executed;
  if (plan.derived?.kind === "compare") executed = await compare(ctx, plan, scope);
  else if (plan.derived?.kind === "net_flow") executed = executeNetFlow(ctx, plan, scope);
  else if (plan.derived?.kind === "runway") executed = executeRunway(ctx, plan, scope);
  else
    switch (plan.over) {
      case "payments":
      case "deposits":
        executed = executeMoney(ctx, plan, scope);
        break;
      case "proposals":
        executed = await executeProposals(ctx, plan, scope);
        break;
      case "approvals":
        executed = await executeApprovals(ctx, plan, scope);
        break;
      case "messages":
        executed = await executeMessages(ctx, plan, scope);
        break;
      case "balances":
        executed = executeBalances(ctx, plan, scope);
        break;
      case "owners":
        executed = executeOwners(ctx, plan, scope);
        break;
    }

  const notes: Note[] = [...scope.notes, ...executed.notes];
  const start = indexedStart(ctx.db);
  if (start && scope.periods.length && scope.periods.every((p) => p.to <= start.timestamp)) notes.push({ code: "before_history", start: dateOf(start.timestamp) });
  const head = indexedHead(ctx.db);
  return {
    plan,
    subject: plan.over,
    value: executed.value,
    scope: {
      periods: scope.periods,
      counterparties: scope.counterparties?.map((c) => c.label) ?? [],
      categories: scope.categories?.map((c) => c.name) ?? [],
      tokens: scope.tokens ?? [],
      proposedBy: scope.proposers?.map((p) => p.name) ?? [],
      approvedBy: scope.approvers?.map((p) => p.name) ?? [],
      executedBy: scope.executors?.map((p) => p.name) ?? [],
      authors: scope.authors?.map((p) => p.name) ?? [],
      event: scope.eventLabel,
      amount: scope.amountLabel,
      statuses: plan.filters.status ?? [],
    },
    asOf: { block: head?.number ?? null, date: head ? dateOf(head.timestamp) : null, chain: chainLabel(ctx), now: isoDay(now.at), nowSource: now.source },
    notes: dedupeNotes(notes),
    citations: dedupeCitations(executed.citations),
  };
}

function dedupeNotes(notes: Note[]): Note[] {
  const seen = new Set<string>();
  return notes.filter((note) => {
    const key = JSON.stringify(note);
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/** The measure in the first period against the second, per token: both figures, the change and the change in percent. */
async function compare(ctx: AssistantContext, plan: QueryPlan, scope: Scope): Promise<Executed> {
  const [first, second] = scope.periods;
  const base: QueryPlan = { ...plan, derived: undefined };
  const run = async (period: typeof first) => {
    const narrowed: Scope = { ...scope, spans: [{ from: period.from, to: period.to }] };
    const result = plan.over === "proposals" ? await executeProposals(ctx, base, narrowed) : executeMoney(ctx, base, narrowed);
    return result;
  };
  const a = await run(first);
  const b = await run(second);
  const figures = (value: ResultValue): { key: string; amount: Amount | null; count: number; token: Amount["token"] }[] => {
    if (value.shape === "figures") return value.figures.map((f) => ({ key: f.token.address?.toLowerCase() ?? "native", amount: f.amount ?? null, count: f.count, token: f.token }));
    if (value.shape === "proposals") return value.totals.map((f) => ({ key: f.token.address?.toLowerCase() ?? "native", amount: f.amount ?? null, count: f.count, token: f.token }));
    if (value.shape === "count") return [{ key: "count", amount: null, count: value.count, token: { symbol: "", address: null, decimals: 0 } }];
    return [];
  };
  const fa = figures(a.value);
  const fb = figures(b.value);
  const keys = [...new Set([...fa.map((f) => f.key), ...fb.map((f) => f.key)])];
  const rows = keys.map((key) => {
    const x = fa.find((f) => f.key === key);
    const y = fb.find((f) => f.key === key);
    const token = (x ?? y)!.token;
    const counting = plan.measure === "count";
    const ax = counting ? BigInt(x?.count ?? 0) : (x?.amount?.units ?? 0n);
    const by = counting ? BigInt(y?.count ?? 0) : (y?.amount?.units ?? 0n);
    const unitToken = counting ? { symbol: "", address: null, decimals: 0 } : token;
    return {
      token: unitToken,
      first: counting ? null : amountOf(unitToken, ax),
      second: counting ? null : amountOf(unitToken, by),
      firstCount: x?.count ?? 0,
      secondCount: y?.count ?? 0,
      change: amountOf(unitToken, by - ax),
      percent: percentChange(ax, by),
    };
  });
  const citations: Citation[] = [...a.citations, ...b.citations];
  return { value: { shape: "compare", measure: plan.measure, periods: [first, second], rows }, citations, notes: [...a.notes, ...b.notes] };
}

/** Change from a to b in percent, one decimal, rounded half away from zero; null when a is zero. */
export function percentChange(a: bigint, b: bigint): string | null {
  if (a === 0n) return null;
  const tenths = ((b - a) * 2000n) / a; // twice the tenths of a percent
  const rounded = tenths >= 0n ? (tenths + 1n) / 2n : (tenths - 1n) / 2n;
  const sign = rounded < 0n ? "-" : "+";
  const abs = rounded < 0n ? -rounded : rounded;
  return `${sign}${abs / 10n}.${abs % 10n}`;
}
