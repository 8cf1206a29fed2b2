import assert from "node:assert/strict";
import fc from "fast-check";
import { rmSync } from "node:fs";
import type { AssistantContext } from "../../assistant/context.ts";
import { executePlan } from "../../assistant/execute/index.ts";
import type { QueryPlan } from "../../assistant/plan.ts";
import type { ReadableDatabase } from "../../db/handle.ts";
import { closeDatabase } from "../../db/open.ts";
import { openReadOnlyDatabase } from "../helpers/database.ts";
import { decimal, fixtureTruth, units, type TruthMoney } from "../helpers/fixture-truth.ts";
import { replayedFixture } from "../helpers/replayed-fixture.ts";
import { copyReplayedDatabase } from "../helpers/assistant-db.ts";
import { onlySafe } from "../helpers/safe-database.ts";

const day = (unix: number) => new Date(unix * 1000).toISOString().slice(0, 10);

/** The plan's figure per token, computed with a plain reduce over the fixture's executed transfers. */
function expected(plan: QueryPlan, rows: TruthMoney[]): Map<string, { count: number; value: string }> {
  const f = plan.filters;
  const t = fixtureTruth();
  const spans = f.periods?.map((p) => [Date.parse(`${p.from}T00:00:00Z`) / 1000, Date.parse(`${p.to}T00:00:00Z`) / 1000 + 86400]);
  const matching = rows.filter((r) => {
    if (f.counterparties && !f.counterparties.includes(r.counterparty)) return false;
    if (f.categories && !f.categories.includes(r.category ?? "")) return false;
    if (f.tokens && !f.tokens.includes(r.token)) return false;
    if (spans && !spans.some(([from, to]) => r.time >= from && r.time < to)) return false;
    if (f.amount) {
      if (f.amount.token && f.amount.token !== r.token) return false;
      const value = units(f.amount.value, t.decimals[r.token]);
      const ok = { over: r.amount > value, at_least: r.amount >= value, under: r.amount < value, at_most: r.amount <= value, exactly: r.amount === value, between: false }[f.amount.op];
      if (!ok) return false;
    }
    return true;
  });
  const byToken = new Map<string, TruthMoney[]>();
  for (const r of matching) byToken.set(r.token, [...(byToken.get(r.token) ?? []), r]);
  const out = new Map<string, { count: number; value: string }>();
  for (const [token, list] of byToken) {
    const decimals = t.decimals[token];
    const total = list.reduce((s, r) => s + r.amount, 0n);
    const n = BigInt(list.length);
    const value =
      plan.measure === "average"
        ? decimal(total / n + ((total % n) * 2n >= n ? 1n : 0n), decimals)
        : plan.measure === "min"
          ? decimal(list.reduce((m, r) => (r.amount < m ? r.amount : m), list[0].amount), decimals)
          : plan.measure === "max"
            ? decimal(list.reduce((m, r) => (r.amount > m ? r.amount : m), list[0].amount), decimals)
            : decimal(total, decimals);
    out.set(token, { count: list.length, value });
  }
  return out;
}

describe("assistant: random plans agree with a plain reduce over the fixture (property)", function () {
  this.timeout(300_000);
  let db: ReadableDatabase;
  let ctx: AssistantContext;
  let copy: { dir: string; path: string };

  before(async () => {
    const replayed = await replayedFixture();
    copy = copyReplayedDatabase(replayed.dbPath);
    db = onlySafe(openReadOnlyDatabase({ path: copy.path }));
    ctx = { db, config: {} };
  });
  after(() => {
    if (db) closeDatabase(db);
    rmSync(copy.dir, { recursive: true, force: true });
  });

  it("sum, count, average, min and max over payments and deposits, with any mix of filters", async () => {
    const t = fixtureTruth();
    const payees = [...new Set(t.payments.map((p) => p.counterparty))];
    const senders = [...new Set(t.deposits.map((d) => d.counterparty))];
    const categories = [...new Set(t.payments.map((p) => p.category).filter((c): c is string => !!c))];
    const dayArb = fc.integer({ min: Math.floor(t.start / 86400) - 10, max: Math.floor(t.now / 86400) }).map((d) => day(d * 86400));
    const period = fc.tuple(dayArb, dayArb).map(([a, b]) => (a <= b ? { from: a, to: b } : { from: b, to: a }));
    const planArb = fc.oneof(fc.constant("payments" as const), fc.constant("deposits" as const)).chain((over) =>
      fc.record(
        {
          measure: fc.constantFrom("sum" as const, "count" as const, "average" as const, "min" as const, "max" as const),
          over: fc.constant(over),
          filters: fc.record(
            {
              counterparties: fc.subarray(over === "payments" ? payees : senders, { minLength: 1, maxLength: 3 }),
              categories: over === "payments" ? fc.subarray(categories, { minLength: 1, maxLength: 2 }) : fc.constant(undefined),
              tokens: fc.subarray(["USDC", "DAI", "ETH"], { minLength: 1, maxLength: 2 }),
              periods: fc.array(period, { minLength: 1, maxLength: 2 }),
              amount: fc.record({
                op: fc.constantFrom("over" as const, "at_least" as const, "under" as const, "at_most" as const, "exactly" as const),
                value: fc.constantFrom("0.5", "1", "180", "240", "1000", "2950", "3500", "4200", "10000"),
                token: fc.option(fc.constantFrom("USDC", "DAI", "ETH"), { nil: undefined }),
              }),
            },
            { requiredKeys: [] },
          ),
        },
        { requiredKeys: ["measure", "over", "filters"] },
      ),
    );
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(planArb, async (input) => {
        const plan = JSON.parse(JSON.stringify(input)) as QueryPlan;
        if (plan.filters.amount && plan.filters.amount.token === undefined) delete plan.filters.amount.token;
        const result = await executePlan(ctx, plan);
        assert.equal(result.value.shape, "figures");
        if (result.value.shape !== "figures") return;
        const want = expected(plan, plan.over === "payments" ? t.payments : t.deposits);
        const got = new Map(result.value.figures.map((f) => [f.token.symbol, { count: f.count, value: plan.measure === "count" ? undefined : f.amount?.value }]));
        assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), JSON.stringify(plan));
        for (const [token, w] of want) {
          assert.equal(got.get(token)!.count, w.count, `${token} count for ${JSON.stringify(plan)}`);
          if (plan.measure !== "count") assert.equal(got.get(token)!.value, w.value, `${token} ${plan.measure} for ${JSON.stringify(plan)}`);
        }
        checked += 1;
      }),
      { numRuns: 300, seed: 20261101 },
    );
    assert.equal(checked, 300);
  });

  it("groups by month, payee, category and token add up to the same reduce", async () => {
    const t = fixtureTruth();
    for (const over of ["payments", "deposits"] as const)
      for (const groupBy of ["month", "payee", "category", "token"] as const) {
        if (over === "deposits" && groupBy === "category") continue;
        const result = await executePlan(ctx, { measure: "sum", over, groupBy, filters: {} });
        const groups =
          result.value.shape === "groups"
            ? result.value.groups
            : result.value.shape === "figures" // by token: one figure per token
              ? result.value.figures.map((f) => ({ label: f.token.symbol, figures: [f] }))
              : assert.fail(`${over} by ${groupBy}: ${result.value.shape}`);
        const rows = over === "payments" ? t.payments : t.deposits;
        const keyOf = (r: TruthMoney) => (groupBy === "month" ? day(r.time).slice(0, 7) : groupBy === "payee" ? r.counterparty : groupBy === "category" ? (r.category ?? "(none)") : r.token);
        const want = new Map<string, bigint>();
        for (const r of rows) want.set(`${keyOf(r)}|${r.token}`, (want.get(`${keyOf(r)}|${r.token}`) ?? 0n) + r.amount);
        const got = new Map<string, string>();
        for (const g of groups) for (const f of g.figures) got.set(`${groupBy === "token" ? f.token.symbol : g.label}|${f.token.symbol}`, f.amount!.value);
        assert.deepEqual(
          [...got.entries()].sort(),
          [...want.entries()].map(([k, v]) => [k, decimal(v, t.decimals[k.split("|")[1]])] as [string, string]).sort(),
          `${over} by ${groupBy}`,
        );
      }
  });
});
