import type { ReadableDatabase } from "../handle.ts";
import { blockBounds } from "./state.ts";
import { exactSumFrom, exactSumSql, needsLongSum, paddedAmountSql, unpadAmount } from "./exact.ts";
import { addressSpellings, amountConditions, approvedBy, executedBy, inAddresses, inList, inSpans, inTokens, marks, newWhere, whereSql, type Where } from "./sql.ts";
import type { MoneyAggregate, MoneyGrouping, MoneyOrder, MoneyQuery, MoneyRecord } from "./types.ts";
import { engineOf, oneOffStatement, type DatabaseEngine } from "../connection.ts";

/** Where each direction's rows come from, and what their columns are called. */
const sources = {
  out: {
    from: `payments m LEFT JOIN proposals pr ON pr.safe_tx_hash = m.safe_tx_hash`,
    bare: `payments m`,
    token: "m.token",
    counterparty: "m.to_address",
    amount: "m.amount",
    time: "m.block_time",
    select: `m.token AS token, m.to_address AS counterparty, m.amount AS amount, m.block_time AS time, m.tx_hash AS tx_hash,
             m.block_number AS block_number, m.log_index AS log_index, m.batch_index AS batch_index, m.safe_tx_hash AS safe_tx_hash,
             pr.memo AS memo, pr.category AS category, pr.proposer AS proposer`,
    base: "m.safe_id = @safe",
    // Chain order; the row id (insertion order within a block) keeps the block index usable.
    order: "m.block_number, m.rowid",
  },
  in: {
    from: `transfers m LEFT JOIN deposit_notes n ON n.safe_id = m.safe_id AND n.tx_hash = m.tx_hash`,
    bare: `transfers m`,
    token: "m.token",
    counterparty: "m.from_address",
    amount: "m.amount",
    time: "m.block_time",
    select: `m.token AS token, m.from_address AS counterparty, m.amount AS amount, m.block_time AS time, m.tx_hash AS tx_hash,
             m.block_number AS block_number, m.log_index AS log_index, 0 AS batch_index, NULL AS safe_tx_hash,
             n.memo AS memo, NULL AS category, NULL AS proposer`,
    base: "m.safe_id = @safe AND m.direction = 'in' AND m.amount != '0'",
    order: "m.block_number, m.rowid",
  },
} as const;

function moneyWhere(db: ReadableDatabase, query: MoneyQuery): Where {
  const source = sources[query.direction];
  const where = newWhere();
  where.clauses.push(source.base);
  if (query.counterparties) inAddresses(where, source.counterparty, query.counterparties);
  if (query.tokens) inTokens(where, source.token, query.tokens);
  if (query.spans) {
    // Narrow by block number first (indexed), then test the times exactly.
    if (query.spans.length) {
      const bounds = blockBounds(db, Math.min(...query.spans.map((s) => s.from)), Math.max(...query.spans.map((s) => s.to)));
      if (bounds.after !== null) where.clauses.push(`m.block_number > ${bounds.after}`);
      if (bounds.before !== null) where.clauses.push(`m.block_number < ${bounds.before}`);
    }
    inSpans(where, source.time, query.spans);
  }
  if (query.amounts) amountConditions(engineOf(db), where, source.token, source.amount, query.amounts);
  if (query.categories) {
    const names = query.categories.names.map((name) => name.toLowerCase());
    const addresses = addressSpellings(query.categories.addresses);
    const parts: string[] = [];
    if (query.direction === "out" && names.length) {
      parts.push(`lower(pr.category) IN (${marks(names.length)})`);
      where.params.push(...names);
    }
    if (addresses.length) {
      parts.push(`(${query.direction === "out" ? "pr.category IS NULL AND " : ""}${source.counterparty} IN (${marks(addresses.length)}))`);
      where.params.push(...addresses);
    }
    where.clauses.push(parts.length ? `(${parts.join(" OR ")})` : "1 = 0");
  }
  const outOnly = query.proposers || query.approvers || query.executors || query.safeTxHashes;
  if (outOnly && query.direction === "in") where.clauses.push("1 = 0");
  if (query.direction === "out") {
    if (query.proposers) inList(where, "pr.proposer", query.proposers, true);
    if (query.safeTxHashes) inList(where, "m.safe_tx_hash", query.safeTxHashes);
    if (query.approvers) approvedBy(where, "m.safe_tx_hash", query.approvers);
    if (query.executors) executedBy(where, "m.safe_tx_hash", query.executors);
  }
  return where;
}

const orders: Record<MoneyOrder, (direction: "in" | "out", engine: DatabaseEngine) => string> = {
  time_asc: (d) => sources[d].order,
  time_desc: (d) => sources[d].order.split(", ").map((column) => `${column} DESC`).join(", "),
  amount_desc: (d, engine) => `${paddedAmountSql(engine, sources[d].amount)} DESC, ${sources[d].order}`,
  amount_asc: (d, engine) => `${paddedAmountSql(engine, sources[d].amount)} ASC, ${sources[d].order}`,
};

export type ListMoneyParameters = { order?: MoneyOrder; limit?: number; offset?: number };

/** The money rows a query matches, in the order asked (amount order is exact, within one token). */
export function listMoney(db: ReadableDatabase, query: MoneyQuery, { order = "time_asc", limit, offset = 0 }: ListMoneyParameters = {}): MoneyRecord[] {
  const source = sources[query.direction];
  const where = moneyWhere(db, query);
  const sql = `SELECT ${source.select} FROM ${source.from} WHERE ${whereSql(where)} ORDER BY ${orders[order](query.direction, engineOf(db))}${
    limit !== undefined ? ` LIMIT ${Math.floor(limit)} OFFSET ${Math.floor(offset)}` : ""
  }`;
  return (oneOffStatement(db, sql).all(...where.params) as Record<string, any>[]).map((row) => ({
    direction: query.direction,
    time: Number(row.time),
    token: row.token ?? null,
    amount: BigInt(row.amount),
    counterparty: row.counterparty,
    category: row.category ?? null,
    memo: row.memo ?? null,
    proposer: row.proposer ?? null,
    safeTxHash: row.safe_tx_hash ?? null,
    txHash: row.tx_hash,
    blockNumber: Number(row.block_number),
    logIndex: Number(row.log_index),
  }));
}

/**
 * The group's key, category and counterparty as SQL; the rows are grouped by all three (the last two follow from the
 * key: a category is never stored empty), which both engines accept.
 */
const groupColumns: Record<MoneyGrouping, (direction: "in" | "out") => { key: string; category: string; counterparty: string }> = {
  none: () => ({ key: "''", category: "NULL", counterparty: "NULL" }),
  token: () => ({ key: "''", category: "NULL", counterparty: "NULL" }),
  month: (d) => ({ key: `strftime('%Y-%m', ${sources[d].time}, 'unixepoch')`, category: "NULL", counterparty: "NULL" }),
  counterparty: (d) => ({ key: sources[d].counterparty, category: "NULL", counterparty: sources[d].counterparty }),
  category: (d) =>
    d === "out"
      ? { key: `coalesce(lower(pr.category), '') || '|' || m.to_address`, category: "lower(pr.category)", counterparty: "m.to_address" }
      : { key: "m.from_address", category: "NULL", counterparty: "m.from_address" },
};

/**
 * Count, exact sum and (with `extremes`) smallest and largest amount of the
 * rows a query matches, per token and per group; min and max are 0 without it. Sums never pass through a float or a 64-bit
 * integer (see exact.ts).
 */
export function aggregateMoney(db: ReadableDatabase, query: MoneyQuery, grouping: MoneyGrouping = "none", { extremes = false }: { extremes?: boolean } = {}): MoneyAggregate[] {
  const source = sources[query.direction];
  const where = moneyWhere(db, query);
  const columns = groupColumns[grouping](query.direction);
  const padded = paddedAmountSql(engineOf(db), source.amount);
  // The proposal is joined only when a filter or the grouping reads it.
  const needsProposal = query.direction === "out" && (grouping === "category" || !!query.proposers || !!query.categories);
  const run = (short: boolean) =>
    oneOffStatement(db,
      
        `SELECT ${source.token} AS token, ${columns.key} AS grp, ${columns.category} AS category, ${columns.counterparty} AS counterparty,
                count(*) AS n, ${exactSumSql(engineOf(db), source.amount, "s", short)}${extremes ? `, min(${padded}) AS low, max(${padded}) AS high` : ""}
           FROM ${needsProposal ? source.from : source.bare} WHERE ${whereSql(where)}
          GROUP BY ${[...new Set([source.token, columns.key, columns.category, columns.counterparty])].filter((sql) => sql !== "NULL" && sql !== "''").join(", ")}`,
      )
      .safeIntegers(true)
      .all(...where.params) as Record<string, any>[];
  let rows = run(true);
  if (rows.some((row) => needsLongSum(row))) rows = run(false);
  return rows.map((row) => ({
    token: row.token ?? null,
    key: String(row.grp ?? ""),
    category: row.category ?? null,
    counterparty: row.counterparty ?? null,
    count: Number(row.n),
    sum: exactSumFrom(row),
    min: unpadAmount(row.low) ?? 0n,
    max: unpadAmount(row.high) ?? 0n,
  }));
}

/** How often each address was paid (out) and sent money in (in): tells a payee from a sender. */
export function counterpartyActivity(db: ReadableDatabase, addresses: string[]): { paidTo: number; receivedFrom: number } {
  if (addresses.length === 0) return { paidTo: 0, receivedFrom: 0 };
  const out = newWhere();
  inAddresses(out, "to_address", addresses);
  const inn = newWhere();
  inAddresses(inn, "from_address", addresses);
  const paidTo = Number(oneOffStatement(db, `SELECT count(*) FROM payments WHERE safe_id = @safe AND ${whereSql(out)}`).pluck().get(...out.params));
  const receivedFrom = Number(
    oneOffStatement(db, `SELECT count(*) FROM transfers WHERE safe_id = @safe AND direction = 'in' AND amount != '0' AND ${whereSql(inn)}`).pluck().get(...inn.params),
  );
  return { paidTo, receivedFrom };
}
