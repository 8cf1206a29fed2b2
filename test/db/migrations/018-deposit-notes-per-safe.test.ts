import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getAddress } from "viem";
import { connectionOf } from "../../../db/connection.ts";
import { readHistory } from "../../../db/chain-mirror/history.ts";
import { closeDatabase, openDatabase } from "../../../db/open.ts";
import { forSafe } from "../../../db/safes.ts";
import { testDatabaseLocation, testEngine } from "../../helpers/database.ts";
import { databaseAtVersion } from "../../helpers/database-at.ts";

const address = (n: number) => getAddress(`0x${n.toString(16).padStart(40, "0")}`);
const payout = `0x${"ab12".repeat(16)}`;
const orphan = `0x${"cd34".repeat(16)}`;

describe("migration 018: deposit notes per Safe (db/migrations/018-deposit-notes-per-safe.ts and its PostgreSQL side)", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "treasury-018-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("gives an existing note to every Safe its transaction paid, spelled as the mirror has it, and a note on no indexed deposit to the first Safe", () => {
    const path = join(dir, "treasury.db");
    const old = databaseAtVersion(path, 17);
    const run = (sql: string, ...params: unknown[]) => connectionOf(old).prepare(sql).run(...params);
    run("INSERT INTO safes (id, chain_id, address, name, added_at, workspace) VALUES (1, 31337, ?, 'main', 10, ''), (2, 31337, ?, 'other', 11, 'TOTHER')", address(0xaa), address(0xbb));
    if (testEngine === "postgres") connectionOf(old).prepare("SELECT setval(pg_get_serial_sequence('safes', 'id'), max(id)) FROM safes").get();
    const deposit = "INSERT INTO transfers (safe_id, direction, token, from_address, to_address, amount, block_number, block_time, tx_hash, log_index, confirmed) VALUES (?, 'in', NULL, ?, ?, ?, 10, 1000, ?, ?, 1)";
    run(deposit, 1, address(0x5e), address(0xaa), "5", payout, 0);
    run(deposit, 2, address(0x5e), address(0xbb), "7", payout, 1);
    const note = "INSERT INTO deposit_notes (tx_hash, token, amount, from_address, memo, added_by, created_at) VALUES (?, NULL, '5', ?, ?, 'ana', 3)";
    run(note, payout.toUpperCase().replace("0X", "0x"), address(0x5e), "grant round 5");
    run(note, orphan, address(0x5e), "a note on nothing indexed");
    closeDatabase(old);

    const db = openDatabase({ path: testDatabaseLocation(path) });
    try {
      const rows = connectionOf(db).prepare("SELECT safe_id, tx_hash, memo FROM deposit_notes ORDER BY safe_id, tx_hash").all() as { safe_id: number; tx_hash: string; memo: string }[];
      assert.deepEqual(
        rows.map((row) => [Number(row.safe_id), row.tx_hash, row.memo]),
        [
          [1, payout, "grant round 5"],
          [1, orphan, "a note on nothing indexed"],
          [2, payout, "grant round 5"],
        ],
      );
      assert.deepEqual(readHistory(forSafe(db, 2), { kinds: ["deposit"] }).map((row) => row.memo), ["grant round 5"]);
      assert.throws(() => connectionOf(db).prepare("INSERT INTO deposit_notes (tx_hash, amount, from_address, memo, added_by, created_at) VALUES ('0x01', '1', '0x02', 'm', 'x', 1)").run(), /NOT NULL|null value/, "a note needs its Safe");
    } finally {
      closeDatabase(db);
    }
  });
});
