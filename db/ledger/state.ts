import type { ReadableDatabase } from "../handle.ts";
import { exactSumFrom, exactSumSql } from "./exact.ts";
import { connectionOf, engineOf, oneOffStatement } from "../connection.ts";

/** The last indexed block, or undefined before the first. */
export function indexedHead(db: ReadableDatabase): { number: number; timestamp: number } | undefined {
  const row = oneOffStatement(db, "SELECT number, timestamp FROM blocks WHERE safe_id = @safe ORDER BY number DESC LIMIT 1").get() as { number: number; timestamp: number } | undefined;
  return row ? { number: Number(row.number), timestamp: Number(row.timestamp) } : undefined;
}

/** The first indexed block (where the history the assistant knows begins). */
export function indexedStart(db: ReadableDatabase): { number: number; timestamp: number } | undefined {
  const row = oneOffStatement(db, "SELECT number, timestamp FROM blocks WHERE safe_id = @safe ORDER BY number ASC LIMIT 1").get() as { number: number; timestamp: number } | undefined;
  return row ? { number: Number(row.number), timestamp: Number(row.timestamp) } : undefined;
}

export type TokenFlow = { token: string | null; inflow: bigint; outflow: bigint };

/**
 * Money in and out of the Safe per token, exact, up to `until` (unix seconds,
 * exclusive) when given: ERC-20 transfers and native deposits as logged, and
 * native payments out from the decoded executions when the chain logs no
 * native transfer out. The balance is inflow − outflow.
 */
export function tokenFlows(db: ReadableDatabase, { until }: { until?: number } = {}): TokenFlow[] {
  const time = until === undefined ? "" : "AND block_time < ?";
  const params = until === undefined ? [] : [until];
  const flows = new Map<string, TokenFlow>();
  const add = (token: string | null, direction: "in" | "out", amount: bigint) => {
    const key = token?.toLowerCase() ?? "native";
    const flow = flows.get(key) ?? { token, inflow: 0n, outflow: 0n };
    if (direction === "in") flow.inflow += amount;
    else flow.outflow += amount;
    flows.set(key, flow);
  };
  const rows = oneOffStatement(db,
    `SELECT direction, token, ${exactSumSql(engineOf(db), "amount")} FROM transfers WHERE safe_id = @safe ${time} GROUP BY direction, token`)
    .safeIntegers(true)
    .all(...params) as Record<string, any>[];
  for (const row of rows) add(row.token ?? null, row.direction, exactSumFrom(row));
  const nativeOutLogged = oneOffStatement(db, "SELECT 1 FROM transfers WHERE safe_id = @safe AND direction = 'out' AND token IS NULL LIMIT 1").get();
  if (!nativeOutLogged) {
    const native = oneOffStatement(db, `SELECT ${exactSumSql(engineOf(db), "amount")} FROM payments WHERE safe_id = @safe AND token IS NULL ${time}`).safeIntegers(true).get(...params) as Record<string, any>;
    add(null, "out", exactSumFrom(native));
  }
  return [...flows.values()];
}

/**
 * Executions that moved money the history cannot itemise: an L1 Safe's SafeTx
 * or a module's call that could not be decoded (the RPC had no call trace),
 * in the time spans when given. `reason` is one of their reasons.
 */
export function undecodedExecutions(db: ReadableDatabase, spans?: readonly { from: number; to: number }[]): { count: number; reason: string | null } {
  if (spans && spans.length === 0) return { count: 0, reason: null };
  const within = spans?.length ? `WHERE ${spans.map(() => "(block_time >= ? AND block_time < ?)").join(" OR ")}` : "";
  const row = oneOffStatement(db,
    
      `SELECT count(*) AS count, min(reason) AS reason FROM (
         SELECT reason, block_time FROM undecoded_executions WHERE safe_id = @safe AND success = 1
         UNION ALL SELECT reason, block_time FROM module_executions WHERE safe_id = @safe AND success = 1 AND reason IS NOT NULL) AS executions ${within}`,
    )
    .get(...(spans ?? []).flatMap((span) => [Math.floor(span.from), Math.floor(span.to)])) as { count: number; reason: string | null };
  return { count: Number(row.count), reason: row.reason };
}

/**
 * Changes whenever the database content may have changed: another
 * connection committed (data_version) or this one wrote (total_changes).
 * Equal values mean anything read before is still current.
 */
export function contentVersion(db: ReadableDatabase): string {
  // PostgreSQL: the write-ahead log's insert position moves with every write by anyone, this connection's own included.
  if (engineOf(db) === "postgres") return oneOffStatement(db, "SELECT pg_current_wal_insert_lsn()::text").pluck().get() as string;
  const version = connectionOf(db).pragma("data_version", { simple: true }) as number;
  const own = oneOffStatement(db, "SELECT total_changes()").pluck().get() as number;
  return `${version}:${own}`;
}

/**
 * The stored block numbers that bound block times [from, to): every block at
 * or before `after` is older than `from`, every block at or after `before` is
 * at least `to` (block times only grow along the chain). Found by binary
 * search over the block table's key, so a time filter can use a block-number
 * index. Null where no stored block bounds that side.
 */
export function blockBounds(db: ReadableDatabase, from: number, to: number): { after: number | null; before: number | null } {
  const first = oneOffStatement(db, "SELECT number, timestamp FROM blocks WHERE safe_id = @safe AND number >= ? ORDER BY number LIMIT 1");
  const edges = oneOffStatement(db, "SELECT min(number) AS low, max(number) AS high FROM blocks WHERE safe_id = @safe").get() as { low: number | null; high: number | null };
  if (edges.low === null || edges.high === null) return { after: null, before: null };
  const at = (n: number) => first.get(n) as { number: number; timestamp: number } | undefined;
  // The last stored block with a time before `from`.
  let after: number | null = null;
  let lo = Number(edges.low);
  let hi = Number(edges.high);
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    const block = at(mid);
    if (!block) break;
    if (Number(block.timestamp) < from) {
      after = Number(block.number);
      lo = Number(block.number) + 1;
    } else hi = mid - 1;
  }
  // The first stored block with a time at or after `to`.
  let before: number | null = null;
  lo = Number(edges.low);
  hi = Number(edges.high);
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    const block = at(mid);
    if (!block) {
      hi = mid - 1;
      continue;
    }
    if (Number(block.timestamp) >= to) {
      before = Number(block.number);
      hi = mid - 1;
    } else lo = Number(block.number) + 1;
  }
  return { after, before };
}
