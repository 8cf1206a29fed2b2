import assert from "node:assert/strict";
import { planJsonSchema, validatePlan } from "../../assistant/plan.ts";

describe("assistant: the query plan (assistant/plan)", () => {
  it("accepts every measure over the subjects it applies to, and refuses the rest naming the fix", () => {
    assert.equal(validatePlan({ measure: "sum", over: "payments" }).ok, true);
    assert.equal(validatePlan({ measure: "list", over: "messages", filters: { stance: "objection", timing: "before_execution" } }).ok, true);
    const bad = validatePlan({ measure: "average", over: "owners" });
    assert.equal(bad.ok, false);
    assert.match((bad as { issues: string[] }).issues[0], /^measure: average does not apply to owners; use one of count, list, first, last$/);
  });

  it("says what is wrong with each field so a model can fix it", () => {
    const result = validatePlan({
      measure: "sum",
      over: "payments",
      groupBy: "author",
      per: "month",
      derived: { kind: "compare" },
      filters: { periods: [{ from: "2026-02-30", to: "2026-01-01" }], amount: { op: "over", value: "1,000" }, stance: "question" },
    });
    assert.equal(result.ok, false);
    const issues = (result as { issues: string[] }).issues.join("\n");
    assert.match(issues, /filters\.periods\.0\.from: is not a real date/);
    assert.match(issues, /filters\.amount\.value: must be a plain decimal number/);
    assert.match(issues, /groupBy: payments can be grouped by month, quarter, payee, category, token, proposer, approver only/);
    assert.match(issues, /per: per month applies to average only/);
    assert.match(issues, /filters\.periods: compare needs exactly two periods/);
    assert.match(issues, /filters\.stance: stance applies to messages only/);
  });

  it("publishes itself as JSON schema for tool calling", () => {
    const schema = planJsonSchema() as { properties: Record<string, { enum?: string[] }>; required: string[] };
    assert.deepEqual(schema.properties.measure.enum, ["sum", "count", "average", "min", "max", "list", "first", "last"]);
    assert.deepEqual(schema.properties.over.enum, ["payments", "deposits", "proposals", "approvals", "messages", "balances", "owners"]);
    assert.deepEqual(schema.required.sort(), ["measure", "over"]);
  });
});
