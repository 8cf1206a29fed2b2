import type { Citation } from "../context.ts";
import type { Grouping, Measure, QueryPlan, Subject } from "../plan.ts";
import type { ResolvedPeriod } from "./periods.ts";
import type { TokenInfo } from "./resolve.ts";

/** An exact amount of one token: base units, and the decimal string made from them. */
export type Amount = { token: TokenInfo; units: bigint; value: string };

/** One payment out or deposit in. */
export type MoneyRow = {
  direction: "out" | "in";
  date: string;
  time: number;
  amount: Amount;
  counterparty: string;
  counterpartyAddress: string;
  category: string | null;
  memo: string | null;
  proposer: string | null;
  txHash: string;
  safeTxHash: string | null;
};

/** Per-token figures of a measure: the value, how many rows it covers, and the row itself for min/max/first/last. */
export type TokenFigure = {
  token: TokenInfo;
  count: number;
  /** sum, average, min or max; absent for count. */
  amount?: Amount;
  /** average: the division was not exact, the value is rounded to the token's decimals. */
  rounded?: boolean;
  /** average per month: how many months it divides by. */
  months?: number;
  row?: MoneyRow;
};

export type Group = { key: string; label: string; count: number; figures: TokenFigure[] };

export type ApprovalView = { owner: string; name: string; date: string | null; source: "signature" | "executed" | "approved_hash" };

export type MessageView = {
  id: number;
  author: string;
  date: string;
  time: number;
  text: string;
  permalink: string | null;
  /** The proposal it is about. */
  proposal: { nonce: number; memo: string; safeTxHash: string } | null;
  /** Said before or after its proposal was executed (null: not executed). */
  timing: "before_execution" | "after_execution" | null;
  stance: "objection" | "question" | null;
  /** For an open question: the next message by someone else on the same proposal. */
  reply?: MessageView;
};

export type WarningView = { code: string; message: string };

export type ProposalView = {
  safeTxHash: string;
  nonce: number;
  status: string;
  purpose: string;
  memo: string;
  category: string | null;
  proposer: string;
  createdAt: string;
  transfers: { amount: Amount; payee: string; payeeAddress: string }[];
  approvals: ApprovalView[];
  threshold: number | null;
  executedAt: string | null;
  txHash: string | null;
  permalink: string | null;
  rejection: { approvals: ApprovalView[]; executedAt: string | null; txHash: string | null } | null;
  discussion?: MessageView[];
  warnings?: WarningView[];
  /** Where the warnings come from: the live checks (chain reachable) or the stored history only. */
  warningsSource?: "live" | "stored";
};

export type OwnerView = { name: string; address: string; since: string | null };

export type ResultValue =
  | { shape: "figures"; measure: Measure; figures: TokenFigure[]; count: number }
  | { shape: "groups"; measure: Measure; groupBy: Grouping; groups: Group[]; totalGroups: number; count: number }
  | { shape: "money_rows"; rows: MoneyRow[]; count: number; totals: TokenFigure[] }
  | { shape: "proposals"; proposals: ProposalView[]; count: number; totals: TokenFigure[] }
  | { shape: "approvals"; approvals: (ApprovalView & { proposal: { nonce: number; memo: string; status: string; safeTxHash: string } })[]; count: number; proposals: ProposalView[] }
  | { shape: "messages"; messages: MessageView[]; count: number; proposals: ProposalView[] }
  | { shape: "count"; count: number }
  | { shape: "balances"; at: string; balances: Amount[] }
  | { shape: "owners"; at: string; owners: OwnerView[]; threshold: number | null; changes: { kind: string; name: string | null; date: string; txHash: string }[] }
  | {
      shape: "compare";
      measure: Measure;
      periods: [ResolvedPeriod, ResolvedPeriod];
      rows: { token: TokenInfo; first: Amount | null; second: Amount | null; firstCount: number; secondCount: number; change: Amount | null; percent: string | null }[];
    }
  | { shape: "net_flow"; rows: { token: TokenInfo; inflow: Amount; outflow: Amount; net: Amount }[] }
  | {
      shape: "runway";
      window: { from: string; to: string; months: number };
      rows: { token: TokenInfo; balance: Amount; monthlyOutflow: Amount; months: string | null }[];
    };

/** A note the answer adds: something excluded, assumed or partial. */
export type Note =
  | { code: "variant_excluded"; name: string; variant: string; address: string }
  | { code: "loose_match"; wanted: string; matched: string }
  | { code: "partial_period"; label: string; until: string }
  | { code: "each_token_own_units" }
  | { code: "tokens_not_compared" }
  | { code: "proposal_words_unmatched"; words: string; count: number }
  | { code: "stored_warnings_only" }
  | { code: "before_history"; start: string }
  | { code: "average_months"; months: number; from: string; to: string }
  | { code: "runway_window"; from: string; to: string; months: number }
  | { code: "undecoded_executions"; count: number; reason: string };

/** What the executor returns for a plan: the figures, what they cover, and the receipts. */
export type PlanResult = {
  plan: QueryPlan;
  subject: Subject;
  value: ResultValue;
  /** What the plan was narrowed to, resolved (for the headline). */
  scope: {
    periods: ResolvedPeriod[];
    counterparties: string[];
    categories: string[];
    tokens: TokenInfo[];
    proposedBy: string[];
    approvedBy: string[];
    executedBy: string[];
    authors: string[];
    event: string | null;
    amount: string | null;
    statuses: string[];
  };
  asOf: { block: number | null; date: string | null; chain: string; now: string; nowSource: string };
  notes: Note[];
  citations: Citation[];
};
