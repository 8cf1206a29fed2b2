import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { createSyncFn } from "synckit";
import { toPostgres, type TranslatedSql } from "./dialect.ts";
import { PostgresError } from "./errors.ts";
import { PostgresPool } from "./pool.ts";
import type { PostgresReply, PostgresRequest } from "./protocol.ts";
import { withDefaultUser } from "./url.ts";
import { bindParameters, fromPostgres, rowObject, type PostgresColumn } from "./values.ts";

export { PostgresError };

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
    if (this.#pluck) return fromPostgres(row[0], columns[0]!, this.#safeIntegers);
    if (this.#raw) return row.map((value, i) => fromPostgres(value, columns[i]!, this.#safeIntegers));
    return rowObject(row, columns, this.#safeIntegers);
  }

  #query(given: unknown[]): Extract<PostgresReply, { kind: "rows" }> {
    return this.#connection.query(this.#sql.text, bindParameters(this.#sql, given, this.source), this.source);
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
  /** The server's URL without this module's own parameters, for the pool. */
  #serverUrl: string;
  #pool: PostgresPool | undefined;

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
    this.#serverUrl = withDefaultUser(parsed).toString();
    try {
      ask({ kind: "connect", id: this.#id, url: parsed.toString(), setup });
    } catch (cause) {
      this.open = false;
      throw new PostgresError(`Cannot connect to PostgreSQL at ${this.name}: ${(cause as Error).message}`, { cause, details: String((cause as Error).message) });
    }
  }

  /**
   * Statements that do not block this thread (a pool of clients in it, opened on first use), on the same schema:
   * separate sessions, so they see what this connection has committed, never its open transaction.
   */
  get pool(): PostgresPool {
    this.#checkOpen();
    return (this.#pool ??= new PostgresPool({ url: this.#serverUrl, schema: this.schema, readonly: this.readonly }));
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
    void this.#pool?.end().catch(() => undefined);
    return this;
  }

  #checkOpen(): void {
    if (!this.open) throw new PostgresError("The database connection is not open");
  }
}
