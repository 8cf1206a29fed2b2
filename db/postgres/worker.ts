/**
 * The thread that talks to PostgreSQL for `PostgresConnection`. The caller's
 * thread blocks on each request (synckit), so the `db/` modules keep their
 * synchronous calls on both engines. One pg client per connection id, used by
 * one request at a time, in order: a transaction is just its statements sent
 * one after the other on the same client.
 */
import pg from "pg";
import { runAsWorker } from "synckit";
import type { PostgresReply, PostgresRequest } from "./protocol.ts";
import { withDefaultUser } from "./url.ts";
import { pgTypes } from "./values.ts";

const clients = new Map<number, pg.Client>();

/**
 * Server-side prepared statements, per client: each statement text gets a name the first time, so PostgreSQL parses
 * and plans it once per connection rather than at every call (about a third less CPU per statement, here and in the
 * server). Names are never reused: a schema change through this client (`exec` of DDL), or PostgreSQL's refusal of a
 * plan whose columns changed (DDL from another connection), starts a new set. At most `maxNamed` texts per set.
 */
const maxNamed = 2_000;
type Named = { names: Map<string, string>; set: number; next: number };
const namedOf = new Map<number, Named>();
const ddl = /^\s*(create|alter|drop|truncate|comment)\b/im;

function nameFor(id: number, text: string): string | undefined {
  const named = namedOf.get(id);
  if (!named) return undefined;
  const known = named.names.get(text);
  if (known !== undefined) return known;
  if (ddl.test(text)) {
    forgetNames(id);
    return undefined;
  }
  if (named.names.size >= maxNamed) return undefined;
  const name = `treasury_${named.set}_${named.next++}`;
  named.names.set(text, name);
  return name;
}

function forgetNames(id: number): void {
  const named = namedOf.get(id);
  if (named) namedOf.set(id, { names: new Map(), set: named.set + 1, next: 0 });
}

/**
 * `CREATE SCHEMA IF NOT EXISTS` is not safe against itself: of two processes starting on a new schema at once, one
 * fails on the catalogue's unique index. The schema then exists, which is all the setup asked for.
 */
function ignoreSchemaCreatedMeanwhile(sql: string, error: { code?: string }): void {
  if (sql.startsWith("CREATE SCHEMA IF NOT EXISTS") && (error.code === "23505" || error.code === "42P06")) return;
  throw error;
}

async function handle(request: PostgresRequest): Promise<PostgresReply> {
  if (request.kind === "connect") {
    // With no user in the URL, libpq's default: the operating system's user name.
    const client = new pg.Client({ connectionString: withDefaultUser(new URL(request.url)).toString(), types: pgTypes, application_name: "treasury" });
    client.on("error", () => clients.delete(request.id));
    try {
      await client.connect();
      for (const sql of request.setup) await client.query(sql).catch((error) => ignoreSchemaCreatedMeanwhile(sql, error));
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    clients.set(request.id, client);
    namedOf.set(request.id, { names: new Map(), set: 0, next: 0 });
    return { kind: "done" };
  }
  const client = clients.get(request.id);
  if (request.kind === "close") {
    clients.delete(request.id);
    namedOf.delete(request.id);
    await client?.end().catch(() => undefined);
    return { kind: "done" };
  }
  if (!client) throw new Error("This PostgreSQL connection is closed.");
  if (request.begin) await client.query("BEGIN");
  if (request.kind === "exec") {
    if (ddl.test(request.text)) forgetNames(request.id);
    await client.query(request.text);
    return { kind: "done" };
  }
  let result: pg.QueryResult;
  try {
    result = await client.query({ text: request.text, values: request.values, rowMode: "array", name: nameFor(request.id, request.text) });
  } catch (error) {
    // 0A000: "cached plan must not change result type" (a table changed under a prepared statement); 26000: a name the
    // server no longer knows. The statement fails this once; the next call prepares it afresh.
    const code = (error as { code?: string }).code;
    if (code === "0A000" || code === "26000") forgetNames(request.id);
    throw error;
  }
  return {
    kind: "rows",
    columns: (result.fields ?? []).map((field) => ({ name: field.name, type: field.dataTypeID })),
    rows: (result.rows ?? []) as unknown[][],
    count: result.rowCount ?? 0,
  };
}

runAsWorker(async (request: PostgresRequest) => {
  try {
    return await handle(request);
  } catch (cause) {
    const error = cause as { message?: string; code?: string; detail?: string; position?: string };
    // Sent back as data: an Error's own fields do not all survive the trip between threads.
    return { kind: "error", message: String(error.message ?? cause), code: error.code, detail: error.detail, position: error.position } satisfies PostgresReply;
  }
});
