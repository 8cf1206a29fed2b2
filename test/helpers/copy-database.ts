import { copyFileSync, existsSync } from "node:fs";
import { closeDatabase, openDatabase as openTreasuryDatabase } from "../../db/open.ts";
import { connectionOf } from "../../db/connection.ts";
import type { PostgresConnection } from "../../db/postgres/connection.ts";
import { testDatabaseLocation, testEngine } from "./database.ts";

/** `"name"`, an identifier quoted for PostgreSQL. */
const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The schema a PostgreSQL test location names. */
const schemaOf = (location: string) => new URL(location).searchParams.get("schema")!;

/** Tables in an order where each comes after every table it references (Kahn's algorithm; a self-reference does not count). */
function referencedFirst(tables: string[], references: { child: string; parent: string }[]): string[] {
  const waitingOn = new Map(tables.map((table) => [table, new Set<string>()]));
  for (const { child, parent } of references) if (child !== parent) waitingOn.get(child)?.add(parent);
  const ordered: string[] = [];
  while (waitingOn.size > 0) {
    const ready = [...waitingOn].filter(([, parents]) => parents.size === 0).map(([table]) => table);
    if (ready.length === 0) throw new Error(`copyTestDatabase: foreign keys form a cycle among ${[...waitingOn.keys()].join(", ")}`);
    for (const table of ready.sort()) {
      ordered.push(table);
      waitingOn.delete(table);
      for (const parents of waitingOn.values()) parents.delete(table);
    }
  }
  return ordered;
}

/**
 * Every row of the schema `from` into the schema of `connection` (already migrated to the same tables; pgvector's
 * table, when `from` has one, is made like it), replacing
 * what it held: the same rows with the same ids (identity columns included, their sequences moved past them);
 * generated columns (the full-text `search`) are computed again.
 */
function copySchemaRows(connection: PostgresConnection, from: string): void {
  const to = connection.schema;
  // pgvector's table is made with the first embedding model, not by the migrations: the copy gets the source's.
  if (connection.prepare("SELECT to_regclass(?) IS NOT NULL").pluck().get(`${quoted(from)}.activity_pgvectors`) === 1)
    connection.execNative(`DROP TABLE IF EXISTS ${quoted(to)}.activity_pgvectors; CREATE TABLE ${quoted(to)}.activity_pgvectors (LIKE ${quoted(from)}.activity_pgvectors INCLUDING ALL)`);
  const tables = connection
    .prepare("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE'")
    .pluck()
    .all(to) as string[];
  const references = connection
    .prepare(
      `SELECT child.relname AS child, parent.relname AS parent
         FROM pg_constraint c
         JOIN pg_class child ON child.oid = c.conrelid
         JOIN pg_class parent ON parent.oid = c.confrelid
         JOIN pg_namespace n ON n.oid = child.relnamespace
        WHERE c.contype = 'f' AND n.nspname = ?`,
    )
    .all(to) as { child: string; parent: string }[];
  const columns = connection
    .prepare(
      `SELECT table_name AS tablename, column_name AS name, is_identity AS identity
         FROM information_schema.columns
        WHERE table_schema = ? AND is_generated = 'NEVER'
        ORDER BY table_name, ordinal_position`,
    )
    .all(to) as { tablename: string; name: string; identity: "YES" | "NO" }[];
  const target = (table: string) => `${quoted(to)}.${quoted(table)}`;
  connection.transaction(() => {
    connection.execNative(`TRUNCATE ${tables.map(target).join(", ")}`);
    for (const table of referencedFirst(tables, references)) {
      const own = columns.filter((column) => column.tablename === table);
      const list = own.map((column) => quoted(column.name)).join(", ");
      const identities = own.filter((column) => column.identity === "YES");
      connection.execNative(
        `INSERT INTO ${target(table)} (${list})${identities.length > 0 ? " OVERRIDING SYSTEM VALUE" : ""} SELECT ${list} FROM ${quoted(from)}.${quoted(table)}`,
      );
      for (const { name } of identities)
        connection.execNative(
          `SELECT setval(pg_get_serial_sequence('${target(table)}', '${name}'), (SELECT coalesce(max(${quoted(name)}), 0) + 1 FROM ${target(table)}), false)`,
        );
    }
  })();
}

/**
 * Copies the test database named by the path `source` to the one named by `target` (paths as tests name databases,
 * see `database.ts`), on the engine the tests run on. On SQLite: the file and its WAL. On PostgreSQL: the schema
 * standing for `target` is migrated and gets every row of `source`'s. Nothing may write `source` meanwhile.
 */
export function copyTestDatabase(source: string, target: string): void {
  if (testEngine === "sqlite") {
    copyFileSync(source, target);
    for (const suffix of ["-wal", "-shm"]) if (existsSync(source + suffix)) copyFileSync(source + suffix, target + suffix);
    return;
  }
  const db = openTreasuryDatabase({ path: testDatabaseLocation(target) });
  try {
    copySchemaRows(connectionOf(db) as unknown as PostgresConnection, schemaOf(testDatabaseLocation(source)));
  } finally {
    closeDatabase(db);
  }
}
