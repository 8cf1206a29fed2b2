import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { createSyncFn } from "synckit";
import { DatabaseError } from "../errors.ts";
import { toPostgres, type TranslatedSql } from "./dialect.ts";
import type { PostgresColumn, PostgresReply, PostgresRequest } from "./protocol.ts";

/** A statement PostgreSQL refused, or a connection it would not open. `code` is PostgreSQL's SQLSTATE. */
export class PostgresError extends DatabaseError {
  override name = "PostgresError";
  readonly code: string | undefined;
  constructor(message: string, options: { code?: string; details?: string; cause?: unknown } = {}) {
    super(message, options);
    this.code = options.code;
  }
}

let send: ((request: PostgresRequest) => PostgresReply) | undefined;
/** The one worker thread of the process, started on first use. */
function worker(): (request: PostgresRequest) => PostgresReply {
  if (!send) {
    const here = fileURLToPath(import.meta.url);
    const typescript = extname(here) === ".ts";
    send = createSyncFn(fileURLToPath(new URL(`./worker${extname(here)}`, import.meta.url)), typescript ? { tsRunner: "tsx" } : {});
  }
  return send;
}

function ask(request: PostgresRequest, sql?: string): Extract<PostgresReply, { kind: "rows" }> | undefined {
  const reply = worker()(request);
  if (reply.kind === "error")
    throw new PostgresError(reply.message, { code: reply.code, details: [reply.detail, sql && `in: ${sql.trim().slice(0, 500)}`].filter(Boolean).join("\n") || undefined });
  return reply.kind === "rows" ? reply : undefined;
}

const INT8 = 20;
const NUMERIC = 1700;
const BOOL = 16;

/** A value as better-sqlite3 gives it: 64-bit integers as numbers (or bigints when asked), booleans as 1/0, bytes as a Buffer. */
function fromPostgres(value: unknown, column: PostgresColumn, safeIntegers: boolean): unknown {
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

/**
 * A prepared statement with the part of better-sqlite3's `Statement` that
 * `db/` uses: `run`, `get`, `all`, `iterate`, and the `pluck`, `raw` and
 * `safeIntegers` modes. Parameters are given the same ways (positional
 * values, arrays of them, an object of named ones).
 */
export class PostgresStatement {
  readonly source: string;
  #connection: PostgresConnection;
  #sql: TranslatedSql;
  #pluck = false;
  #raw = false;
  #safeIntegers = false;

  constructor(connection: PostgresConnection, source: string) {
    this.source = source;
    this.#connection = connection;
    this.#sql = toPostgres(source);
  }

  pluck(on = true): this {
    this.#pluck = on;
    if (on) this.#raw = false;
    return this;
  }

  raw(on = true): this {
    this.#raw = on;
    if (on) this.#pluck = false;
    return this;
  }

  safeIntegers(on = true): this {
    this.#safeIntegers = on;
    return this;
  }

  run(...parameters: unknown[]): { changes: number; lastInsertRowid: number } {
    const reply = this.#query(parameters);
    return { changes: reply.count, lastInsertRowid: 0 };
  }

  get(...parameters: unknown[]): unknown {
    const reply = this.#query(parameters);
    return reply.rows.length === 0 ? undefined : this.#shape(reply.rows[0]!, reply.columns);
  }

  all(...parameters: unknown[]): unknown[] {
    const reply = this.#query(parameters);
    return reply.rows.map((row) => this.#shape(row, reply.columns));
  }

  *iterate(...parameters: unknown[]): IterableIterator<unknown> {
    yield* this.all(...parameters);
  }

  #shape(row: unknown[], columns: PostgresColumn[]): unknown {
    const values = row.map((value, i) => fromPostgres(value, columns[i]!, this.#safeIntegers));
    if (this.#pluck) return values[0];
    if (this.#raw) return values;
    const shaped: Record<string, unknown> = {};
    columns.forEach((column, i) => (shaped[column.name] = values[i]));
    return shaped;
  }

  #query(given: unknown[]): Extract<PostgresReply, { kind: "rows" }> {
    const positional: unknown[] = [];
    let named: Record<string, unknown> = {};
    for (const value of given) {
      if (Array.isArray(value)) positional.push(...value);
      else if (isNamed(value)) named = { ...named, ...value };
      else positional.push(value);
    }
    const values = this.#sql.parameters.map((source) => {
      if (typeof source === "number") {
        if (source >= positional.length) throw new RangeError(`Too few parameter values were provided for: ${this.source.trim().slice(0, 200)}`);
        return toValue(positional[source]);
      }
      if (!(source in named)) throw new RangeError(`Missing named parameter "${source}"`);
      return toValue(named[source]);
    });
    return this.#connection.query(this.#sql.text, values, this.source);
  }
}

let nextId = 1;

export type PostgresConnectionParameters = {
  /**
   * `postgres://…`; an optional `schema` query parameter names the schema every table lives in (made if missing),
   * and `pgvector=off` keeps vectors out of pgvector even where the server offers it (db/vector-store.ts).
   */
  url: string;
  /** Every transaction of the connection is read-only (the assistant's handle). */
  readonly?: boolean;
};

/**
 * A connection to PostgreSQL with the part of better-sqlite3's `Database`
 * that `db/` uses (`prepare`, `exec`, `transaction`, `close`, `open`), and
 * synchronous like it: each call waits for PostgreSQL's answer on a worker
 * thread. The SQL `db/` writes for SQLite is rewritten on the way
 * (`dialect.ts`).
 */
export class PostgresConnection {
  readonly engine = "postgres";
  readonly memory = false;
  readonly readonly: boolean;
  /** The server and database, without credentials. */
  readonly name: string;
  /** The schema the connection's tables live in. */
  readonly schema: string;
  /** Whether vectors may use pgvector when the server offers it (`pgvector=off` in the URL: never). */
  readonly pgvector: "auto" | "off";
  open = true;
  #id = nextId++;
  #depth = 0;
  /** A transaction began but PostgreSQL has not heard of it yet: its BEGIN goes with the next statement. */
  #beginPending = false;

  constructor({ url, readonly = false }: PostgresConnectionParameters) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (cause) {
      throw new PostgresError("DATABASE_URL is not a valid postgres:// URL.", { cause });
    }
    this.schema = parsed.searchParams.get("schema") ?? "public";
    if (!/^[a-z_][a-z0-9_]*$/.test(this.schema)) throw new PostgresError(`The schema name "${this.schema}" must be lower-case letters, digits and underscores.`);
    parsed.searchParams.delete("schema");
    const pgvector = parsed.searchParams.get("pgvector") ?? "auto";
    if (pgvector !== "auto" && pgvector !== "off") throw new PostgresError(`pgvector=${pgvector} in the database URL must be "auto" or "off".`);
    this.pgvector = pgvector;
    parsed.searchParams.delete("pgvector");
    this.name = `${parsed.protocol}//${parsed.host}${parsed.pathname}${this.schema === "public" ? "" : `?schema=${this.schema}`}`;
    this.readonly = readonly;
    const setup = [
      ...(this.schema === "public" || readonly ? [] : [`CREATE SCHEMA IF NOT EXISTS ${this.schema}`]),
      `SET search_path TO ${this.schema}`,
      ...(readonly ? ["SET default_transaction_read_only = on"] : []),
    ];
    try {
      ask({ kind: "connect", id: this.#id, url: parsed.toString(), setup });
    } catch (cause) {
      this.open = false;
      throw new PostgresError(`Cannot connect to PostgreSQL at ${this.name}: ${(cause as Error).message}`, { cause, details: String((cause as Error).message) });
    }
  }

  prepare(sql: string): PostgresStatement {
    this.#checkOpen();
    return new PostgresStatement(this, sql);
  }

  /** Runs SQL written for SQLite, one statement or several, with no parameters. */
  exec(sql: string): this {
    this.#checkOpen();
    ask({ kind: "exec", id: this.#id, text: toPostgres(sql).text, begin: this.#takeBegin() }, sql);
    return this;
  }

  /** Runs SQL written for PostgreSQL as it is (migrations). */
  execNative(sql: string): void {
    this.#checkOpen();
    ask({ kind: "exec", id: this.#id, text: sql, begin: this.#takeBegin() }, sql);
  }

  /** @internal Used by `PostgresStatement`. */
  query(text: string, values: unknown[], source: string): Extract<PostgresReply, { kind: "rows" }> {
    this.#checkOpen();
    return ask({ kind: "query", id: this.#id, text, values, begin: this.#takeBegin() }, source)!;
  }

  #takeBegin(): boolean {
    const begin = this.#beginPending;
    this.#beginPending = false;
    return begin;
  }

  /**
   * `work` in one transaction, as better-sqlite3's `transaction`: the returned
   * function begins, runs and commits (or rolls back when `work` throws), and
   * nests as a savepoint. The BEGIN reaches PostgreSQL with the transaction's
   * first statement; a transaction that ran none costs no round trip at all.
   */
  transaction<A extends unknown[], T>(work: (...args: A) => T): (...args: A) => T {
    return (...args: A): T => {
      const depth = this.#depth;
      const savepoint = `s${depth}`;
      this.#checkOpen();
      if (depth === 0) this.#beginPending = true;
      else this.execNative(`SAVEPOINT ${savepoint}`);
      this.#depth++;
      try {
        const result = work(...args);
        if (result instanceof Promise) throw new TypeError("Transaction function cannot return a promise");
        if (depth > 0) this.execNative(`RELEASE SAVEPOINT ${savepoint}`);
        else if (!this.#takeBegin()) this.execNative("COMMIT");
        return result;
      } catch (error) {
        if (depth > 0) {
          if (this.open) this.execNative(`ROLLBACK TO SAVEPOINT ${savepoint}; RELEASE SAVEPOINT ${savepoint}`);
        } else if (!this.#takeBegin() && this.open) this.execNative("ROLLBACK");
        throw error;
      } finally {
        this.#depth = depth;
      }
    };
  }

  get inTransaction(): boolean {
    return this.#depth > 0;
  }

  /** SQLite's pragmas have no meaning here, except the few `db/` sets everywhere: those do nothing. */
  pragma(text: string): unknown {
    if (/^\s*(foreign_keys|busy_timeout|journal_mode|synchronous|cache_size|wal_autocheckpoint)\s*=/.test(text)) return [];
    throw new PostgresError(`PRAGMA ${text} is SQLite's; it has no PostgreSQL equivalent here.`);
  }

  close(): this {
    if (!this.open) return this;
    this.open = false;
    ask({ kind: "close", id: this.#id });
    return this;
  }

  #checkOpen(): void {
    if (!this.open) throw new PostgresError("The database connection is not open");
  }
}
