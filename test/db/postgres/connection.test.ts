import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import pg from "pg";
import { PostgresConnection, PostgresError } from "../../../db/postgres/connection.ts";
import { postgresForTests } from "../../helpers/postgres-server.ts";

/** Runs on PostgreSQL whatever engine the rest of the suite uses: this is the engine's own driver. */
describe("PostgreSQL connection: synchronous, better-sqlite3's shape (db/postgres/connection.ts)", function () {
  this.timeout(60_000);
  let serverUrl: string;
  let url: string;
  let schema: string;
  let connection: PostgresConnection;

  before(async () => {
    serverUrl = (await postgresForTests()).url;
  });

  beforeEach(() => {
    schema = `tconn_${randomBytes(6).toString("hex")}`;
    const location = new URL(serverUrl);
    location.searchParams.set("schema", schema);
    url = location.toString();
    connection = new PostgresConnection({ url });
    connection.execNative("CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT, amount TEXT, data BYTEA, flag BOOLEAN)");
  });

  afterEach(async () => {
    connection.close();
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it("keeps its tables in the schema its URL names, and says where it is without credentials", async () => {
    assert.equal(connection.schema, schema);
    assert.ok(!connection.name.includes("@"), connection.name);
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    const { rows } = await client.query("SELECT table_name FROM information_schema.tables WHERE table_schema = $1", [schema]);
    await client.end();
    assert.deepEqual(rows, [{ table_name: "t" }]);
  });

  it("gives values as better-sqlite3 does: numbers or bigints, Buffers, 1/0 for booleans, null", () => {
    const big = 2n ** 62n + 7n;
    connection.prepare("INSERT INTO t (id, name, amount, data, flag) VALUES (?, @name, ?, ?, ?)").run(big, "1000000000000000000000", Buffer.from([1, 2, 255]), true, { name: "a" });
    connection.prepare("INSERT INTO t (id, name) VALUES (?, ?)").run(5, null);
    assert.deepEqual(connection.prepare("SELECT id, name, amount, data, flag FROM t WHERE id = ?").safeIntegers().get(big), {
      id: big,
      name: "a",
      amount: "1000000000000000000000",
      data: Buffer.from([1, 2, 255]),
      flag: 1,
    });
    assert.deepEqual(connection.prepare("SELECT id, name, data FROM t WHERE id = 5").get(), { id: 5, name: null, data: null });
    assert.deepEqual(connection.prepare("SELECT id FROM t ORDER BY id").pluck().all(), [5, Number(big)]);
    assert.deepEqual(connection.prepare("SELECT id, name FROM t WHERE id = 5").raw().all(), [[5, null]]);
    assert.equal(connection.prepare("SELECT sum(id) FROM t").safeIntegers().pluck().get(), big + 5n);
    assert.equal(connection.prepare("SELECT id FROM t WHERE id = 6").get(), undefined);
    assert.deepEqual(connection.prepare("UPDATE t SET name = 'b'").run(), { changes: 2, lastInsertRowid: 0 });
  });

  it("refuses a missing parameter rather than sending null", () => {
    assert.throws(() => connection.prepare("SELECT * FROM t WHERE id = ? AND name = ?").get(1), /Too few parameter values/);
    assert.throws(() => connection.prepare("SELECT * FROM t WHERE id = @id").get({ other: 1 }), /Missing named parameter "id"/);
  });

  it("commits a transaction whole, rolls it back whole when its work throws, and nests as savepoints", () => {
    const insert = connection.prepare("INSERT INTO t (id) VALUES (?)");
    const count = () => connection.prepare("SELECT count(*) FROM t").pluck().get();
    connection.transaction(() => {
      insert.run(1);
      insert.run(2);
    })();
    assert.equal(count(), 2);
    assert.throws(() =>
      connection.transaction(() => {
        insert.run(3);
        throw new Error("stop");
      })(),
    /stop/);
    assert.equal(count(), 2);
    connection.transaction(() => {
      insert.run(4);
      assert.equal(connection.inTransaction, true);
      assert.throws(() =>
        connection.transaction(() => {
          insert.run(5);
          throw new Error("inner");
        })(),
      /inner/);
      insert.run(6);
    })();
    assert.equal(connection.inTransaction, false);
    assert.deepEqual(connection.prepare("SELECT id FROM t ORDER BY id").pluck().all(), [1, 2, 4, 6]);
  });

  it("opens a transaction with its first statement: one that ran none, or whose first statement failed, leaves nothing open", async () => {
    const insert = connection.prepare("INSERT INTO t (id) VALUES (?)");
    // What another session sees: a row written in a transaction left open would not be there.
    const other = new pg.Client({ connectionString: serverUrl });
    await other.connect();
    const seen = async () => (await other.query(`SELECT id FROM ${schema}.t ORDER BY id`)).rows.map((row) => Number(row.id));
    try {
      assert.equal(connection.transaction(() => "nothing run")(), "nothing run");
      assert.throws(() => connection.transaction(() => { throw new Error("before any statement"); })(), /before any statement/);
      insert.run(1);
      assert.deepEqual(await seen(), [1], "no transaction was left open");
      // Inside a transaction the statements after the first see its xid: they ran in the transaction it opened.
      const xid = connection.transaction(() => {
        insert.run(2);
        return connection.prepare("SELECT pg_current_xact_id_if_assigned()::text").pluck().get();
      })();
      assert.ok(xid, "the insert and the read after it were one transaction");
      // The first statement fails (a duplicate key): rolled back, and the next statement runs on its own.
      assert.throws(() => connection.transaction(() => insert.run(1))(), /duplicate key/);
      insert.run(3);
      assert.deepEqual(await seen(), [1, 2, 3]);
      assert.throws(() =>
        connection.transaction(() => {
          insert.run(4);
          insert.run(1);
        })(),
      /duplicate key/);
      assert.deepEqual(await seen(), [1, 2, 3], "the row before the failing statement was rolled back with it");
    } finally {
      await other.end();
    }
  });

  it("throws PostgresError with PostgreSQL's code and the statement", () => {
    connection.prepare("INSERT INTO t (id) VALUES (1)").run();
    const error = (() => {
      try {
        connection.prepare("INSERT INTO t (id) VALUES (1)").run();
      } catch (caught) {
        return caught;
      }
    })();
    assert.ok(error instanceof PostgresError);
    assert.equal(error.code, "23505");
    assert.match(String(error.details), /INSERT INTO t/);
  });

  it("a read-only connection reads and refuses every write", () => {
    connection.prepare("INSERT INTO t (id) VALUES (1)").run();
    const reader = new PostgresConnection({ url, readonly: true });
    try {
      assert.equal(reader.prepare("SELECT count(*) FROM t").pluck().get(), 1);
      assert.throws(() => reader.prepare("INSERT INTO t (id) VALUES (2)").run(), (error: PostgresError) => error.code === "25006");
    } finally {
      reader.close();
    }
  });

  it("starts on a new schema that another process is creating at the same moment", async () => {
    const fresh = `tconn_${randomBytes(6).toString("hex")}`;
    const location = new URL(serverUrl);
    location.searchParams.set("schema", fresh);
    const holder = new pg.Client({ connectionString: serverUrl });
    // Another client: inside a transaction, pg_stat_activity shows one snapshot.
    const watcher = new pg.Client({ connectionString: serverUrl });
    await holder.connect();
    await watcher.connect();
    try {
      // The other process has created the schema but not committed: this one's CREATE SCHEMA IF NOT EXISTS waits on
      // the catalogue's unique index, then finds the name taken once the other commits.
      await holder.query("BEGIN");
      await holder.query(`CREATE SCHEMA ${fresh}`);
      const child = spawn(process.execPath, ["--import", "tsx", join("test", "db", "postgres", "connect-child.ts"), location.toString()], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout.on("data", (chunk) => (out += chunk));
      const exited = new Promise<number | null>((done) => child.on("exit", done));
      let waiting = 0;
      for (let tries = 0; tries < 600 && waiting === 0; tries++) {
        await new Promise((done) => setTimeout(done, 50));
        waiting = Number((await watcher.query("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'treasury' AND wait_event_type = 'Lock' AND query LIKE 'CREATE SCHEMA%'")).rows[0].n);
      }
      assert.equal(waiting, 1, "the starting process waits on the uncommitted schema");
      await holder.query("COMMIT");
      assert.equal(await exited, 0, out);
      assert.equal(out.trim(), "connected");
    } finally {
      await holder.query(`DROP SCHEMA IF EXISTS ${fresh} CASCADE`).catch(() => undefined);
      await holder.end();
      await watcher.end();
    }
  });

  it("says clearly when it cannot connect, and when it is used after close", () => {
    assert.throws(() => new PostgresConnection({ url: "postgres://127.0.0.1:9/test" }), /Cannot connect to PostgreSQL at postgres:\/\/127\.0\.0\.1:9\/test: .*ECONNREFUSED/);
    assert.throws(() => new PostgresConnection({ url: "not a url" }), /not a valid postgres:\/\/ URL/);
    const other = new PostgresConnection({ url });
    other.close();
    assert.throws(() => other.prepare("SELECT 1").get(), /not open/);
  });

  it("prepares each statement once per connection, and survives a table changed under it by another connection", () => {
    const insert = connection.prepare("INSERT INTO t (id, name) VALUES (?, ?)");
    insert.run(1, "ana");
    insert.run(2, "ben");
    const prepared = () => connection.prepare("SELECT statement FROM pg_prepared_statements").pluck().all() as string[];
    assert.equal(prepared().filter((text) => text.startsWith("INSERT INTO t")).length, 1, "one server-side statement for both inserts");

    const everything = () => connection.prepare("SELECT * FROM t ORDER BY id").all();
    assert.deepEqual(Object.keys(everything()[0] as object), ["id", "name", "amount", "data", "flag"]);
    // Another connection adds a column: the prepared SELECT * now has another shape. It fails at most once, then reads the new one.
    const other = new PostgresConnection({ url });
    try {
      other.execNative("ALTER TABLE t ADD COLUMN note TEXT DEFAULT 'x'");
    } finally {
      other.close();
    }
    let rows: unknown[] | undefined;
    for (let attempt = 0; attempt < 2 && !rows; attempt++) {
      try {
        rows = everything();
      } catch (error) {
        assert.equal((error as PostgresError).code, "0A000");
      }
    }
    assert.deepEqual(Object.keys(rows![0] as object), ["id", "name", "amount", "data", "flag", "note"]);
    // DDL through this connection starts afresh at once.
    connection.execNative("ALTER TABLE t DROP COLUMN note");
    assert.deepEqual(Object.keys(everything()[0] as object), ["id", "name", "amount", "data", "flag"]);
  });
});
