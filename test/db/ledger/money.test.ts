import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import type { ReadableDatabase } from "../../../db/handle.ts";
import { closeDatabase } from "../../../db/open.ts";
import { openSafeDatabase } from "../../helpers/safe-database.ts";
import { aggregateMoney, listMoney } from "../../../db/ledger/money.ts";
import { tokenFlows } from "../../../db/ledger/state.ts";
import { connectionOf } from "../../../db/connection.ts";
import { testEngine } from "../../helpers/database.ts";

const token = "0x00000000000000000000000000000000000000d1";
const payee = "0x00000000000000000000000000000000000000a1";

describe("ledger money queries are exact over base units (db/ledger)", () => {
  let dir: string;
  let db: ReadableDatabase;
  let row = 0;
  const insert = (amount: bigint, time = 1_700_000_000, to = payee) => {
    row += 1;
    connectionOf(db).prepare(
      "INSERT INTO payments (safe_id, safe_tx_hash, batch_index, token, to_address, amount, block_number, block_time, tx_hash, log_index) VALUES (1, ?, 0, ?, ?, ?, ?, ?, ?, 0)",
    ).run(`0x${row.toString(16).padStart(64, "0")}`, token, to, amount.toString(), row, time, `0x${row.toString(16).padStart(64, "0")}`);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ledger-"));
    db = openSafeDatabase(join(dir, "treasury.db"));
    row = 0;
  });
  afterEach(() => {
    closeDatabase(db);
    rmSync(dir, { recursive: true, force: true });
  });

  it("sums amounts far above 2^63 (18-decimals tokens) exactly, where CAST(amount AS INTEGER) cannot", () => {
    const amounts = [123_456_789_012_345_678_901_234_567_890n, 2n ** 200n + 7n, 10n ** 77n, 1n, 999_999_999_999_999_999n];
    for (const amount of amounts) insert(amount);
    const [aggregate] = aggregateMoney(db, { direction: "out" }, "none", { extremes: true });
    const expected = amounts.reduce((a, b) => a + b, 0n);
    assert.equal(aggregate.sum, expected);
    assert.equal(aggregate.count, amounts.length);
    assert.equal(aggregate.max, 10n ** 77n);
    assert.equal(aggregate.min, 1n);
    if (testEngine === "sqlite") {
      // SQLite's own integer arithmetic cannot: CAST saturates at 2^63 - 1 and sum() overflows.
      assert.equal(connectionOf(db).prepare("SELECT CAST(amount AS INTEGER) FROM payments WHERE amount = ?").safeIntegers(true).pluck().get(String(10n ** 77n)), 2n ** 63n - 1n);
      assert.throws(() => connectionOf(db).prepare("SELECT sum(CAST(amount AS INTEGER)) FROM payments").safeIntegers(true).pluck().get(), /integer overflow/);
    } else {
      // Nor can PostgreSQL's widest integer: the cast to bigint refuses an amount above 2^63 - 1.
      assert.throws(() => connectionOf(db).prepare("SELECT CAST(amount AS BIGINT) FROM payments WHERE amount = ?").safeIntegers(true).pluck().get(String(10n ** 77n)), /out of range for type bigint/);
      assert.throws(() => connectionOf(db).prepare("SELECT sum(CAST(amount AS BIGINT)) FROM payments").safeIntegers(true).pluck().get(), /out of range for type bigint/);
    }
  });

  it("compares amounts exactly, at the boundaries, within one token", () => {
    const pivot = 4200n * 10n ** 18n;
    for (const amount of [pivot - 1n, pivot, pivot + 1n, 10n ** 30n, 5n]) insert(amount);
    const amounts = (op: "gt" | "gte" | "lt" | "lte" | "eq") =>
      listMoney(db, { direction: "out", amounts: [{ token, op, value: pivot.toString() }] }, { order: "amount_asc" }).map((r) => r.amount);
    assert.deepEqual(amounts("gt"), [pivot + 1n, 10n ** 30n]);
    assert.deepEqual(amounts("gte"), [pivot, pivot + 1n, 10n ** 30n]);
    assert.deepEqual(amounts("lt"), [5n, pivot - 1n]);
    assert.deepEqual(amounts("lte"), [5n, pivot - 1n, pivot]);
    assert.deepEqual(amounts("eq"), [pivot]);
    const between = listMoney(db, { direction: "out", amounts: [{ token, op: "between", value: "5", upTo: pivot.toString() }] }, { order: "amount_desc" });
    assert.deepEqual(between.map((r) => r.amount), [pivot, pivot - 1n, 5n]);
  });

  it("agrees with a bigint reduce on random amounts, by month", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), fc.integer({ min: 0, max: 11 })), { minLength: 1, maxLength: 40 }), (entries) => {
        connectionOf(db).prepare("DELETE FROM payments").run();
        for (const [amount, month] of entries) insert(amount, Date.UTC(2026, month, 15) / 1000);
        const expected = new Map<string, bigint>();
        for (const [amount, month] of entries) {
          const key = `2026-${String(month + 1).padStart(2, "0")}`;
          expected.set(key, (expected.get(key) ?? 0n) + amount);
        }
        const got = new Map(aggregateMoney(db, { direction: "out" }, "month").map((a) => [a.key, a.sum]));
        assert.deepEqual([...got.entries()].sort(), [...expected.entries()].sort());
      }),
      { numRuns: 60, seed: 7 },
    );
  });

  it("time filters narrowed through block numbers keep exactly the rows whose block time is in the period", () => {
    // Blocks with growing times (not every block stored), payments in some of them.
    let time = 1_700_000_000;
    const stored: { number: number; time: number }[] = [];
    for (let number = 1; number <= 400; number++) {
      time += 1 + ((number * 7919) % 5000);
      if (number % 3 === 0) continue; // a gap in the block table
      stored.push({ number, time });
      connectionOf(db).prepare("INSERT INTO blocks (safe_id, number, hash, parent_hash, timestamp) VALUES (1, ?, ?, ?, ?)").run(number, `0x${number.toString(16).padStart(64, "0")}`, `0x${(number - 1).toString(16).padStart(64, "0")}`, time);
    }
    const paid = stored.filter((_, i) => i % 2 === 0);
    for (const block of paid) {
      row += 1;
      connectionOf(db).prepare("INSERT INTO payments (safe_id, safe_tx_hash, batch_index, token, to_address, amount, block_number, block_time, tx_hash, log_index) VALUES (1, ?, 0, ?, ?, '1', ?, ?, ?, 0)").run(
        `0x${row.toString(16).padStart(64, "0")}`,
        token,
        payee,
        block.number,
        block.time,
        `0x${row.toString(16).padStart(64, "0")}`,
      );
    }
    fc.assert(
      fc.property(fc.integer({ min: stored[0].time - 10_000, max: time + 10_000 }), fc.integer({ min: 0, max: 400_000 }), (from, length) => {
        const to = from + length;
        const got = listMoney(db, { direction: "out", spans: [{ from, to }] }).map((r) => r.time);
        assert.deepEqual(got, paid.filter((b) => b.time >= from && b.time < to).map((b) => b.time));
      }),
      { numRuns: 200, seed: 11 },
    );
  });

  it("balances: transfers in minus out per token, exact, up to a time", () => {
    const add = (direction: "in" | "out", amount: bigint, time: number, log: number) =>
      connectionOf(db).prepare("INSERT INTO transfers (safe_id, direction, token, from_address, to_address, amount, block_number, block_time, tx_hash, log_index) VALUES (1, ?, ?, ?, ?, ?, 1, ?, ?, ?)").run(
        direction,
        token,
        payee,
        payee,
        amount.toString(),
        time,
        `0x${"1".repeat(64)}`,
        log,
      );
    add("in", 2n ** 100n, 100, 0);
    add("out", 3n, 200, 1);
    add("out", 5n, 300, 2);
    assert.deepEqual(tokenFlows(db, { until: 250 }).find((f) => f.token === token), { token, inflow: 2n ** 100n, outflow: 3n });
    assert.deepEqual(tokenFlows(db).find((f) => f.token === token), { token, inflow: 2n ** 100n, outflow: 8n });
  });
});
