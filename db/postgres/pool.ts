import pg from "pg";
import { toPostgres, type TranslatedSql } from "./dialect.ts";
import { PostgresError } from "./errors.ts";
import { bindParameters, rowObject, typesKeptAsText } from "./values.ts";

/** Statements that do not hold their process while PostgreSQL answers. SQL as `db/` writes it (SQLite's syntax, `dialect.ts`). */
export type PooledStatements = {
  /** The first row, shaped as better-sqlite3 shapes it (64-bit integers as numbers), or undefined. */
  get(sql: string, ...parameters: unknown[]): Promise<Record<string, unknown> | undefined>;
  /** How many rows the statement changed. */
  run(sql: string, ...parameters: unknown[]): Promise<{ changes: number }>;
  /** A statement written for PostgreSQL, with its `$1`… values as they are (pg-boss's job insert). */
  runNative(text: string, values: unknown[]): Promise<void>;
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

const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (typesKeptAsText.has(oid)) return (value: string) => value;
    return pg.types.getTypeParser(oid, format);
  },
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

function statementsOn(client: pg.Pool | pg.PoolClient): PooledStatements {
  const query = async (sql: string, parameters: unknown[]) => {
    const { text, name, ...translated } = preparedOf(sql);
    try {
      return await client.query({ text, name, values: bindParameters({ text, ...translated }, parameters, sql), rowMode: "array" });
    } catch (error) {
      throw refused(error, sql);
    }
  };
  return {
    async get(sql, ...parameters) {
      const result = await query(sql, parameters);
      const row = result.rows[0] as unknown[] | undefined;
      return row && rowObject(row, result.fields.map((field) => ({ name: field.name, type: field.dataTypeID })));
    },
    async run(sql, ...parameters) {
      return { changes: (await query(sql, parameters)).rowCount ?? 0 };
    },
    async runNative(text, values) {
      try {
        await client.query(text, values);
      } catch (error) {
        throw refused(error, text);
      }
    },
  };
}

/**
 * A few PostgreSQL clients in the caller's own thread, for a path that must not hold its process while it waits: the
 * web role's acks. (`PostgresConnection` blocks its thread on every statement, so a process using only it serves one
 * request at a time.) A client's session is set up as the connection's: the same schema, read-only when it is.
 */
export class PostgresPool implements PooledStatements {
  #pool: pg.Pool;
  #any: PooledStatements;

  constructor({ url, schema, readonly, size = 4 }: PostgresPoolParameters) {
    const options = [`-c search_path=${schema}`, ...(readonly ? ["-c default_transaction_read_only=on"] : [])].join(" ");
    this.#pool = new pg.Pool({ connectionString: url, max: size, types, options, application_name: "treasury" });
    // An idle client's connection lost: the pool drops it and opens another when asked.
    this.#pool.on("error", () => undefined);
    this.#any = statementsOn(this.#pool);
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

  /** `work`'s statements in one transaction on one client: committed when it resolves, rolled back when it throws. */
  async transaction<T>(work: (statements: PooledStatements) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw refused(error, "BEGIN");
    }
    let broken: unknown;
    try {
      const statements = statementsOn(client);
      await statements.runNative("BEGIN", []);
      const result = await work(statements);
      await statements.runNative("COMMIT", []);
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
