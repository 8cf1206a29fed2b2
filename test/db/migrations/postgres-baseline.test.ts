import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import pg from "pg";
import type Database from "better-sqlite3";
import { connectionOf } from "../../../db/connection.ts";
import { closeDatabase, openDatabase } from "../../../db/open.ts";
import { migrations } from "../../../db/migrations/index.ts";
import { postgresBaseline } from "../../../db/migrations/postgres/012-baseline.ts";
import { postgresMigrations } from "../../../db/migrations/postgres/index.ts";
import { exactSumFrom, exactSumSql, paddedAmountSql } from "../../../db/ledger/exact.ts";
import type { TreasuryDatabase } from "../../../db/handle.ts";

/**
 * The PostgreSQL baseline against the SQLite schema after every migration,
 * read independently from each engine's catalog, and the compatibility
 * functions against SQLite's own answers on the same inputs.
 */

const url = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** SQLite tables with no PostgreSQL counterpart: SQLite's own, FTS5's and sqlite-vec's. */
const sqliteOnlyTables = [
  "sqlite_sequence",
  "activity_fts", "activity_fts_data", "activity_fts_idx", "activity_fts_content", "activity_fts_docsize", "activity_fts_config",
  "activity_vec_bit", "activity_vec_bit_info", "activity_vec_bit_chunks", "activity_vec_bit_rowids", "activity_vec_bit_vector_chunks00",
];
/** Columns only PostgreSQL has: SQLite's implicit rowid made explicit, and the full-text vector. */
const postgresOnlyColumns: Record<string, string[]> = {
  proposals: ["rowid"],
  safe_executions: ["rowid"],
  payments: ["rowid"],
  transfers: ["rowid"],
  slack_received: ["rowid"],
  activity: ["search"],
};
/** Unique indexes only PostgreSQL has (rows looked up or paged by rowid). */
const postgresOnlyUniqueKeys = ["safe_executions(rowid:default)", "slack_received(rowid:default)"];
/** Indexes only PostgreSQL has, and indexes it extends (SQLite's index entries end with the rowid implicitly). */
const postgresOnlyIndexes: Record<string, string> = { activity_search: "activity(search:default)" };
const extendedIndexes: Record<string, string> = { payments_block: "rowid:default", transfers_block: "rowid:default" };
/** `INTEGER PRIMARY KEY`s that `db/` always gives: plain keys, no identity. */
const givenIntegerKeys = ["schema_migrations.version", "checkpoint.safe_id", "activity_sync.safe_id", "activity_vectors.activity_id", "activity_embeddings.activity_id"];
/** SQLite declared type -> PostgreSQL type. */
const typeOf: Record<string, string> = { INTEGER: "bigint", TEXT: "text", BLOB: "bytea", REAL: "double precision" };

const collation = (name: string | null) => (!name || name === "BINARY" || name === "default" ? "default" : name.toLowerCase());
const sorted = <T>(values: Iterable<T>) => [...values].sort();

type Column = { name: string; type: string; notNull: boolean };

// --- SQLite's catalog -------------------------------------------------------------

function sqliteTables(connection: Database.Database): string[] {
  return (connection.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]).filter((name) => !sqliteOnlyTables.includes(name));
}

function sqliteColumns(connection: Database.Database, table: string): (Column & { pk: number })[] {
  return (connection.prepare(`PRAGMA table_info("${table}")`).all() as { name: string; type: string; notnull: number; pk: number }[]).map((row) => ({
    name: row.name,
    type: typeOf[row.type.toUpperCase()] ?? `unmapped ${row.type}`,
    // A PRIMARY KEY column is NOT NULL in PostgreSQL (SQLite lets a non-INTEGER key hold NULL).
    notNull: row.notnull === 1 || row.pk > 0,
    pk: row.pk,
  }));
}

/** Each index as "table(col:collation, ...)", by name; a table's INTEGER PRIMARY KEY (no index in SQLite) as "<table>_pkey". */
function sqliteIndexes(connection: Database.Database, table: string): { name: string; unique: boolean; key: string }[] {
  const indexes = (connection.prepare(`PRAGMA index_list("${table}")`).all() as { name: string; unique: number; partial: number }[]).map((index) => {
    const columns = (connection.prepare(`PRAGMA index_xinfo("${index.name}")`).all() as { name: string; coll: string; key: number }[]).filter((c) => c.key === 1);
    const where = index.partial ? " WHERE" : "";
    return { name: index.name, unique: index.unique === 1, key: `${table}(${columns.map((c) => `${c.name}:${collation(c.coll)}`).join(", ")})${where}` };
  });
  const pk = sqliteColumns(connection, table).filter((c) => c.pk > 0);
  // An INTEGER PRIMARY KEY is the rowid itself: unique, with no index of its own.
  if (pk.length === 1 && pk[0].type === "bigint")
    indexes.push({ name: `${table}_pkey`, unique: true, key: `${table}(${pk[0].name}:default)` });
  return indexes;
}

function sqliteForeignKeys(connection: Database.Database, table: string): string[] {
  return (connection.prepare(`PRAGMA foreign_key_list("${table}")`).all() as { table: string; from: string; to: string; on_delete: string }[]).map(
    (fk) => `${table}.${fk.from} -> ${fk.table}.${fk.to} ON DELETE ${fk.on_delete}`,
  );
}

function sqliteCheckCount(connection: Database.Database, table: string): number {
  const sql = connection.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(table) as string;
  return (sql.match(/\bCHECK\s*\(/gi) ?? []).length;
}

// --- PostgreSQL's catalog ----------------------------------------------------------

async function postgresTables(client: pg.Client, schema: string): Promise<string[]> {
  const { rows } = await client.query("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'", [schema]);
  return rows.map((row) => row.relname as string);
}

async function postgresColumns(client: pg.Client, schema: string, table: string): Promise<(Column & { identity: string; generated: string })[]> {
  const { rows } = await client.query(
    `SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull, a.attidentity, a.attgenerated
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [schema, table],
  );
  return rows.map((row) => ({ name: row.attname, type: row.type, notNull: row.attnotnull, identity: row.attidentity, generated: row.attgenerated }));
}

async function postgresIndexes(client: pg.Client, schema: string, table: string): Promise<{ name: string; unique: boolean; primary: boolean; key: string; columns: string[] }[]> {
  const { rows } = await client.query(
    `SELECT i.relname AS name, x.indisunique AS unique, x.indisprimary AS primary, x.indpred IS NOT NULL AS partial,
            array(SELECT a.attname::text FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k (attnum, n)
                    JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns,
            array(SELECT coalesce(co.collname::text, '') FROM unnest(x.indcollation::oid[]) WITH ORDINALITY AS k (coll, n)
                    LEFT JOIN pg_collation co ON co.oid = k.coll ORDER BY k.n) AS collations
       FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2`,
    [schema, table],
  );
  return rows.map((row) => ({
    name: row.name,
    unique: row.unique,
    primary: row.primary,
    columns: row.columns,
    key: `${table}(${(row.columns as string[]).map((column, i) => `${column}:${collation(row.collations[i])}`).join(", ")})${row.partial ? " WHERE" : ""}`,
  }));
}

async function postgresForeignKeys(client: pg.Client, schema: string, table: string): Promise<string[]> {
  const actions: Record<string, string> = { a: "NO ACTION", r: "RESTRICT", c: "CASCADE", n: "SET NULL", d: "SET DEFAULT" };
  const { rows } = await client.query(
    `SELECT (SELECT attname FROM pg_attribute WHERE attrelid = k.conrelid AND attnum = k.conkey[1]) AS "from",
            r.relname AS target, (SELECT attname FROM pg_attribute WHERE attrelid = k.confrelid AND attnum = k.confkey[1]) AS "to",
            k.confdeltype, array_length(k.conkey, 1) AS width
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND k.contype = 'f'`,
    [schema, table],
  );
  for (const row of rows) assert.equal(row.width, 1, `${table}: only single-column foreign keys are compared`);
  return rows.map((row) => `${table}.${row.from} -> ${row.target}.${row.to} ON DELETE ${actions[row.confdeltype]}`);
}

async function postgresCheckCount(client: pg.Client, schema: string, table: string): Promise<number> {
  const { rows } = await client.query(
    `SELECT count(*)::int AS n FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND k.contype = 'c'`,
    [schema, table],
  );
  return rows[0].n;
}

// --- the test ------------------------------------------------------------------------

describe("PostgreSQL schema: the baseline and later migrations against SQLite's (db/migrations/postgres/)", function () {
  const schema = `baseline_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  let client: pg.Client;
  let sqliteDb: TreasuryDatabase;
  let sqlite: Database.Database;

  before(async function () {
    client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`CREATE SCHEMA "${schema}"`);
    await client.query(`SET search_path TO "${schema}"`);
    await client.query("BEGIN");
    for (const migration of postgresMigrations) await client.query(migration.sql);
    await client.query("COMMIT");
    sqliteDb = openDatabase({ path: ":memory:" });
    sqlite = connectionOf(sqliteDb);
  });

  after(async function () {
    if (sqliteDb) closeDatabase(sqliteDb);
    if (client) {
      await client.query("ROLLBACK").catch(() => undefined);
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      const { rows } = await client.query("SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = $1", [schema]);
      await client.end();
      assert.equal(rows[0].n, 0, "the test schema is dropped");
    }
  });

  it("stands for every SQLite migration: the baseline for 1 to 12, then one PostgreSQL migration per later SQLite one, by number", function () {
    assert.equal(postgresMigrations[0], postgresBaseline);
    assert.equal(postgresBaseline.version, 12);
    assert.deepEqual(
      postgresMigrations.slice(1).map((m) => m.version),
      migrations.filter((m) => m.version > postgresBaseline.version).map((m) => m.version),
    );
  });

  it("has the same tables", async function () {
    assert.deepEqual(sorted(await postgresTables(client, schema)), sorted(sqliteTables(sqlite)));
  });

  it("has the same columns in each table, in order, with mapped types and NOT NULL; the added ones are rowid identities and the search vector", async function () {
    for (const table of sqliteTables(sqlite)) {
      const columns = await postgresColumns(client, schema, table);
      const extras = postgresOnlyColumns[table] ?? [];
      assert.deepEqual(
        columns.filter((c) => !extras.includes(c.name)).map(({ name, type, notNull }) => ({ name, type, notNull })),
        sqliteColumns(sqlite, table).map(({ name, type, notNull }) => ({ name, type, notNull })),
        table,
      );
      assert.deepEqual(columns.filter((c) => extras.includes(c.name)).map((c) => c.name), extras, `${table}: the added columns`);
      for (const extra of columns.filter((c) => extras.includes(c.name))) {
        if (extra.name === "rowid") assert.deepEqual([extra.type, extra.identity], ["bigint", "a"], `${table}.rowid is GENERATED ALWAYS AS IDENTITY`);
        else assert.deepEqual([extra.type, extra.generated], ["tsvector", "s"], `${table}.${extra.name} is a stored generated tsvector`);
      }
    }
  });

  it("has the same primary keys, with identity ids where SQLite assigns them", async function () {
    for (const table of sqliteTables(sqlite)) {
      const expected = sqliteColumns(sqlite, table).filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
      const primary = (await postgresIndexes(client, schema, table)).filter((index) => index.primary);
      assert.equal(primary.length, 1, `${table} has a primary key`);
      assert.deepEqual(primary[0].columns, expected.map((c) => c.name), table);
      const columns = await postgresColumns(client, schema, table);
      if (expected.length === 1 && expected[0].type === "bigint") {
        const name = `${table}.${expected[0].name}`;
        const identity = columns.find((c) => c.name === expected[0].name)!.identity;
        assert.equal(identity, givenIntegerKeys.includes(name) ? "" : "d", `${name}: ${givenIntegerKeys.includes(name) ? "a plain key" : "GENERATED BY DEFAULT AS IDENTITY"}`);
      }
    }
  });

  it("has the same unique column sets (with their collations)", async function () {
    const sqliteKeys: string[] = [];
    const postgresKeys: string[] = [];
    for (const table of sqliteTables(sqlite)) {
      sqliteKeys.push(...sqliteIndexes(sqlite, table).filter((index) => index.unique).map((index) => index.key));
      postgresKeys.push(...(await postgresIndexes(client, schema, table)).filter((index) => index.unique).map((index) => index.key));
    }
    assert.deepEqual(sorted(postgresKeys), sorted([...sqliteKeys, ...postgresOnlyUniqueKeys]));
  });

  it("has the same other indexes, by name", async function () {
    const sqliteIndexMap = new Map<string, string>();
    const postgresIndexMap = new Map<string, string>();
    for (const table of sqliteTables(sqlite)) {
      for (const index of sqliteIndexes(sqlite, table).filter((index) => !index.unique)) sqliteIndexMap.set(index.name, index.key);
      for (const index of (await postgresIndexes(client, schema, table)).filter((index) => !index.unique)) postgresIndexMap.set(index.name, index.key);
    }
    for (const [name, extra] of Object.entries(extendedIndexes)) sqliteIndexMap.set(name, sqliteIndexMap.get(name)!.replace(/\)$/, `, ${extra})`));
    for (const [name, key] of Object.entries(postgresOnlyIndexes)) sqliteIndexMap.set(name, key);
    assert.deepEqual(Object.fromEntries([...postgresIndexMap].sort()), Object.fromEntries([...sqliteIndexMap].sort()));
  });

  it("has the same foreign keys (with ON DELETE) and as many CHECKs per table", async function () {
    for (const table of sqliteTables(sqlite)) {
      assert.deepEqual(sorted(await postgresForeignKeys(client, schema, table)), sorted(sqliteForeignKeys(sqlite, table)), table);
      assert.equal(await postgresCheckCount(client, schema, table), sqliteCheckCount(sqlite, table), `${table}: CHECK constraints`);
    }
  });

  it("compares names with NOCASE as SQLite does: in the UNIQUE constraint and in `= ? COLLATE NOCASE`", async function () {
    await client.query("BEGIN");
    try {
      await client.query("INSERT INTO safes (chain_id, address, name, added_at) VALUES (1, '0x01', 'Main', 0)");
      await assert.rejects(client.query("SAVEPOINT s; INSERT INTO safes (chain_id, address, name, added_at) VALUES (1, '0x02', 'mAIN', 0)"), { code: "23505" });
      await client.query("ROLLBACK TO SAVEPOINT s");
      const { rows } = await client.query("SELECT name FROM safes WHERE name = $1 COLLATE NOCASE AND chain_id != 0", ["MAIN"]);
      assert.deepEqual(rows, [{ name: "Main" }]);
      await client.query("INSERT INTO address_book (workspace, address, label, added_by, created_at) VALUES ('T1', '0x03', 'Printer Co', 'x', 0)");
      await assert.rejects(client.query("SAVEPOINT t; INSERT INTO address_book (workspace, address, label, added_by, created_at) VALUES ('T1', '0x04', 'printer co', 'x', 0)"), { code: "23505" });
      await client.query("ROLLBACK TO SAVEPOINT t");
      // Another workspace may use the same label.
      await client.query("INSERT INTO address_book (workspace, address, label, added_by, created_at) VALUES ('T2', '0x04', 'printer co', 'x', 0)");
      // SQLite agrees on both.
      sqlite.prepare("INSERT INTO safes (chain_id, address, name, added_at) VALUES (1, '0x01', 'Main', 0)").run();
      assert.throws(() => sqlite.prepare("INSERT INTO safes (chain_id, address, name, added_at) VALUES (1, '0x02', 'mAIN', 0)").run(), /UNIQUE/);
      assert.equal(sqlite.prepare("SELECT name FROM safes WHERE name = ? COLLATE NOCASE").pluck().get("MAIN"), "Main");
    } finally {
      await client.query("ROLLBACK");
      sqlite.prepare("DELETE FROM safes").run();
    }
  });

  it("numbers rows in insertion order (rowid), refuses a given rowid, and indexes activity text for search", async function () {
    await client.query("BEGIN");
    try {
      for (const id of ["b", "a", "c"]) await client.query("INSERT INTO slack_received (id, kind, received_at) VALUES ($1, 'event', 0)", [id]);
      const { rows } = await client.query("SELECT id FROM slack_received ORDER BY rowid");
      assert.deepEqual(rows.map((row) => row.id), ["b", "a", "c"]);
      await assert.rejects(client.query("SAVEPOINT s; INSERT INTO slack_received (id, kind, received_at, rowid) VALUES ('d', 'event', 0, 99)"), { code: "428C9" });
      await client.query("ROLLBACK TO SAVEPOINT s");
      const safe = (await client.query("INSERT INTO safes (chain_id, address, name, added_at) VALUES (1, '0x01', 'main', 0) RETURNING id")).rows[0].id;
      await client.query(
        `INSERT INTO activity (safe_id, ref, kind, occurred_at, title, body, content_hash, updated_at)
         VALUES ($1, 'r1', 'payment', 0, 'Paid the printing invoices', 'for the spring newsletter', 'h', 0),
                ($1, 'r2', 'payment', 0, 'Venue deposit', 'the invoice from the venue', 'h', 0)`,
        [safe],
      );
      const ranked = await client.query(
        "SELECT ref FROM activity, websearch_to_tsquery('english', 'invoice') q WHERE search @@ q ORDER BY ts_rank(search, q) DESC, ref",
      );
      assert.deepEqual(ranked.rows.map((row) => row.ref), ["r1", "r2"], "both match (stemmed); the title match ranks first");
      const none = await client.query("SELECT ref FROM activity WHERE search @@ websearch_to_tsquery('english', 'payroll')");
      assert.equal(none.rows.length, 0);
    } finally {
      await client.query("ROLLBACK");
    }
  });

  describe("compatibility functions give SQLite's answers", function () {
    const pgValue = async (sql: string, params: unknown[]) => (await client.query({ text: sql, values: params, rowMode: "array" })).rows.map((row) => row[0]);
    const sqliteValue = (sql: string, params: unknown[]) => (sqlite.prepare(sql).safeIntegers(true).raw().all(...params) as unknown[][]).map((row) => row[0]);
    const same = (value: unknown) => (value === null || value === undefined ? null : String(value));

    async function compare(sqliteSql: string, postgresSql: string, inputs: unknown[][]): Promise<number> {
      for (const params of inputs) {
        const expected = sqliteValue(sqliteSql, params).map(same);
        const actual = (await pgValue(postgresSql, params)).map(same);
        assert.deepEqual(actual, expected, `${postgresSql} with ${JSON.stringify(params)}`);
      }
      return inputs.length;
    }

    it("exact sums and padding of base-unit amounts (db/ledger/exact.ts's PostgreSQL SQL) give the bigint sum and the padded text", async function () {
      const amounts = ["0", "1", "999999999999", "1000000000000", "123456789012345678901234567890", (10n ** 40n + 7n).toString(), (2n ** 256n - 1n).toString()];
      const expected = amounts.reduce((sum, amount) => sum + BigInt(amount), 0n);
      const pgRow = (await client.query(`SELECT ${exactSumSql("postgres", "amount")} FROM unnest($1::text[]) AS amount`, [amounts])).rows[0];
      assert.equal(exactSumFrom(pgRow), expected);
      const padded = (await client.query(`SELECT ${paddedAmountSql("postgres", "amount")} AS p FROM unnest($1::text[]) AS amount`, [amounts])).rows.map((row) => row.p);
      assert.deepEqual(padded, amounts.map((amount) => amount.padStart(78, "0")));
    });

    it("strftime(format, seconds, 'unixepoch')", async function () {
      const formats = ["%Y-%m", "%Y-%m-%d %H:%M:%S", "%j %w %s", "%%Y=%Y", "%f", "%m/%d"];
      const times = [0, -1, 59, 86399, 951782400, 1700000000, 1709251199, 4102444799];
      await compare("SELECT strftime(?, ?, 'unixepoch')", "SELECT strftime($1, $2, 'unixepoch')", formats.flatMap((format) => times.map((time) => [format, time])));
    });

    it("unixepoch() and datetime('now') read the same clock, in the same form", async function () {
      const [pgNow, pgText] = (await client.query({ text: "SELECT unixepoch(), datetime('now')", rowMode: "array" })).rows[0];
      const [sqliteNow, sqliteText] = sqlite.prepare("SELECT unixepoch(), datetime('now')").raw().get() as [number, string];
      assert.ok(Math.abs(Number(pgNow) - sqliteNow) <= 2, `${pgNow} vs ${sqliteNow}`);
      assert.match(pgText, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      assert.ok(Math.abs(Date.parse(`${pgText.replace(" ", "T")}Z`) / 1000 - Number(pgNow)) <= 1, `${pgText} is ${pgNow} in UTC`);
      assert.ok(Math.abs(Date.parse(`${pgText.replace(" ", "T")}Z`) - Date.parse(`${sqliteText.replace(" ", "T")}Z`)) <= 2000, `${pgText} vs ${sqliteText}`);
      await assert.rejects(client.query("SELECT datetime('2024-01-01')"), /only datetime\('now'\)/);
    });

    it("sum(condition) counts the true ones (NULL over no row or only NULLs)", async function () {
      const values = "(1), (3), (NULL), (5)";
      await compare(`SELECT sum(column1 > 2) FROM (VALUES ${values})`, `SELECT sum(column1 > 2) FROM (VALUES (1), (3), (NULL::int), (5)) AS v`, [[]]);
      await compare(`SELECT sum(column1 > 2) FROM (VALUES ${values}) WHERE 0`, `SELECT sum(column1 > 2) FROM (VALUES (1), (3), (NULL::int), (5)) AS v WHERE false`, [[]]);
      await compare("SELECT sum(column1 > 2) FROM (VALUES (NULL))", "SELECT sum(column1 > 2) FROM (VALUES (NULL::int)) AS v", [[]]);
    });
  });
});
