import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getAddress, type Address } from "viem";
import { noteDeposit } from "../../core/deposit-notes.ts";
import { connectionOf } from "../../db/connection.ts";
import type { TreasuryDatabase } from "../../db/handle.ts";
import { readHistory } from "../../db/chain-mirror/history.ts";
import { listMoney } from "../../db/ledger/money.ts";
import { forSafe, registerSafe } from "../../db/safes.ts";
import { syncActivity } from "../../search/activity.ts";
import { closeDatabase, openDatabase } from "../helpers/database.ts";

const address = (n: number): Address => getAddress(`0x${n.toString(16).padStart(40, "0")}`);
/** One payout transaction that paid two Safes (as a grants program pays many groups at once), as the chain mirror spells it. */
const payout = `0x${"ab12".repeat(16)}`;

/** A deposit note is the Safe's own: one transaction that paid Safes of two workspaces carries a note for each (db/deposit-notes.ts, migration 018). */
describe("deposit notes per Safe (db/deposit-notes.ts)", () => {
  let dir: string;
  let db: TreasuryDatabase;
  let first: TreasuryDatabase;
  let second: TreasuryDatabase;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "treasury-deposit-notes-"));
    db = openDatabase({ path: join(dir, "treasury.db") });
    first = forSafe(db, registerSafe(db, { chainId: 1, address: address(0xaa), now: 1 }).id);
    second = forSafe(db, registerSafe(db, { chainId: 1, address: address(0xbb), now: 2, workspace: "TOTHER" }).id);
    // The mirror's rows of the one transaction: 5 and 7 of the native coin, from the same sender.
    const deposit = connectionOf(db).prepare(
      "INSERT INTO transfers (safe_id, direction, token, from_address, to_address, amount, block_number, block_time, tx_hash, log_index, confirmed) VALUES (?, 'in', NULL, ?, ?, ?, 10, 1000, ?, ?, 1)",
    );
    deposit.run(1, address(0x5e), address(0xaa), "5", payout, 0);
    deposit.run(2, address(0x5e), address(0xbb), "7", payout, 1);
  });
  afterEach(() => {
    closeDatabase(db);
    rmSync(dir, { recursive: true, force: true });
  });

  const memoOf = (safe: TreasuryDatabase) => readHistory(safe, { kinds: ["deposit"] }).map((row) => row.memo);

  it("keeps each Safe's note on a shared transaction apart: in its history, its ledger and its search rows", () => {
    // Typed in capitals: stored as the mirror spells the hash, so every reader finds it.
    noteDeposit({ db: first, now: () => 3 }, { txHash: payout.toUpperCase().replace("0X", "0x"), memo: "grant round 5, our share", addedBy: "ana" });
    assert.deepEqual(memoOf(first), ["grant round 5, our share"]);
    assert.deepEqual(memoOf(second), [null], "the other Safe's deposit has no note");

    noteDeposit({ db: second, now: () => 4 }, { txHash: payout, memo: "retreat fund", addedBy: "bo" });
    assert.deepEqual(memoOf(first), ["grant round 5, our share"], "a note by the other Safe's group changes nothing here");
    assert.deepEqual(memoOf(second), ["retreat fund"]);
    assert.deepEqual(listMoney(first, { direction: "in" }).map((row) => row.memo), ["grant round 5, our share"]);
    assert.deepEqual(listMoney(second, { direction: "in" }).map((row) => row.memo), ["retreat fund"]);

    syncActivity(first);
    syncActivity(second);
    const texts = (safeId: number) => (connectionOf(db).prepare("SELECT title || ' ' || body FROM activity WHERE safe_id = ? AND kind = 'deposit'").pluck().all(safeId) as string[]).join("\n");
    assert.match(texts(1), /grant round 5/);
    assert.doesNotMatch(texts(1), /retreat fund/);
    assert.match(texts(2), /retreat fund/);
    assert.doesNotMatch(texts(2), /grant round 5/);

    // A later note rewrites its own Safe's row only.
    noteDeposit({ db: second, now: () => 5 }, { txHash: payout, memo: "retreat fund, second half", addedBy: "bo" });
    const unchanged = syncActivity(first);
    assert.deepEqual([unchanged.inserted, unchanged.updated, unchanged.deleted], [0, 0, 0]);
    assert.equal(syncActivity(second).updated, 1);
    assert.match(texts(2), /second half/);
  });
});
