import * as Address from "ox/Address";
import type { DatabaseEngine } from "../connection.ts";
import { padAmount, paddedAmountSql } from "./exact.ts";
import type { AmountCondition, TimeSpan } from "./types.ts";

/** A WHERE clause being built: conditions joined with AND, and their parameters. */
export type Where = { clauses: string[]; params: unknown[] };

export const newWhere = (): Where => ({ clauses: [], params: [] });
export const whereSql = (where: Where) => (where.clauses.length ? where.clauses.join(" AND ") : "1 = 1");
export const marks = (count: number) => Array.from({ length: count }, () => "?").join(", ");

/**
 * The spellings an address may be stored in (checksummed and lower case), so
 * that `column IN (...)` can use the column's index.
 */
export function addressSpellings(addresses: string[]): string[] {
  const out = new Set<string>();
  for (const address of addresses) {
    out.add(address);
    out.add(address.toLowerCase());
    if (Address.validate(address, { strict: false })) out.add(Address.checksum(address));
  }
  return [...out];
}

export function inAddresses(where: Where, column: string, addresses: string[]): void {
  const spellings = addressSpellings(addresses);
  if (spellings.length === 0) {
    where.clauses.push("1 = 0");
    return;
  }
  where.clauses.push(`${column} IN (${marks(spellings.length)})`);
  where.params.push(...spellings);
}

export function inTokens(where: Where, column: string, tokens: (string | null)[]): void {
  const addresses = tokens.filter((token): token is string => token !== null);
  const parts: string[] = [];
  if (tokens.includes(null)) parts.push(`${column} IS NULL`);
  if (addresses.length) {
    const spellings = addressSpellings(addresses);
    parts.push(`${column} IN (${marks(spellings.length)})`);
    where.params.push(...spellings);
  }
  where.clauses.push(parts.length ? `(${parts.join(" OR ")})` : "1 = 0");
}

export function inSpans(where: Where, column: string, spans: TimeSpan[]): void {
  if (spans.length === 0) {
    where.clauses.push("1 = 0");
    return;
  }
  where.clauses.push(`(${spans.map(() => `(${column} >= ? AND ${column} < ?)`).join(" OR ")})`);
  for (const span of spans) where.params.push(Math.floor(span.from), Math.floor(span.to));
}

const ops = { gt: ">", gte: ">=", lt: "<", lte: "<=", eq: "=" } as const;

/** Amount conditions, exact (padded text comparison), OR-ed; each applies to its own token only. */
export function amountConditions(engine: DatabaseEngine, where: Where, tokenColumn: string, amountColumn: string, conditions: AmountCondition[]): void {
  const padded = paddedAmountSql(engine, amountColumn);
  const parts: string[] = [];
  for (const condition of conditions) {
    const tokenPart = condition.token === null ? `${tokenColumn} IS NULL` : `${tokenColumn} IN (${marks(addressSpellings([condition.token]).length)})`;
    const tokenParams = condition.token === null ? [] : addressSpellings([condition.token]);
    if (condition.op === "between") {
      parts.push(`(${tokenPart} AND ${padded} >= ? AND ${padded} <= ?)`);
      where.params.push(...tokenParams, padAmount(condition.value), padAmount(condition.upTo ?? condition.value));
    } else {
      parts.push(`(${tokenPart} AND ${padded} ${ops[condition.op]} ?)`);
      where.params.push(...tokenParams, padAmount(condition.value));
    }
  }
  where.clauses.push(parts.length ? `(${parts.join(" OR ")})` : "1 = 0");
}

export function inList(where: Where, column: string, values: (string | number)[], caseless = false): void {
  if (values.length === 0) {
    where.clauses.push("1 = 0");
    return;
  }
  where.clauses.push(`${caseless ? `lower(${column})` : column} IN (${marks(values.length)})`);
  where.params.push(...values.map((value) => (caseless && typeof value === "string" ? value.toLowerCase() : value)));
}

/**
 * Keeps the SafeTxs (`hashColumn`) any of `owners` approved: a signature
 * collected here, a signer recovered from the execution, or an on-chain
 * approved hash.
 */
export function approvedBy(where: Where, hashColumn: string, owners: string[]): void {
  const spellings = addressSpellings(owners);
  const list = marks(spellings.length);
  where.clauses.push(`(EXISTS (SELECT 1 FROM signatures s WHERE s.safe_tx_hash = ${hashColumn} AND s.owner IN (${list}))
    OR EXISTS (SELECT 1 FROM execution_signers x WHERE x.safe_tx_hash = ${hashColumn} AND x.owner IN (${list}))
    OR EXISTS (SELECT 1 FROM approved_hashes h WHERE h.approved_hash = ${hashColumn} AND h.owner IN (${list})))`);
  where.params.push(...spellings, ...spellings, ...spellings);
}

/** Keeps the SafeTxs (`hashColumn`) that one of `executors` sent to the chain. */
export function executedBy(where: Where, hashColumn: string, executors: string[]): void {
  const spellings = addressSpellings(executors);
  where.clauses.push(`EXISTS (SELECT 1 FROM safe_executions e WHERE e.safe_tx_hash = ${hashColumn} AND e.executor IN (${marks(spellings.length)}))`);
  where.params.push(...spellings);
}
