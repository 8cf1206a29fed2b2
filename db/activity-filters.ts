/**
 * The narrowing of an activity search (time, kind, token, counterparty, and
 * always the handle's Safe) as SQL conditions over `activity a`, shared by the
 * full-text side (db/activity.ts) and pgvector's side (db/pgvector.ts).
 */

/** What an activity row stands for. */
export type ActivityKind = "payment" | "deposit" | "proposal" | "message";

/** Narrowing of a search. Times are unix seconds, `to` exclusive. */
export type ActivityFilters = {
  from?: number;
  to?: number;
  kinds?: ActivityKind[];
  /** A token symbol ("USDC", "ETH") or address. */
  token?: string;
  /** An address, or a name matched against the counterparty's label. */
  counterparty?: string;
};

/**
 * SQL conditions over `activity a` for the filters, and the handle's Safe (always; "+" keeps the planner
 * on the row ids or the FTS match, never on a scan of the Safe's rows by the `safe_id` index).
 */
export function activityFilterSql(filters: ActivityFilters = {}): { sql: string; params: unknown[] } {
  const clauses: string[] = ["+a.safe_id = @safe"];
  const params: unknown[] = [];
  if (filters.from !== undefined) {
    clauses.push("a.occurred_at >= ?");
    params.push(Math.floor(filters.from));
  }
  if (filters.to !== undefined) {
    clauses.push("a.occurred_at < ?");
    params.push(Math.floor(filters.to));
  }
  if (filters.kinds && filters.kinds.length > 0) {
    clauses.push(`a.kind IN (${filters.kinds.map(() => "?").join(", ")})`);
    params.push(...filters.kinds);
  }
  if (filters.token) {
    if (/^0x[0-9a-fA-F]{40}$/.test(filters.token)) {
      clauses.push("lower(a.token) = lower(?)");
      params.push(filters.token);
    } else {
      clauses.push("upper(a.symbol) = upper(?)");
      params.push(filters.token);
    }
  }
  if (filters.counterparty) {
    if (/^0x[0-9a-fA-F]{40}$/.test(filters.counterparty)) {
      clauses.push("lower(a.counterparty) = lower(?)");
      params.push(filters.counterparty);
    } else {
      clauses.push("a.counterparty_label LIKE ? ESCAPE '\\'");
      params.push(`%${filters.counterparty.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
  }
  return { sql: clauses.join(" AND "), params };
}

/** True when the filters narrow anything. */
export function hasFilters(filters: ActivityFilters = {}): boolean {
  return activityFilterSql(filters).params.length > 0;
}

