import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getAddress, type Address, type Hex } from "viem";
import { connectionOf, SafeScopeError, statement } from "../../db/connection.ts";
import type { TreasuryDatabase } from "../../db/handle.ts";
import { readMeta, writeMeta } from "../../db/meta.ts";
import { closeDatabase } from "../../db/open.ts";
import { openDatabase, openReadOnlyDatabase } from "../helpers/database.ts";
import { readCheckpoint } from "../../db/chain-mirror/read.ts";
import { readHistory } from "../../db/chain-mirror/history.ts";
import { rollbackTo, writeBatch } from "../../db/chain-mirror/write.ts";
import type { ChainMirrorRows, TransferRow } from "../../db/chain-mirror/records.ts";
import { listUndeliveredOutbox } from "../../db/outbox.ts";
import { findSafe, forSafe, listSafes, readAllSafes, registerSafe, SafeNameTakenError } from "../../db/safes.ts";

const safeA: Address = getAddress("0x00000000000000000000000000000000000000aa");
const safeB: Address = getAddress("0x00000000000000000000000000000000000000bb");
const hash = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Hex;
const empty = (): ChainMirrorRows => ({ executions: [], transfers: [], ownerChanges: [], moduleEvents: [], approvedHashes: [] });
const header = (number: number, salt = 0) => ({ number, hash: hash(number * 1000 + salt), parentHash: hash((number - 1) * 1000 + salt), timestamp: 1_700_000_000 + number });

/** One Transfer log as each side's indexer decodes it. */
function transferLog(direction: "in" | "out", amount: bigint, block: number, logIndex: number, from = safeA, to = safeB): TransferRow {
  return { direction, token: null, from, to, amount, blockNumber: block, blockTime: 1_700_000_000 + block, txHash: hash(500 + block), logIndex };
}

describe("several Safes in one database: handles bound to a Safe (db/safes.ts, db/connection.ts)", () => {
  let dir: string;
  let db: TreasuryDatabase;
  let a: TreasuryDatabase;
  let b: TreasuryDatabase;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "treasury-safes-"));
    db = openDatabase({ path: join(dir, "treasury.db") });
    a = forSafe(db, registerSafe(db, { chainId: 31337, address: safeA, now: 1 }).id);
    b = forSafe(db, registerSafe(db, { chainId: 31338, address: safeB, name: "Grants", rpcUrl: "http://127.0.0.1:9/", now: 2 }).id);
  });
  afterEach(() => {
    closeDatabase(db);
    rmSync(dir, { recursive: true, force: true });
  });

  it("registers several Safes once each, with unique names, found by name or address", () => {
    assert.deepEqual(
      listSafes(db).map(({ id, chainId, address, name, rpcUrl }) => ({ id, chainId, address, name, rpcUrl })),
      [
        { id: 1, chainId: 31337, address: safeA, name: "main", rpcUrl: undefined },
        { id: 2, chainId: 31338, address: safeB, name: "Grants", rpcUrl: "http://127.0.0.1:9/" },
      ],
    );
    assert.equal(registerSafe(db, { chainId: 31338, address: safeB.toLowerCase() as Hex, name: "other", now: 3 }).id, 2, "the same Safe again is the same registration");
    assert.equal(findSafe(db, "grants")?.id, 2);
    assert.equal(findSafe(db, safeA.toLowerCase())?.id, 1);
    assert.equal(findSafe(db, "nobody"), undefined);
    assert.throws(() => registerSafe(db, { chainId: 1, address: safeA, name: "GRANTS", now: 4 }), SafeNameTakenError);
    assert.equal(forSafe(db, 2), b, "one handle per Safe");
  });

  it("a transfer from Safe A to Safe B is A's payment out and B's deposit in, once each, and each Safe's rollback leaves the other's rows", () => {
    // The same log (tx hash and log index) is a row of each Safe.
    writeBatch(a, { batch: { ...empty(), transfers: [transferLog("out", 7n, 10, 0)] }, headers: new Map([[10, header(10)]]), checkpoint: header(10), confirmedUpTo: 10, newTokens: [] });
    writeBatch(b, { batch: { ...empty(), transfers: [transferLog("in", 7n, 10, 0)] }, headers: new Map([[10, header(10)]]), checkpoint: header(10), confirmedUpTo: 10, newTokens: [] });
    writeBatch(b, { batch: { ...empty(), transfers: [transferLog("in", 3n, 12, 1, safeB, safeB)] }, headers: new Map([[12, header(12)]]), checkpoint: header(12), confirmedUpTo: 12, newTokens: [] });

    const rows = (handle: TreasuryDatabase) => statement(handle, "SELECT direction, amount, block_number FROM transfers WHERE safe_id = @safe ORDER BY block_number").all();
    assert.deepEqual(rows(a), [{ direction: "out", amount: "7", block_number: 10 }]);
    assert.deepEqual(rows(b), [{ direction: "in", amount: "7", block_number: 10 }, { direction: "in", amount: "3", block_number: 12 }]);
    assert.deepEqual(readHistory(b, { kinds: ["deposit"] }).map((row) => row.amount), [7n, 3n]);
    assert.deepEqual(readHistory(a, { kinds: ["deposit"] }), [], "A received nothing");
    assert.deepEqual(listUndeliveredOutbox(b, 10).map((entry) => entry.ref), [`${hash(510)}:0`, `${hash(512)}:1`]);
    assert.deepEqual(listUndeliveredOutbox(a, 10), [], "A announces no deposit");
    assert.equal(readMeta(b, "confirmed_block"), "12");
    assert.equal(readMeta(a, "confirmed_block"), "10");

    // B's chain reorganises below block 12: only B's rows above the ancestor go.
    rollbackTo(b, header(10));
    assert.deepEqual(rows(b), [{ direction: "in", amount: "7", block_number: 10 }]);
    assert.deepEqual(rows(a), [{ direction: "out", amount: "7", block_number: 10 }]);
    assert.deepEqual(readCheckpoint(a), { blockNumber: 10, blockHash: header(10).hash });
    assert.deepEqual(readCheckpoint(b), { blockNumber: 10, blockHash: header(10).hash });
    // A rolls back to nothing: B keeps its block and row.
    rollbackTo(a, undefined);
    assert.deepEqual(rows(a), []);
    assert.equal(readCheckpoint(a), undefined);
    assert.deepEqual(rows(b), [{ direction: "in", amount: "7", block_number: 10 }]);
    assert.equal(connectionOf(db).prepare("SELECT count(*) FROM blocks WHERE safe_id = 2").pluck().get(), 1);
  });

  it("keeps per-Safe meta apart, and the deployment's meta shared", () => {
    writeMeta(a, "announce_after_block", "5");
    writeMeta(b, "announce_after_block", "9");
    writeMeta(a, "assistant_model", "model-x");
    assert.equal(readMeta(a, "announce_after_block"), "5");
    assert.equal(readMeta(b, "announce_after_block"), "9");
    assert.equal(readMeta(b, "assistant_model"), "model-x");
    assert.equal(readMeta(db, "assistant_model"), "model-x");
  });

  it("refuses to read or write a Safe's rows through a handle bound to no Safe, and never writes a row without its Safe", () => {
    assert.throws(() => readCheckpoint(db), SafeScopeError);
    assert.throws(() => writeMeta(db, "confirmed_block", "1"), SafeScopeError);
    assert.throws(() => writeBatch(db, { batch: empty(), headers: new Map(), checkpoint: header(1), confirmedUpTo: 0, newTokens: [] }), SafeScopeError);
    // SQL that forgets its Safe cannot write either: safe_id has no default.
    assert.throws(() => connectionOf(db).prepare("INSERT INTO blocks (number, hash, parent_hash, timestamp) VALUES (1, 'h', 'p', 0)").run(), /NOT NULL constraint failed: blocks.safe_id|null value in column "safe_id" of relation "blocks"/);
  });

  it("reads every Safe's rows through the all-Safes handle, which cannot write", () => {
    writeBatch(a, { batch: { ...empty(), transfers: [transferLog("out", 7n, 10, 0)] }, headers: new Map([[10, header(10)]]), checkpoint: header(10), confirmedUpTo: 10, newTokens: [] });
    writeBatch(b, { batch: { ...empty(), transfers: [transferLog("in", 7n, 10, 0)] }, headers: new Map([[10, header(10)]]), checkpoint: header(10), confirmedUpTo: 10, newTokens: [] });
    const reader = openReadOnlyDatabase({ path: join(dir, "treasury.db") });
    try {
      const all = readAllSafes(reader);
      assert.deepEqual(statement(all, "SELECT safe_id, direction FROM transfers WHERE safe_id = @safe ORDER BY safe_id").all(), [
        { safe_id: 1, direction: "out" },
        { safe_id: 2, direction: "in" },
      ]);
      assert.throws(() => readMeta(all, "confirmed_block"), SafeScopeError, "a per-Safe fact has no one value across Safes");
      assert.throws(() => statement(all, "INSERT INTO safe_meta (safe_id, key, value) VALUES (@safe, 'k', 'v')"), SafeScopeError);
      const onlyB = forSafe(reader, 2);
      assert.deepEqual(readHistory(onlyB).map((row) => [row.kind, row.amount]), [["deposit", 7n]]);
    } finally {
      closeDatabase(reader);
    }
  });
});
