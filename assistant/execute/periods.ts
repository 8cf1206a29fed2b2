import type { PlanPeriod } from "../plan.ts";
import { FuturePeriodError } from "./errors.ts";

/** A period as executed: unix seconds, `to` exclusive; `partial` when it runs past the data's present. */
export type ResolvedPeriod = { from: number; to: number; label: string; fromDate: string; toDate: string; partial: boolean };

const day = 86_400;
export const isoDay = (unix: number) => new Date(unix * 1000).toISOString().slice(0, 10);
export const unixOf = (date: string) => Math.floor(Date.parse(`${date}T00:00:00Z`) / 1000);

/**
 * Turns a plan period into seconds. A period that begins after `now` has no
 * data yet: `FuturePeriodError`. One that began and has not ended is marked
 * partial (answers say "so far").
 */
export function resolvePeriod(period: PlanPeriod, now: number): ResolvedPeriod {
  const from = unixOf(period.from);
  const to = unixOf(period.to) + day;
  const label = period.label ?? `${period.from} to ${period.to}`;
  if (from > now) throw new FuturePeriodError(label, isoDay(now));
  return { from, to, label, fromDate: period.from, toDate: period.to, partial: to > now + 1 };
}

/** Calendar months that a span touches, up to `now` ("2026-01" … ). */
export function monthsOf(from: number, to: number, now: number): string[] {
  const end = Math.min(to, now + 1);
  const months: string[] = [];
  const start = new Date(from * 1000);
  let year = start.getUTCFullYear();
  let month = start.getUTCMonth();
  while (Date.UTC(year, month, 1) / 1000 < end) {
    months.push(`${year}-${String(month + 1).padStart(2, "0")}`);
    month += 1;
    if (month === 12) {
      month = 0;
      year += 1;
    }
  }
  return months;
}

/** "2026-03" → "2026-Q1". */
export function quarterOfMonth(month: string): string {
  const [year, m] = month.split("-").map(Number);
  return `${year}-Q${Math.floor((m - 1) / 3) + 1}`;
}

/** The month key of a unix time. */
export function monthOf(unix: number): string {
  return isoDay(unix).slice(0, 7);
}

/** Intersects spans with [from, to). */
export function clipSpans(spans: { from: number; to: number }[], from: number, to: number) {
  return spans.map((s) => ({ from: Math.max(s.from, from), to: Math.min(s.to, to) })).filter((s) => s.from < s.to);
}
