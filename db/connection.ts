import type Database from "better-sqlite3";
import type { Statement } from "better-sqlite3";
import { DatabaseError } from "./errors.ts";
import type { ReadableDatabase, TreasuryDatabase } from "./handle.ts";
import type { PostgresConnection } from "./postgres/connection.ts";
import type { PostgresPool } from "./postgres/pool.ts";

/**
 * Which Safe's rows a handle reads and writes: one Safe (by `safes.id`), every
 * Safe (the read-only all-Safes handle), or none (the handle `openDatabase`
 * returns, for per-deployment tables and for registering Safes).
 */
export type SafeScope = { safeId: number } | { allSafes: true } | undefined;

type Bound = { connection: Database.Database; scope: NonNullable<SafeScope> };

/**
 * Where a bound handle keeps its connection and scope. A registered symbol, not a
 * module-level map: a second copy of this module (one loaded by `import()` next to
 * one loaded by `require`, as under a test runner) still reads the same handle.
 */
const boundKey = Symbol.for("treasury.db.bound-handle");
const boundOf = (db: ReadableDatabase): Bound | undefined => (db as unknown as { [boundKey]?: Bound })[boundKey];
/** One bound handle per connection and Safe, so caches keyed by handle stay small. */
const boundHandles = new WeakMap<Database.Database, Map<number | "all", object>>();

/**
 * The SQLite connection behind a handle. Only `db/` modules (and tests that
 * check what was stored) use it; everything else calls the `db/` functions.
 */
export function connectionOf(db: ReadableDatabase): Database.Database {
  return boundOf(db)?.connection ?? (db as unknown as Database.Database);
}

/** The database server behind a handle: SQLite (the embedded default) or PostgreSQL. */
export type DatabaseEngine = "sqlite" | "postgres";

/** Which engine a handle's connection is. `db/` modules use it where the two differ in more than syntax. */
export function engineOf(db: ReadableDatabase): DatabaseEngine {
  return (connectionOf(db) as unknown as { engine?: string }).engine === "postgres" ? "postgres" : "sqlite";
}

/**
 * Statements on a PostgreSQL handle's connection that do not block the process while the server answers (its pool,
 * `postgres/pool.ts`); undefined on SQLite, whose statements take microseconds and stay synchronous.
 */
export function poolOf(db: ReadableDatabase): PostgresPool | undefined {
  return engineOf(db) === "postgres" ? (connectionOf(db) as unknown as PostgresConnection).pool : undefined;
}

/** A subquery of the ids in a JSON array given as one parameter (`JSON.stringify(ids)`), for `id IN (…)` on either engine. */
export function idList(db: ReadableDatabase): string {
  return engineOf(db) === "postgres" ? "SELECT t.value::bigint FROM json_array_elements_text(?::json) AS t(value)" : "SELECT value FROM json_each(?)";
}

/** The same for a JSON array of strings (hashes, refs). */
export function textList(db: ReadableDatabase): string {
  return engineOf(db) === "postgres" ? "SELECT t.value FROM json_array_elements_text(?::json) AS t(value)" : "SELECT value FROM json_each(?)";
}

/** Wraps a connection as a handle (read-write unless opened read-only), bound to no Safe. */
export function handleOf(connection: Database.Database): TreasuryDatabase {
  return connection as unknown as TreasuryDatabase;
}

/** The Safe a handle is bound to (undefined for an unbound handle). */
export function scopeOf(db: ReadableDatabase): SafeScope {
  return boundOf(db)?.scope;
}

/** The handle over the same connection bound to `scope` (the same object each time). */
export function boundHandle<T extends ReadableDatabase>(db: T, scope: NonNullable<SafeScope>): T {
  const connection = connectionOf(db);
  let handles = boundHandles.get(connection);
  if (!handles) boundHandles.set(connection, (handles = new Map()));
  const key = "safeId" in scope ? scope.safeId : "all";
  let handle = handles.get(key);
  if (!handle) handles.set(key, (handle = Object.freeze({ [boundKey]: { connection, scope } })));
  return handle as T;
}

/**
 * A statement about a Safe's rows was run through a handle bound to no Safe
 * (or a write through the all-Safes handle). Never retried: the code must use
 * the handle of the Safe it acts for (`forSafe`).
 */
export class SafeScopeError extends DatabaseError {
  override name = "SafeScopeError";
}

const statements = new WeakMap<Database.Database, Map<string, Statement>>();
const scopedStatements = new WeakMap<object, Map<string, Statement>>();

/** `<column> = @safe` in a statement: the filter the all-Safes handle drops. */
const safeFilter = /([\w.]+)\s*=\s*@safe\b/g;

/** True when a statement is about one Safe's rows (`@safe`) or its workspace's (`@workspace`). */
const isScoped = (sql: string) => sql.includes("@safe") || sql.includes("@workspace");

/** What `@workspace` stands for: the workspace of the handle's Safe, read in the statement itself (a Safe can move, `assignSafeToWorkspace`). */
const workspaceOfSafe = "(SELECT workspace FROM safes WHERE id = @safe)";

function prepared(connection: Database.Database, sql: string): Statement {
  let cache = statements.get(connection);
  if (!cache) statements.set(connection, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = connection.prepare(sql)));
  return statement;
}

/**
 * A prepared statement, prepared once per connection (hot paths run the same
 * statements again and again).
 *
 * A statement that names `@safe` is about one Safe's rows: through a handle
 * bound to a Safe (`forSafe`), `@safe` is that Safe's id, given to every run
 * (a named-parameter object passed by the caller gets it added); through the
 * all-Safes handle, each `<column> = @safe` filter reads as true, so every
 * Safe's rows are read. Through an unbound handle, or to write through the
 * all-Safes handle, it throws `SafeScopeError`: no row of a Safe is read or
 * written without saying which Safe (and the per-Safe tables' `safe_id` has no
 * default, so a write that does not name `@safe` fails too).
 *
 * A statement that names `@workspace` is about the rows of the Safe's Slack
 * workspace (its people and address book): `@workspace` is the workspace of
 * the handle's Safe. Only a handle bound to one Safe runs it; the all-Safes
 * handle throws `SafeScopeError` too, since its Safes may belong to several
 * workspaces.
 */
export function statement(db: ReadableDatabase, sql: string): Statement {
  const connection = connectionOf(db);
  if (!isScoped(sql)) return prepared(connection, sql);
  let cache = scopedStatements.get(db);
  if (!cache) scopedStatements.set(db, (cache = new Map()));
  let scoped = cache.get(sql);
  if (!scoped) cache.set(sql, (scoped = scopedStatement(db, sql, (text) => prepared(connection, text))));
  return scoped;
}

/**
 * The first row of a read of per-deployment tables (no `@safe`), as `statement(db, sql).get(…)` gives it, but without
 * holding the process while PostgreSQL answers (on its pool). On SQLite it is read at once.
 */
export async function readRow(db: ReadableDatabase, sql: string, ...parameters: unknown[]): Promise<Record<string, unknown> | undefined> {
  if (isScoped(sql)) throw new SafeScopeError("readRow reads per-deployment tables only; a Safe's rows go through statement().", { details: sql });
  const pool = poolOf(db);
  return pool ? pool.get(sql, ...parameters) : (prepared(connectionOf(db), sql).get(...parameters) as Record<string, unknown> | undefined);
}

/**
 * The same as `statement`, prepared afresh and not kept: for SQL built per
 * question (the ledger's), whose variants would only fill the cache.
 */
export function oneOffStatement(db: ReadableDatabase, sql: string): Statement {
  const connection = connectionOf(db);
  if (!isScoped(sql)) return connection.prepare(sql);
  return scopedStatement(db, sql, (text) => connection.prepare(text));
}

function scopedStatement(db: ReadableDatabase, sql: string, prepare: (sql: string) => Statement): Statement {
  const scope = scopeOf(db);
  if (!scope) throw new SafeScopeError("This database handle is not bound to a Safe, so it cannot read or write a Safe's rows.", { details: sql });
  if ("safeId" in scope) return withSafe(prepare(sql.replaceAll("@workspace", workspaceOfSafe)), scope.safeId);
  if (sql.includes("@workspace")) throw new SafeScopeError("People and the address book are per workspace: read them through one Safe's handle.", { details: sql });
  const everySafe = sql.replace(safeFilter, "1 = 1");
  if (everySafe.includes("@safe")) throw new SafeScopeError("The all-Safes handle only reads: say which Safe to write for.", { details: sql });
  return prepare(everySafe);
}

const runs = new Set(["run", "get", "all", "iterate"]);
const modes = new Set(["pluck", "raw", "expand", "safeIntegers"]);

/** The statement with `@safe` bound to `safeId` at each run (merged into the caller's named parameters, if any). */
function withSafe(statement: Statement, safeId: number): Statement {
  const named = { safe: safeId };
  // Made once per statement and Safe: the indexer's hot path runs them for every row.
  const wrapped = new Map<PropertyKey, (...args: unknown[]) => unknown>();
  const proxy: Statement = new Proxy(statement, {
    get(target, property) {
      const value = Reflect.get(target, property) as unknown;
      if (typeof value !== "function") return value;
      let wrapper = wrapped.get(property);
      if (wrapper) return wrapper;
      const method = value as (...args: unknown[]) => unknown;
      if (runs.has(property as string))
        wrapper = (...parameters: unknown[]) => {
          const last = parameters.at(-1);
          if (isNamedParameters(last)) parameters[parameters.length - 1] = { ...last, safe: safeId };
          else parameters.push(named);
          return method.apply(target, parameters);
        };
      else if (modes.has(property as string))
        wrapper = (...args: unknown[]) => {
          method.apply(target, args);
          return proxy;
        };
      else wrapper = method.bind(target);
      wrapped.set(property, wrapper);
      return wrapper;
    },
  });
  return proxy;
}

function isNamedParameters(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value) && !(value instanceof Uint8Array);
}
