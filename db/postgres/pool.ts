import pg from "pg";
import { toPostgres, type TranslatedSql } from "./dialect.ts";
import { PostgresError } from "./errors.ts";
import { bindParameters, pgTypes, rowObject } from "./values.ts";

/** Statements that do not hold their process while PostgreSQL answers. SQL as `db/` writes it (SQLite's syntax, `dialect.ts`). */
export type PooledStatements = {
  /** The first row, shaped as better-sqlite3 shapes it (64-bit integers as numbers), or undefined. */
  get(sql: string, ...parameters: unknown[]): Promise<Record<string, unknown> | undefined>;
  /** How many rows the statement changed. */
  run(sql: string, ...parameters: unknown[]): Promise<{ changes: number }>;
  /** A statement written for PostgreSQL, with its `$1`… values as they are (pg-boss's job insert). */
  runNative(text: string, values: unknown[]): Promise<void>;
  /** The same, resolving to its first row as `get` shapes it. */
  getNative(text: string, values: unknown[]): Promise<Record<string, unknown> | undefined>;
};

export type PostgresPoolParameters = {
  /** `postgres://…`, without the `schema` parameter. */
  url: string;
  /** The schema the tables live in (it exists already). */
  schema: string;
  readonly: boolean;
  /** Clients at most (default 4). */
  size?: number;
};

/** Each statement text is prepared once per client under one name (PostgreSQL parses and plans it once). */
const prepared = new Map<string, TranslatedSql & { name: string }>();
function preparedOf(sql: string): TranslatedSql & { name: string } {
  let known = prepared.get(sql);
  if (!known) prepared.set(sql, (known = { ...toPostgres(sql), name: `treasury_pooled_${prepared.size}` }));
  return known;
}

function refused(error: unknown, sql: string): PostgresError {
  const { message, code, detail } = error as { message?: string; code?: string; detail?: string };
  return new PostgresError(String(message ?? error), { code, details: [detail, `in: ${sql.trim().slice(0, 500)}`].filter(Boolean).join("\n"), cause: error });
}

const namedNative = new Map<string, string>();

function statementsOn(client: pg.Pool | pg.PoolClient): PooledStatements {
  const send = async (text: string, name: string | undefined, values: unknown[], source: string) => {
    try {
      return await client.query({ text, name, values, rowMode: "array" });
    } catch (error) {
      throw refused(error, source);
    }
  };
  const query = (sql: string, parameters: unknown[]) => {
    const { name, ...translated } = preparedOf(sql);
    return send(translated.text, name, bindParameters(translated, parameters, sql), sql);
  };
  const firstRow = (result: pg.QueryResult) => {
    const row = result.rows[0] as unknown[] | undefined;
    return row && rowObject(row, result.fields.map((field) => ({ name: field.name, type: field.dataTypeID })));
  };
  const native = (text: string, values: unknown[]) => {
    let name = namedNative.get(text);
    if (name === undefined) namedNative.set(text, (name = `treasury_native_${namedNative.size}`));
    return send(text, name, values, text);
  };
  return {
    get: async (sql, ...parameters) => firstRow(await query(sql, parameters)),
    run: async (sql, ...parameters) => ({ changes: (await query(sql, parameters)).rowCount ?? 0 }),
    runNative: async (text, values) => void (await native(text, values)),
    getNative: async (text, values) => firstRow(await native(text, values)),
  };
}

/**
 * A few PostgreSQL clients in the caller's own thread, for a path that must not hold its process while it waits: the
 * web role's acks. (`PostgresConnection` blocks its thread on every statement, so a process using only it serves one
 * request at a time.) A client's session is set up as the connection's: the same schema, read-only when it is.
 */
export class PostgresPool implements PooledStatements {
  #pool: pg.Pool;
  #size: number;
  #any: PooledStatements;

  constructor({ url, schema, readonly, size = 4 }: PostgresPoolParameters) {
    const options = [`-c search_path=${schema}`, ...(readonly ? ["-c default_transaction_read_only=on"] : [])].join(" ");
    this.#size = size;
    this.#pool = new pg.Pool({ connectionString: url, max: size, idleTimeoutMillis: 60_000, types: pgTypes, options, application_name: "treasury" });
    // An idle client's connection lost: the pool drops it and opens another when asked.
    this.#pool.on("error", () => undefined);
    this.#any = statementsOn(this.#pool);
  }

  /** Opens every client now (a web process, before it serves), not at the first requests; they close after a minute idle. */
  async open(): Promise<void> {
    let clients: pg.PoolClient[];
    try {
      clients = await Promise.all(Array.from({ length: this.#size }, () => this.#pool.connect()));
    } catch (error) {
      throw refused(error, "connect");
    }
    for (const client of clients) client.release();
  }

  get(sql: string, ...parameters: unknown[]) {
    return this.#any.get(sql, ...parameters);
  }

  run(sql: string, ...parameters: unknown[]) {
    return this.#any.run(sql, ...parameters);
  }

  runNative(text: string, values: unknown[]) {
    return this.#any.runNative(text, values);
  }

  getNative(text: string, values: unknown[]) {
    return this.#any.getNative(text, values);
  }

  /** `work`'s statements in one transaction on one client: committed when it resolves, rolled back when it throws. */
  async transaction<T>(work: (statements: PooledStatements) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw refused(error, "connect");
    }
    let broken: unknown;
    try {
      await client.query("BEGIN").catch((error) => Promise.reject(refused(error, "BEGIN")));
      const result = await work(statementsOn(client));
      await client.query("COMMIT").catch((error) => Promise.reject(refused(error, "COMMIT")));
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch((failed) => (broken = failed));
      throw error;
    } finally {
      // A client whose rollback failed is not given to anyone else.
      client.release(broken as Error | undefined);
    }
  }

  end(): Promise<void> {
    return this.#pool.end();
  }
}
