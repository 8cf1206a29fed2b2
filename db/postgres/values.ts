import pg from "pg";
import type { TranslatedSql } from "./dialect.ts";

/**
 * Values between `db/` and PostgreSQL, the same on the blocking connection (`connection.ts`) and the pool
 * (`pool.ts`): parameters given the ways better-sqlite3 takes them, and rows shaped the way it gives them.
 */

export type PostgresColumn = { name: string; type: number };

const INT8 = 20;
const NUMERIC = 1700;
const BOOL = 16;

/** Types whose text `fromPostgres` converts itself (64-bit integers, numerics, booleans, JSON): pg's parsers keep it. */
const typesKeptAsText = new Set([INT8, NUMERIC, BOOL, 114, 3802]);

/** pg's `types` option for clients whose rows go through `fromPostgres`. */
export const pgTypes = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (typesKeptAsText.has(oid)) return (value: string) => value;
    return pg.types.getTypeParser(oid, format);
  },
};

/** A value as better-sqlite3 gives it: 64-bit integers as numbers (or bigints when asked), booleans as 1/0, bytes as a Buffer. */
export function fromPostgres(value: unknown, column: PostgresColumn, safeIntegers: boolean): unknown {
  if (value === null || value === undefined) return null;
  switch (column.type) {
    case INT8:
      return safeIntegers ? BigInt(value as string) : Number(value);
    case NUMERIC: {
      const text = value as string;
      if (/^-?\d+$/.test(text)) return safeIntegers ? BigInt(text) : Number(text);
      return Number(text);
    }
    case BOOL:
      return value === "t" ? 1 : 0;
  }
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return value;
}

function toValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "boolean") return value ? 1 : 0;
  return value;
}

const isNamed = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);

/** The values of `sql`'s `$1`, `$2`… from parameters given as better-sqlite3 takes them (positional values, arrays of them, an object of named ones). */
export function bindParameters(sql: TranslatedSql, given: unknown[], source: string): unknown[] {
  const positional: unknown[] = [];
  let named: Record<string, unknown> = {};
  for (const value of given) {
    if (Array.isArray(value)) positional.push(...value);
    else if (isNamed(value)) named = { ...named, ...value };
    else positional.push(value);
  }
  return sql.parameters.map((slot) => {
    if (typeof slot === "number") {
      if (slot >= positional.length) throw new RangeError(`Too few parameter values were provided for: ${source.trim().slice(0, 200)}`);
      return toValue(positional[slot]);
    }
    if (!(slot in named)) throw new RangeError(`Missing named parameter "${slot}"`);
    return toValue(named[slot]);
  });
}

/** One row of values (in column order) as an object keyed by column name. */
export function rowObject(row: unknown[], columns: PostgresColumn[], safeIntegers = false): Record<string, unknown> {
  const shaped: Record<string, unknown> = {};
  columns.forEach((column, i) => (shaped[column.name] = fromPostgres(row[i], column, safeIntegers)));
  return shaped;
}
