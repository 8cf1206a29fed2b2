import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The fixture's facts computed straight from its JSON (demo/fixtures/lighthouse-2026.json),
 * independently of the product: what the answers must say. Amounts are bigint base units.
 */

export const fixtureFile = fileURLToPath(new URL("../../demo/fixtures/lighthouse-2026.json", import.meta.url));

type FixtureJson = {
  members: { id: string; name: string; role: string }[];
  tokens: { symbol: string; decimals: number }[];
  addressBook: { id: string; label: string; category?: string; kind?: string }[];
  timeline: Record<string, any>[];
};

export type TruthMoney = {
  direction: "out" | "in";
  time: number;
  token: string;
  decimals: number;
  amount: bigint;
  counterparty: string;
  category: string | null;
  proposer: string | null;
  approvers: string[];
  memo: string;
  proposalId: string | null;
};

export type TruthProposal = {
  id: string;
  status: string;
  created: number;
  proposer: string;
  memo: string;
  category: string | null;
  kind: string;
  transfers: { token: string; amount: bigint; decimals: number; payee: string }[];
  approvers: string[];
  executedAt: number | null;
  discussion: { at: number; by: string; text: string }[];
};

export type Truth = {
  payments: TruthMoney[];
  deposits: TruthMoney[];
  proposals: TruthProposal[];
  members: FixtureJson["members"];
  labels: string[];
  /** The latest block time: the history's "now". */
  now: number;
  start: number;
  decimals: Record<string, number>;
};

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export function units(amount: string, decimals: number): bigint {
  const [whole, fraction = ""] = amount.split(".");
  return BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, "0").slice(0, decimals) || "0");
}

/** Base units as a plain decimal ("1750", "92.2"), written here without the product's formatter. */
export function decimal(amount: bigint, decimals: number): string {
  const negative = amount < 0n;
  const abs = negative ? -amount : amount;
  const text = abs.toString().padStart(decimals + 1, "0");
  const whole = text.slice(0, text.length - decimals);
  const fraction = text.slice(text.length - decimals).replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}

let cached: Truth | undefined;

export function fixtureTruth(): Truth {
  if (cached) return cached;
  const fixture = JSON.parse(readFileSync(fixtureFile, "utf8")) as FixtureJson;
  const decimals: Record<string, number> = { ETH: 18, ...Object.fromEntries(fixture.tokens.map((t) => [t.symbol, t.decimals])) };
  const name = (id: string) => fixture.members.find((m) => m.id === id)?.name ?? fixture.addressBook.find((e) => e.id === id)?.label ?? id;
  const book = (id: string) => fixture.addressBook.find((e) => e.id === id);
  const payments: TruthMoney[] = [];
  const deposits: TruthMoney[] = [];
  const proposals: TruthProposal[] = [];
  const blockTimes: number[] = [];
  for (const entry of fixture.timeline) {
    if (entry.type === "deposit") {
      blockTimes.push(seconds(entry.at));
      deposits.push({
        direction: "in",
        time: seconds(entry.at),
        token: entry.token,
        decimals: decimals[entry.token],
        amount: units(entry.amount, decimals[entry.token]),
        counterparty: name(entry.from),
        category: book(entry.from)?.category ?? null,
        proposer: null,
        approvers: [],
        memo: entry.memo,
        proposalId: null,
      });
      continue;
    }
    const transfers = ((entry.transfers ?? []) as { to: string; token: string; amount: string }[]).map((t) => ({
      token: t.token,
      amount: units(t.amount, decimals[t.token]),
      decimals: decimals[t.token],
      payee: name(t.to),
      category: entry.category ?? book(t.to)?.category ?? null,
    }));
    const approvers = ((entry.approvals ?? []) as { by: string }[]).map((a) => name(a.by));
    const executedAt = entry.outcome === "executed" ? seconds(entry.executedAt) : null;
    if (executedAt) blockTimes.push(executedAt);
    if (entry.outcome === "rejected") blockTimes.push(seconds(entry.rejectedAt));
    proposals.push({
      id: entry.id,
      status: entry.outcome,
      created: seconds(entry.at),
      proposer: name(entry.proposer),
      memo: entry.memo ?? "",
      category: entry.category ?? null,
      kind: entry.kind,
      transfers,
      approvers,
      executedAt,
      discussion: ((entry.discussion ?? []) as { at: string; by: string; text: string }[]).map((d) => ({ at: seconds(d.at), by: name(d.by), text: d.text })),
    });
    if (executedAt)
      for (const t of transfers)
        payments.push({
          direction: "out",
          time: executedAt,
          token: t.token,
          decimals: t.decimals,
          amount: t.amount,
          counterparty: t.payee,
          category: t.category,
          proposer: name(entry.proposer),
          approvers,
          memo: entry.memo ?? "",
          proposalId: entry.id,
        });
  }
  const start = seconds(fixture.timeline[0].at);
  cached = {
    payments,
    deposits,
    proposals,
    members: fixture.members,
    labels: fixture.addressBook.map((e) => e.label),
    now: Math.max(...blockTimes),
    start,
    decimals,
  };
  return cached;
}

export type Filter = (row: TruthMoney) => boolean;

/** Per-token totals of the rows that pass, as plain decimals: { USDC: "1750" }. */
export function totals(rows: TruthMoney[], filter: Filter = () => true): Record<string, string> {
  const sums = new Map<string, bigint>();
  for (const row of rows.filter(filter)) sums.set(row.token, (sums.get(row.token) ?? 0n) + row.amount);
  const out: Record<string, string> = {};
  for (const [token, sum] of sums) out[token] = decimal(sum, fixtureTruth().decimals[token]);
  return out;
}

export const utc = (year: number, month: number, day = 1) => Date.UTC(year, month, day) / 1000;
export const inSpan = (from: number, to: number): Filter => (row) => row.time >= from && row.time < to;

/**
 * Whether an answer states a decimal figure: English separators ("40,000.5")
 * or Spanish ones ("40.000,5"), on number boundaries.
 */
export function statesNumber(answer: string, expected: string, language: "en" | "es" = "en"): boolean {
  const [whole, fraction] = expected.replace(/^-/, "").split(".");
  const group = language === "es" ? "." : ",";
  const dec = language === "es" ? "," : ".";
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  const forms = new Set([`${grouped}${fraction ? dec + fraction : ""}`, `${whole}${fraction ? dec + fraction : ""}`]);
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return [...forms].some((form) => new RegExp(`(^|[^\\d.,])${escape(form)}(?![\\d]|[.,]\\d)`).test(answer));
}
