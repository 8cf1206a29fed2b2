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

const clients = new Map<number, pg.Client>();

/** Values whose text the caller's thread converts itself (64-bit integers, numerics, booleans, JSON): kept as text. */
const asText = new Set([20, 1700, 16, 114, 3802]);
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (asText.has(oid)) return (value: string) => value;
    return pg.types.getTypeParser(oid, format);
  },
};

async function handle(request: PostgresRequest): Promise<PostgresReply> {
  if (request.kind === "connect") {
    // With no user in the URL, libpq's default: the operating system's user name.
    const client = new pg.Client({ connectionString: withDefaultUser(new URL(request.url)).toString(), types, application_name: "treasury" });
    client.on("error", () => clients.delete(request.id));
    await client.connect();
    for (const sql of request.setup) await client.query(sql);
    clients.set(request.id, client);
    return { kind: "done" };
  }
  const client = clients.get(request.id);
  if (request.kind === "close") {
    clients.delete(request.id);
    await client?.end().catch(() => undefined);
    return { kind: "done" };
  }
  if (!client) throw new Error("This PostgreSQL connection is closed.");
  if (request.kind === "exec") {
    await client.query(request.text);
    return { kind: "done" };
  }
  const result = await client.query({ text: request.text, values: request.values, rowMode: "array" });
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
