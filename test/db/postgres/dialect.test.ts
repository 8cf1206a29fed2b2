import assert from "node:assert/strict";
import { toPostgres } from "../../../db/postgres/dialect.ts";

describe("PostgreSQL dialect: SQLite syntax rewritten (db/postgres/dialect.ts)", () => {
  it("numbers positional and named parameters in order of appearance, a name reused keeping its number", () => {
    assert.deepEqual(toPostgres("SELECT * FROM t WHERE a = ? AND b = @safe AND c = ? AND d = @safe"), {
      text: "SELECT * FROM t WHERE a = $1 AND b = $2 AND c = $3 AND d = $2",
      parameters: [0, "safe", 1],
    });
    assert.deepEqual(toPostgres("UPDATE t SET x = :value, y = $other WHERE id = ?2 OR id = ?1").parameters, ["value", "other", 1, 0]);
  });

  it("never rewrites quoted text, quoted names, comments or PostgreSQL's own casts", () => {
    const sql = `SELECT '?', 'it''s @x', "a?b", x::bigint FROM t -- is ? here\nWHERE y = ? /* @z LIKE */`;
    assert.deepEqual(toPostgres(sql), { text: `SELECT '?', 'it''s @x', "a?b", x::bigint FROM t -- is ? here\nWHERE y = $1 /* @z LIKE */`, parameters: [0] });
  });

  it("turns INSERT OR IGNORE into ON CONFLICT DO NOTHING, before any RETURNING", () => {
    assert.equal(toPostgres("INSERT OR IGNORE INTO t (a) VALUES (?)").text, "INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING");
    assert.equal(toPostgres("INSERT OR IGNORE INTO t (a) VALUES (?) RETURNING id;").text, "INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING RETURNING id");
  });

  it("reads SQLite's null-safe IS ? as IS NOT DISTINCT FROM, and leaves IS NULL alone", () => {
    assert.equal(toPostgres("WHERE token IS ? AND memo IS NOT ? AND x IS NULL AND y IS NOT NULL").text, "WHERE token IS NOT DISTINCT FROM $1 AND memo IS DISTINCT FROM $2 AND x IS NULL AND y IS NOT NULL");
  });

  it("drops SQLite's index hint, makes LIKE case-blind as in SQLite, keeps camelCase aliases and casts to 64-bit integers", () => {
    assert.equal(toPostgres("WHERE +a.safe_id = @safe AND (+b = 1) AND c + 1 > 2").text, "WHERE a.safe_id = $1 AND (b = 1) AND c + 1 > 2");
    assert.equal(toPostgres("WHERE a LIKE ? AND b NOT LIKE ?").text, "WHERE a ILIKE $1 AND b NOT ILIKE $2");
    assert.equal(toPostgres("SELECT a AS safeTxHash, b AS id, CAST(c AS INTEGER) FROM t").text, 'SELECT a AS "safeTxHash", b AS id, CAST(c AS BIGINT) FROM t');
  });
});
