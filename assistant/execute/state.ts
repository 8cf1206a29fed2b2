import { listOwnerChanges } from "../../db/ledger/people.ts";
import { aggregateMoney } from "../../db/ledger/money.ts";
import { indexedStart, tokenFlows } from "../../db/ledger/state.ts";
import { dateOf, txCitation, type AssistantContext, type Citation } from "../context.ts";
import type { QueryPlan } from "../plan.ts";
import { divide, moneyQueryOf, type Executed } from "./money.ts";
import { ownersAt } from "./owners.ts";
import { isoDay, monthsOf } from "./periods.ts";
import { nameOfAddress, tokenOf, type TokenInfo } from "./resolve.ts";
import { allTokens, amountOf, type Scope } from "./scope.ts";
import type { Amount, Note } from "./types.ts";

const keyOf = (token: string | null) => token?.toLowerCase() ?? "native";

function wanted(scope: Scope, token: string | null): boolean {
  return !scope.tokens || scope.tokens.some((t) => keyOf(t.address) === keyOf(token));
}

/** The end of the last period (exclusive), or undefined for now. */
function endOf(scope: Scope): number | undefined {
  if (!scope.spans?.length) return undefined;
  const end = Math.max(...scope.spans.map((s) => s.to));
  return end > scope.now ? undefined : end;
}

/** Balances per token as indexed (transfers in minus out), now or at the end of the period. */
export function executeBalances(ctx: AssistantContext, plan: QueryPlan, scope: Scope): Executed {
  const until = endOf(scope);
  const flows = tokenFlows(ctx.db, { until });
  const balances: Amount[] = [];
  const seen = new Set<string>();
  for (const flow of flows)
    if (wanted(scope, flow.token)) {
      balances.push(amountOf(tokenOf(scope.directory, flow.token), flow.inflow - flow.outflow));
      seen.add(keyOf(flow.token));
    }
  for (const token of scope.tokens ?? allTokens(scope.directory)) if (!seen.has(keyOf(token.address))) balances.push(amountOf(token, 0n));
  balances.sort((a, b) => a.token.symbol.localeCompare(b.token.symbol));
  return { value: { shape: "balances", at: until === undefined ? "now" : isoDay(until - 1), balances }, citations: [], notes: [] };
}

/** The owners and threshold now or at the end of the period; first/last: the earliest or latest owner added. */
export function executeOwners(ctx: AssistantContext, plan: QueryPlan, scope: Scope): Executed {
  const until = endOf(scope);
  const changes = listOwnerChanges(ctx.db);
  const state = ownersAt(changes, until === undefined ? undefined : until - 1);
  let owners = state.owners.map((o) => ({ name: nameOfAddress(scope.directory, o.address), address: o.address, since: o.since === null ? null : dateOf(o.since) }));
  if (plan.measure === "first" || plan.measure === "last") {
    const sorted = [...owners].sort((a, b) => (a.since ?? "").localeCompare(b.since ?? ""));
    owners = plan.measure === "first" ? sorted.slice(0, plan.limit ?? 1) : sorted.slice(-(plan.limit ?? 1)).reverse();
  }
  const relevant = changes.filter((c) => until === undefined || c.time < until);
  const citations: Citation[] = relevant.slice(-3).map((c) => txCitation(ctx, c.txHash, `owner change (${c.kind}) on ${dateOf(c.time)}`));
  return {
    value: {
      shape: "owners",
      at: until === undefined ? "now" : isoDay(until - 1),
      owners,
      threshold: state.threshold,
      changes: relevant.map((c) => ({ kind: c.kind, name: c.owner ? nameOfAddress(scope.directory, c.owner) : null, date: dateOf(c.time), txHash: c.txHash })),
    },
    citations,
    notes: [],
  };
}

/** Deposits in minus payments out, per token, over the periods (or all time). */
export function executeNetFlow(ctx: AssistantContext, plan: QueryPlan, scope: Scope): Executed {
  const inflow = aggregateMoney(ctx.db, moneyQueryOf(plan, scope, "in"), "none");
  const outflow = aggregateMoney(ctx.db, moneyQueryOf(plan, scope, "out"), "none");
  const tokens = new Map<string, TokenInfo>();
  for (const a of [...inflow, ...outflow]) tokens.set(keyOf(a.token), tokenOf(scope.directory, a.token));
  const rows = [...tokens.entries()].map(([key, token]) => {
    const i = inflow.find((a) => keyOf(a.token) === key)?.sum ?? 0n;
    const o = outflow.find((a) => keyOf(a.token) === key)?.sum ?? 0n;
    return { token, inflow: amountOf(token, i), outflow: amountOf(token, o), net: amountOf(token, i - o) };
  });
  rows.sort((a, b) => a.token.symbol.localeCompare(b.token.symbol));
  return { value: { shape: "net_flow", rows }, citations: [], notes: [] };
}

/**
 * Runway per token: the balance now divided by the average monthly payments
 * over a stated window (the periods given, else the last `windowMonths` full
 * calendar months before the current one).
 */
export function executeRunway(ctx: AssistantContext, plan: QueryPlan, scope: Scope): Executed {
  const notes: Note[] = [];
  const windowMonths = plan.derived?.kind === "runway" ? plan.derived.windowMonths : 3;
  let spans = scope.spans;
  if (!spans) {
    const now = new Date(scope.now * 1000);
    const to = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) / 1000;
    const from = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - windowMonths, 1) / 1000;
    const start = indexedStart(ctx.db)?.timestamp ?? from;
    spans = [{ from: Math.max(from, Date.UTC(new Date(start * 1000).getUTCFullYear(), new Date(start * 1000).getUTCMonth(), 1) / 1000), to }];
  }
  const months = new Set<string>();
  for (const span of spans) for (const month of monthsOf(span.from, span.to, scope.now)) months.add(month);
  const monthList = [...months].sort();
  const count = BigInt(Math.max(1, monthList.length));
  const outflow = aggregateMoney(ctx.db, { ...moneyQueryOf(plan, { ...scope, spans }, "out") }, "none");
  const flows = tokenFlows(ctx.db);
  const rows = flows
    .filter((flow) => wanted(scope, flow.token))
    .map((flow) => {
      const token = tokenOf(scope.directory, flow.token);
      const balance = flow.inflow - flow.outflow;
      const spent = outflow.find((a) => keyOf(a.token) === keyOf(flow.token))?.sum ?? 0n;
      const monthly = divide(spent, count).units;
      // Months of runway to one decimal, rounded down: balance * 10 / monthly.
      const tenths = monthly === 0n ? null : (balance * 10n) / monthly;
      return { token, balance: amountOf(token, balance), monthlyOutflow: amountOf(token, monthly), months: tenths === null ? null : `${tenths / 10n}.${tenths % 10n}` };
    })
    .sort((a, b) => a.token.symbol.localeCompare(b.token.symbol));
  const window = { from: monthList[0] ?? "", to: monthList.at(-1) ?? "", months: monthList.length };
  notes.push({ code: "runway_window", ...window });
  return { value: { shape: "runway", window, rows }, citations: [], notes };
}
