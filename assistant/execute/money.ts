import { listApprovals } from "../../db/ledger/people.ts";
import { aggregateMoney, listMoney } from "../../db/ledger/money.ts";
import { indexedStart, undecodedExecutions } from "../../db/ledger/state.ts";
import type { MoneyAggregate, MoneyQuery, MoneyRecord, TimeSpan } from "../../db/ledger/types.ts";
import { dateOf, txCitation, type AssistantContext, type Citation } from "../context.ts";
import type { QueryPlan } from "../plan.ts";
import { monthOf, monthsOf, quarterOfMonth } from "./periods.ts";
import { approverName, nameOfAddress, nameOfPerson, tokenOf, type TokenInfo } from "./resolve.ts";
import { addressesOf, amountOf, categoryCondition, keysOf, type Scope } from "./scope.ts";
import type { Group, MoneyRow, Note, ResultValue, TokenFigure } from "./types.ts";

export type Executed = { value: ResultValue; citations: Citation[]; notes: Note[] };

export function moneyQueryOf(plan: QueryPlan, scope: Scope, direction: "in" | "out" = plan.over === "deposits" ? "in" : "out"): MoneyQuery {
  return {
    direction,
    counterparties: addressesOf(scope.counterparties),
    categories: categoryCondition(scope),
    tokens: scope.tokens?.map((token) => token.address),
    spans: scope.spans,
    amounts: scope.amounts,
    proposers: keysOf(scope.proposers),
    approvers: addressesOf(scope.approvers),
    executors: addressesOf(scope.executors),
  };
}

export function toMoneyRow(scope: Scope, record: MoneyRecord): MoneyRow {
  const token = tokenOf(scope.directory, record.token);
  const book = scope.directory.book.find((entry) => entry.address.toLowerCase() === record.counterparty.toLowerCase());
  return {
    direction: record.direction,
    date: dateOf(record.time),
    time: record.time,
    amount: amountOf(token, record.amount),
    counterparty: nameOfAddress(scope.directory, record.counterparty),
    counterpartyAddress: record.counterparty,
    category: record.category ?? book?.category ?? null,
    memo: record.memo,
    proposer: record.proposer ? nameOfPerson(scope.directory, record.proposer) : null,
    txHash: record.txHash,
    safeTxHash: record.safeTxHash,
  };
}

export function moneyCitation(ctx: AssistantContext, row: MoneyRow): Citation {
  return txCitation(ctx, row.txHash, `${row.amount.value} ${row.amount.token.symbol} ${row.direction === "out" ? "to" : "from"} ${row.counterparty} on ${row.date}`);
}

/** Rounded half up to the token's decimals; `rounded` when the division was not exact. */
export function divide(total: bigint, by: bigint): { units: bigint; rounded: boolean } {
  if (by === 0n) return { units: 0n, rounded: false };
  const quotient = total / by;
  const remainder = total % by;
  return { units: remainder * 2n >= by ? quotient + 1n : quotient, rounded: remainder !== 0n };
}

/** Calendar months a per-month average divides by: the periods, or the whole indexed history, up to now. */
export function monthsCovered(ctx: AssistantContext, scope: Scope): { months: number; from: string; to: string } {
  const start = indexedStart(ctx.db)?.timestamp ?? scope.now;
  const spans: TimeSpan[] = scope.spans ?? [{ from: start, to: scope.now + 1 }];
  const months = new Set<string>();
  for (const span of spans) for (const month of monthsOf(Math.max(span.from, start), span.to, scope.now)) months.add(month);
  const sorted = [...months].sort();
  return { months: sorted.length, from: sorted[0] ?? monthOf(scope.now), to: sorted.at(-1) ?? monthOf(scope.now) };
}

function figureOf(plan: QueryPlan, token: TokenInfo, aggregate: { count: number; sum: bigint; min: bigint; max: bigint }, months?: number): TokenFigure {
  switch (plan.measure) {
    case "count":
      return { token, count: aggregate.count, amount: amountOf(token, aggregate.sum) };
    case "average": {
      const by = plan.per === "month" ? BigInt(months ?? 1) : BigInt(aggregate.count);
      const { units, rounded } = divide(aggregate.sum, by);
      return { token, count: aggregate.count, amount: amountOf(token, units), rounded, months: plan.per === "month" ? months : undefined };
    }
    case "min":
      return { token, count: aggregate.count, amount: amountOf(token, aggregate.min) };
    case "max":
      return { token, count: aggregate.count, amount: amountOf(token, aggregate.max) };
    default:
      return { token, count: aggregate.count, amount: amountOf(token, aggregate.sum) };
  }
}

const tokenKey = (token: string | null) => token?.toLowerCase() ?? "native";

/** Payments out or deposits in: every measure, grouping and ordering. */
export function executeMoney(ctx: AssistantContext, plan: QueryPlan, scope: Scope): Executed {
  const query = moneyQueryOf(plan, scope);
  const notes: Note[] = [];
  const citations: Citation[] = [];
  const measure = plan.measure;
  if (query.direction === "out") {
    // Payments the history cannot itemise (an L1 Safe's or a module's call not decoded): say so rather than under-count quietly.
    const undecoded = undecodedExecutions(ctx.db, scope.spans);
    if (undecoded.count > 0) notes.push({ code: "undecoded_executions", count: undecoded.count, reason: undecoded.reason ?? "could not be decoded" });
  }
  const cite = (rows: MoneyRow[]) => citations.push(...rows.map((row) => moneyCitation(ctx, row)));
  const citeLatest = (q: MoneyQuery) => cite(listMoney(ctx.db, q, { order: "time_desc", limit: 40 }).map((r) => toMoneyRow(scope, r)));

  if (measure === "list" || measure === "first" || measure === "last") {
    const totals = aggregateMoney(ctx.db, query, "none");
    const count = totals.reduce((sum, t) => sum + t.count, 0);
    const totalFigures = totals.map((t) => figureOf({ ...plan, measure: "sum" }, tokenOf(scope.directory, t.token), t));
    let rows: MoneyRow[];
    if (measure !== "list") rows = listMoney(ctx.db, query, { order: measure === "first" ? "time_asc" : "time_desc", limit: plan.limit ?? 1 }).map((r) => toMoneyRow(scope, r));
    else if (plan.order) {
      // Amounts of different tokens are not comparable: rank within each token.
      if (totals.length > 1) notes.push({ code: "tokens_not_compared" });
      rows = totals.flatMap((t) =>
        listMoney(ctx.db, { ...query, tokens: [t.token] }, { order: plan.order === "asc" ? "amount_asc" : "amount_desc", limit: plan.limit ?? 100 }).map((r) => toMoneyRow(scope, r)),
      );
    } else rows = listMoney(ctx.db, query, { order: "time_asc", limit: plan.limit ?? 200 }).map((r) => toMoneyRow(scope, r));
    cite(rows);
    return { value: { shape: "money_rows", rows, count, totals: totalFigures }, citations, notes };
  }

  const covered = plan.per === "month" ? monthsCovered(ctx, scope) : undefined;
  if (covered) notes.push({ code: "average_months", months: covered.months, from: covered.from, to: covered.to });

  if (!plan.groupBy || plan.groupBy === "token") {
    const aggregates = aggregateMoney(ctx.db, query, "none", { extremes: measure === "min" || measure === "max" });
    const figures = aggregates.map((a) => figureOf(plan, tokenOf(scope.directory, a.token), a, covered?.months));
    if (measure === "min" || measure === "max") {
      for (const figure of figures) {
        const [row] = listMoney(ctx.db, { ...query, tokens: [figure.token.address] }, { order: measure === "max" ? "amount_desc" : "amount_asc", limit: 1 });
        if (row) figure.row = toMoneyRow(scope, row);
        if (figure.row) cite([figure.row]);
      }
      if (figures.length > 1) notes.push({ code: "tokens_not_compared" });
    } else citeLatest(query);
    const count = aggregates.reduce((sum, a) => sum + a.count, 0);
    return { value: { shape: "figures", measure, figures, count }, citations, notes };
  }

  const groupBy = plan.groupBy;
  const merged = new Map<string, { key: string; label: string; byToken: Map<string, { token: TokenInfo; count: number; sum: bigint; min: bigint; max: bigint }> }>();
  const add = (key: string, label: string, token: string | null, part: Pick<MoneyAggregate, "count" | "sum" | "min" | "max">) => {
    const group = merged.get(key) ?? { key, label, byToken: new Map() };
    const current = group.byToken.get(tokenKey(token));
    if (!current) group.byToken.set(tokenKey(token), { token: tokenOf(scope.directory, token), count: part.count, sum: part.sum, min: part.min, max: part.max });
    else
      group.byToken.set(tokenKey(token), {
        ...current,
        count: current.count + part.count,
        sum: current.sum + part.sum,
        min: part.min < current.min ? part.min : current.min,
        max: part.max > current.max ? part.max : current.max,
      });
    merged.set(key, group);
  };
  if (groupBy === "month" || groupBy === "quarter" || groupBy === "payee" || groupBy === "category") {
    const grouping = groupBy === "quarter" ? "month" : groupBy === "payee" ? "counterparty" : groupBy;
    for (const a of aggregateMoney(ctx.db, query, grouping, { extremes: measure === "min" || measure === "max" })) {
      if (groupBy === "month") add(a.key, a.key, a.token, a);
      else if (groupBy === "quarter") add(quarterOfMonth(a.key), quarterOfMonth(a.key), a.token, a);
      else if (groupBy === "payee") add(a.key.toLowerCase(), nameOfAddress(scope.directory, a.key), a.token, a);
      else {
        const book = scope.directory.book.find((e) => e.address.toLowerCase() === (a.counterparty ?? "").toLowerCase());
        const category = a.category ?? book?.category?.toLowerCase() ?? "(none)";
        add(category, category, a.token, a);
      }
    }
  } else {
    // proposer / approver: from the rows (payments only).
    const records = listMoney(ctx.db, query);
    const approvals = groupBy === "approver" ? listApprovals(ctx.db, { safeTxHashes: [...new Set(records.map((r) => r.safeTxHash).filter((h): h is string => !!h))] }) : [];
    for (const record of records) {
      const part = { count: 1, sum: record.amount, min: record.amount, max: record.amount };
      if (groupBy === "proposer") add(record.proposer ?? "(none)", record.proposer ? nameOfPerson(scope.directory, record.proposer) : "(outside the bot)", record.token, part);
      else
        for (const approval of approvals.filter((a) => a.safeTxHash === record.safeTxHash))
          add(approval.owner.toLowerCase(), approverName(scope.directory, approval), record.token, part);
    }
  }
  const months = covered?.months;
  const groupsAll: Group[] = [...merged.values()].map((g) => ({
    key: g.key,
    label: g.label,
    count: [...g.byToken.values()].reduce((sum, t) => sum + t.count, 0),
    figures: [...g.byToken.values()].map((t) => figureOf(plan, t.token, t, months)),
  }));
  const timeGroups = groupBy === "month" || groupBy === "quarter";
  const tokensSeen = new Set(groupsAll.flatMap((g) => g.figures.map((f) => tokenKey(f.token.address))));
  const valueOf = (figure: TokenFigure) => (measure === "count" ? BigInt(figure.count) : (figure.amount?.units ?? 0n));
  let groups: Group[];
  if (timeGroups && !plan.order) {
    groups = groupsAll.sort((a, b) => a.key.localeCompare(b.key));
    if (plan.limit) groups = groups.slice(0, plan.limit);
  } else if (measure === "count" || tokensSeen.size <= 1) {
    const total = (g: Group) => (measure === "count" ? BigInt(g.count) : g.figures.reduce((sum, f) => sum + valueOf(f), 0n));
    groups = groupsAll.sort((a, b) => cmp(total(b), total(a)) * (plan.order === "asc" ? -1 : 1) || a.label.localeCompare(b.label));
    if (plan.limit) groups = groups.slice(0, plan.limit);
  } else {
    // Rank within each token: amounts of different tokens are not compared.
    notes.push({ code: "tokens_not_compared" });
    groups = [];
    for (const key of tokensSeen) {
      const ofToken = groupsAll
        .map((g) => ({ ...g, figures: g.figures.filter((f) => tokenKey(f.token.address) === key) }))
        .filter((g) => g.figures.length)
        .map((g) => ({ ...g, count: g.figures[0].count }))
        .sort((a, b) => cmp(valueOf(b.figures[0]), valueOf(a.figures[0])) * (plan.order === "asc" ? -1 : 1) || a.label.localeCompare(b.label));
      groups.push(...(plan.limit ? ofToken.slice(0, plan.limit) : ofToken));
    }
  }
  citeLatest(query);
  const count = groupsAll.reduce((sum, g) => sum + g.count, 0);
  return { value: { shape: "groups", measure, groupBy, groups, totalGroups: groupsAll.length, count }, citations, notes };
}

const cmp = (a: bigint, b: bigint) => (a > b ? 1 : a < b ? -1 : 0);

