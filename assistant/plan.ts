import { z } from "zod";

/**
 * The query plan: the one language between questions and data. The no-LLM
 * parser fills it from English or Spanish, an LLM fills it through tool
 * calling, and one executor turns any valid plan into exact figures. Names in
 * a plan (payees, people, tokens, categories) are resolved against the
 * database by the executor; one it does not know is reported, never dropped.
 */

export const measures = ["sum", "count", "average", "min", "max", "list", "first", "last"] as const;
export const subjects = ["payments", "deposits", "proposals", "approvals", "messages", "balances", "owners"] as const;
export const groupings = ["month", "quarter", "payee", "category", "token", "proposer", "approver", "author", "status"] as const;
export const statuses = ["pending", "executed", "rejected", "cancelled", "failed"] as const;

export type Measure = (typeof measures)[number];
export type Subject = (typeof subjects)[number];
export type Grouping = (typeof groupings)[number];
export type PlanStatus = (typeof statuses)[number];

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date written YYYY-MM-DD")
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value), "is not a real date");

const name = z.string().trim().min(1).max(120);
const names = z.array(name).min(1).max(12);

/** A positive decimal number written with a dot ("1000", "2.5"); no separators, no exponent. */
const decimal = z
  .string()
  .trim()
  .regex(/^\d{1,78}(\.\d{1,36})?$/, "must be a plain decimal number such as 1000 or 2.5 (no thousands separators)");

export const periodSchema = z
  .object({
    from: isoDate.describe("first day included, YYYY-MM-DD"),
    to: isoDate.describe("last day included, YYYY-MM-DD"),
    label: z.string().trim().min(1).max(80).optional().describe("how to say it, e.g. 'Q3 2026' or 'el primer semestre de 2026'"),
  })
  .strict()
  .refine((period) => period.from <= period.to, { message: "from must not be after to", path: ["to"] });

export const amountFilterSchema = z
  .object({
    op: z.enum(["over", "at_least", "under", "at_most", "exactly", "between"]),
    value: decimal.describe("whole tokens, e.g. 1000 for 1,000 USDC"),
    upTo: decimal.optional().describe("upper bound for between"),
    token: name.optional().describe("token symbol the value is in; without it, each token is compared in its own units"),
  })
  .strict()
  .refine((amount) => amount.op !== "between" || amount.upTo !== undefined, { message: "between needs upTo", path: ["upTo"] });

export const eventSchema = z
  .object({
    relation: z.enum(["before", "after"]),
    event: z.enum(["owner_added", "owner_removed", "threshold_changed", "proposal_executed"]),
    who: name.optional().describe("the owner added or removed"),
    proposal: name.optional().describe("the proposal, for proposal_executed (a #nonce or words from its memo or payee)"),
  })
  .strict();

export const filtersSchema = z
  .object({
    counterparties: names.optional().describe("payees (payments) or senders (deposits), by name or 0x address"),
    categories: names.optional(),
    tokens: names.optional().describe("token symbols, e.g. USDC, ETH"),
    periods: z.array(periodSchema).min(1).max(12).optional().describe("any of these periods; compare uses exactly two"),
    amount: amountFilterSchema.optional(),
    status: z.array(z.enum(statuses)).min(1).max(5).optional().describe("proposal status"),
    proposedBy: names.optional(),
    approvedBy: names.optional(),
    executedBy: names.optional(),
    authors: names.optional().describe("who wrote a discussion message"),
    proposal: name.optional().describe("one proposal: '#12' (nonce), a 0x safeTxHash, or words from its memo"),
    event: eventSchema.optional(),
    timing: z.enum(["before_execution", "after_execution"]).optional().describe("messages: said before or after their proposal was executed"),
    stance: z.enum(["objection", "question"]).optional().describe("messages: objections (with the open questions) or open questions only"),
  })
  .strict();

export const derivedSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("compare") }).strict().describe("the measure in filters.periods[0] against filters.periods[1]"),
  z.object({ kind: z.literal("net_flow") }).strict().describe("deposits in minus payments out, per token"),
  z
    .object({ kind: z.literal("runway"), windowMonths: z.number().int().min(1).max(24).default(3) })
    .strict()
    .describe("balance divided by the average monthly payments over the last windowMonths full months"),
]);

export const queryPlanSchema = z
  .object({
    measure: z.enum(measures),
    over: z.enum(subjects),
    filters: filtersSchema.default({}),
    groupBy: z.enum(groupings).optional(),
    per: z.enum(["item", "month"]).optional().describe("average per item (default) or per calendar month of the period"),
    order: z.enum(["desc", "asc"]).optional().describe("order of rows or groups: by amount for money, by time otherwise"),
    limit: z.number().int().min(1).max(100).optional(),
    include: z.array(z.enum(["discussion", "warnings"])).max(2).optional().describe("proposals: add their discussion, or their safety warnings"),
    derived: derivedSchema.optional(),
    language: z.enum(["en", "es"]).optional().describe("the language to answer in"),
  })
  .strict()
  .superRefine((plan, issue) => {
    const allowed: Record<Subject, readonly Measure[]> = {
      payments: measures,
      deposits: measures,
      proposals: measures,
      approvals: ["count", "list", "first", "last"],
      messages: ["count", "list", "first", "last"],
      balances: ["sum", "list"],
      owners: ["count", "list", "first", "last"],
    };
    if (!allowed[plan.over].includes(plan.measure))
      issue.addIssue({ code: "custom", path: ["measure"], message: `${plan.measure} does not apply to ${plan.over}; use one of ${allowed[plan.over].join(", ")}` });
    const groupable: Record<Subject, readonly Grouping[]> = {
      payments: ["month", "quarter", "payee", "category", "token", "proposer", "approver"],
      deposits: ["month", "quarter", "payee", "category", "token"],
      proposals: ["month", "quarter", "payee", "category", "token", "proposer", "approver", "status"],
      approvals: ["month", "quarter", "approver"],
      messages: ["month", "quarter", "author"],
      balances: [],
      owners: [],
    };
    if (plan.groupBy && !groupable[plan.over].includes(plan.groupBy))
      issue.addIssue({
        code: "custom",
        path: ["groupBy"],
        message: groupable[plan.over].length ? `${plan.over} can be grouped by ${groupable[plan.over].join(", ")} only` : `${plan.over} cannot be grouped`,
      });
    if (plan.groupBy && ["list", "first", "last"].includes(plan.measure))
      issue.addIssue({ code: "custom", path: ["groupBy"], message: "groupBy needs sum, count, average, min or max" });
    const periods = plan.filters.periods?.length ?? 0;
    if (plan.derived?.kind === "compare") {
      if (periods !== 2) issue.addIssue({ code: "custom", path: ["filters", "periods"], message: "compare needs exactly two periods in filters.periods" });
      if (!["sum", "count", "average"].includes(plan.measure)) issue.addIssue({ code: "custom", path: ["measure"], message: "compare works with sum, count or average" });
      if (!["payments", "deposits", "proposals"].includes(plan.over)) issue.addIssue({ code: "custom", path: ["over"], message: "compare works over payments, deposits or proposals" });
      if (plan.groupBy) issue.addIssue({ code: "custom", path: ["groupBy"], message: "compare cannot be grouped" });
    }
    if (plan.per === "month" && plan.measure !== "average") issue.addIssue({ code: "custom", path: ["per"], message: "per month applies to average only" });
    const onlyFor = (field: keyof typeof plan.filters, subjectsAllowed: Subject[]) => {
      if (plan.filters[field] !== undefined && !subjectsAllowed.includes(plan.over))
        issue.addIssue({ code: "custom", path: ["filters", field], message: `${field} applies to ${subjectsAllowed.join(", ")} only` });
    };
    onlyFor("amount", ["payments", "deposits", "proposals"]);
    onlyFor("status", ["proposals", "approvals", "messages"]);
    onlyFor("proposedBy", ["payments", "proposals", "approvals", "messages"]);
    onlyFor("approvedBy", ["payments", "proposals", "approvals"]);
    onlyFor("executedBy", ["payments", "proposals"]);
    onlyFor("authors", ["messages"]);
    onlyFor("timing", ["messages"]);
    onlyFor("stance", ["messages"]);
    onlyFor("counterparties", ["payments", "deposits", "proposals", "approvals", "messages"]);
    onlyFor("categories", ["payments", "deposits", "proposals", "approvals", "messages"]);
    if (plan.include && plan.over !== "proposals") issue.addIssue({ code: "custom", path: ["include"], message: "include applies to proposals only" });
  });

export type QueryPlan = z.infer<typeof queryPlanSchema>;
export type QueryPlanInput = z.input<typeof queryPlanSchema>;
export type PlanPeriod = z.infer<typeof periodSchema>;
export type PlanFilters = z.infer<typeof filtersSchema>;
export type AmountFilter = z.infer<typeof amountFilterSchema>;

export type ValidatePlanReturnType = { ok: true; plan: QueryPlan } | { ok: false; issues: string[] };

/** Checks an untrusted plan (from an LLM). Each issue names the field and what to change, so a model can fix it. */
export function validatePlan(input: unknown): ValidatePlanReturnType {
  const parsed = queryPlanSchema.safeParse(input);
  if (parsed.success) return { ok: true, plan: parsed.data };
  return { ok: false, issues: parsed.error.issues.map((issue) => `${issue.path.join(".") || "plan"}: ${issue.message}`) };
}

/** The plan as JSON schema, for the LLM's `query_treasury` tool. */
export function planJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(queryPlanSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
}
