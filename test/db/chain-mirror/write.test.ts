import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getAddress, type Address, type Hex } from "viem";
import { connectionOf } from "../../../db/connection.ts";
import type { TreasuryDatabase } from "../../../db/handle.ts";
import { listUndeliveredOutbox } from "../../../db/outbox.ts";
import { writeBatch } from "../../../db/chain-mirror/write.ts";
import type { BlockHeader, ChainMirrorRows, ExecutionRow } from "../../../db/chain-mirror/records.ts";
import { closeDatabase } from "../../helpers/database.ts";
import { openSafeDatabase } from "../../helpers/safe-database.ts";

const address = (n: number): Address => getAddress(`0x${n.toString(16).padStart(40, "0")}`);
const hash = (n: number): Hex => `0x${n.toString(16).padStart(64, "0")}`;
const header = (number: number): BlockHeader => ({ number, hash: hash(0xb000 + number), parentHash: hash(0xb000 + number - 1), timestamp: 1_700_000_000 + number * 12 });
const at = (blockNumber: number, logIndex: number) => ({ blockNumber, blockTime: header(blockNumber).timestamp, txHash: hash(0x7000 + blockNumber * 100 + logIndex), logIndex });

const safe = address(0x5afe);
const usdc = address(0xc0);
const member = address(0xa1);
const newOwner = address(0xa2);
const payee = address(0xbe);

function execution(blockNumber: number, logIndex: number, nonce: number, fields: Partial<ExecutionRow>): ExecutionRow {
  return {
    ...at(blockNumber, logIndex),
    safeTxHash: hash(0x5000 + nonce),
    nonce,
    to: payee,
    value: 0n,
    data: "0x",
    operation: 0,
    safeTxGas: 0n,
    baseGas: 0n,
    gasPrice: 0n,
    gasToken: address(0),
    refundReceiver: address(0),
    signatures: "0x",
    success: true,
    feePayment: 0n,
    executor: member,
    signers: [{ owner: member, kind: "eoa" }],
    payments: [],
    ...fields,
  };
}

/** Blocks 9 to 12 of a Safe: its setup, deposits in USDC and the native coin, a batch of two payments, a failed execution, an owner added, the threshold raised. */
const batch: ChainMirrorRows = {
  executions: [
    // Its payments listed out of order: the outbox lists them in batch order.
    execution(10, 1, 0, {
      payments: [
        { batchIndex: 1, token: null, to: payee, amount: 10n ** 17n },
        { batchIndex: 0, token: usdc, to: payee, amount: 1_250_000n },
      ],
    }),
    execution(12, 0, 1, { success: false }),
  ],
  transfers: [
    { ...at(10, 0), direction: "in", token: usdc, from: member, to: safe, amount: 2_500_000n },
    { ...at(10, 2), direction: "out", token: usdc, from: safe, to: payee, amount: 1_250_000n },
    { ...at(11, 0), direction: "in", token: null, from: member, to: safe, amount: 3n * 10n ** 18n },
  ],
  ownerChanges: [
    { ...at(9, 0), kind: "setup", owner: null, threshold: 1, owners: [member] },
    { ...at(11, 1), kind: "added", owner: newOwner, threshold: null, owners: null },
    { ...at(12, 1), kind: "threshold", owner: null, threshold: 2, owners: null },
  ],
  moduleEvents: [{ ...at(11, 2), kind: "enabled", address: address(0x30d) }],
  approvedHashes: [{ ...at(10, 3), approvedHash: hash(0x5000), owner: member }],
};

/** What people should hear of that batch, written here from the batch by hand, in the order said: deposits, executions, owner changes. */
const expected = [
  { kind: "funds_received", ref: `${at(10, 0).txHash}:0`, blockNumber: 10, payload: { token: usdc, symbol: "USDC", decimals: 6, amount: "2500000", from: member, txHash: at(10, 0).txHash, blockTime: header(10).timestamp } },
  { kind: "funds_received", ref: `${at(11, 0).txHash}:0`, blockNumber: 11, payload: { token: null, symbol: "ETH", decimals: 18, amount: "3000000000000000000", from: member, txHash: at(11, 0).txHash, blockTime: header(11).timestamp } },
  {
    kind: "transaction_executed",
    ref: hash(0x5000),
    blockNumber: 10,
    payload: {
      safeTxHash: hash(0x5000),
      nonce: 0,
      success: true,
      txHash: at(10, 1).txHash,
      blockTime: header(10).timestamp,
      payments: [
        { token: usdc, symbol: "USDC", decimals: 6, to: payee, amount: "1250000" },
        { token: null, symbol: "ETH", decimals: 18, to: payee, amount: "100000000000000000" },
      ],
    },
  },
  { kind: "transaction_executed", ref: hash(0x5001), blockNumber: 12, payload: { safeTxHash: hash(0x5001), nonce: 1, success: false, txHash: at(12, 0).txHash, blockTime: header(12).timestamp, payments: [] } },
  { kind: "owners_changed", ref: `${at(11, 1).txHash}:1`, blockNumber: 11, payload: { kind: "added", owner: newOwner, txHash: at(11, 1).txHash, blockTime: header(11).timestamp } },
  { kind: "owners_changed", ref: `${at(12, 1).txHash}:1`, blockNumber: 12, payload: { kind: "threshold", threshold: 2, txHash: at(12, 1).txHash, blockTime: header(12).timestamp } },
];

const confirmable = ["safe_executions", "approved_hashes", "payments", "transfers", "owner_changes", "module_events"];

/**
 * A batch's rows that are already deep enough are written confirmed and
 * announced from the batch itself; rows confirmed by a later batch are read
 * back from the mirror. Either way, people hear the same things, once.
 */
describe("chain mirror writes: confirming rows as they are written, or later (db/chain-mirror/write.ts)", () => {
  let dir: string;
  let db: TreasuryDatabase;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "treasury-mirror-write-"));
    db = openSafeDatabase(join(dir, "treasury.db"), { address: safe });
  });
  afterEach(() => {
    closeDatabase(db);
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (rows: ChainMirrorRows, checkpoint: number, confirmedUpTo: number, withTokens = false) =>
    writeBatch(db, {
      batch: rows,
      headers: new Map([9, 10, 11, 12].map((n) => [n, header(n)])),
      checkpoint: header(checkpoint),
      confirmedUpTo,
      newTokens: withTokens ? [{ address: usdc, symbol: "USDC", name: "USD Coin", decimals: 6 }] : [],
    });
  const nothing: ChainMirrorRows = { executions: [], transfers: [], ownerChanges: [], moduleEvents: [], approvedHashes: [] };
  const said = () => listUndeliveredOutbox(db, 100).map(({ kind, ref, payload, blockNumber }) => ({ kind, ref, payload, blockNumber }));
  const unconfirmed = () =>
    Object.fromEntries(confirmable.map((table) => [table, connectionOf(db).prepare(`SELECT block_number FROM ${table} WHERE confirmed = 0 ORDER BY block_number`).pluck().all()]));
  const noneUnconfirmed = Object.fromEntries(confirmable.map((table) => [table, []]));

  it("writes rows deep enough confirmed, and says each once, as the batch has them", () => {
    assert.deepEqual(write(batch, 12, 12, true).announced, expected.length);
    assert.deepEqual(unconfirmed(), noneUnconfirmed);
    assert.deepEqual(said(), expected);

    // A later batch finds nothing left to confirm or say.
    assert.deepEqual(write(nothing, 13, 13).announced, 0);
    assert.deepEqual(said(), expected);
  });

  it("holds rows above the confirmed block, then says them when a later batch confirms them, as it would have said them at once", () => {
    assert.deepEqual(write(batch, 12, 8, true).announced, 0);
    assert.deepEqual(said(), []);
    assert.deepEqual(unconfirmed(), {
      safe_executions: [10, 12],
      approved_hashes: [10],
      payments: [10, 10],
      transfers: [10, 10, 11],
      owner_changes: [9, 11, 12],
      module_events: [11],
    });

    assert.deepEqual(write(nothing, 13, 13).announced, expected.length);
    assert.deepEqual(unconfirmed(), noneUnconfirmed);
    assert.deepEqual(said(), expected);
  });

  it("with part of the batch deep enough: says that part now and the rest when confirmed, each once", () => {
    const upToTen = (entry: { blockNumber: number }) => entry.blockNumber <= 10;
    assert.deepEqual(write(batch, 12, 10, true).announced, expected.filter(upToTen).length);
    assert.deepEqual(said(), expected.filter(upToTen));
    assert.deepEqual(unconfirmed(), { safe_executions: [12], approved_hashes: [], payments: [], transfers: [11], owner_changes: [11, 12], module_events: [11] });

    assert.deepEqual(write(nothing, 13, 13).announced, expected.length - expected.filter(upToTen).length);
    assert.deepEqual(unconfirmed(), noneUnconfirmed);
    // Said in the order confirmed: the first batch's part, then the rest (each kind in block order).
    assert.deepEqual(said(), [...expected.filter(upToTen), ...expected.filter((entry) => !upToTen(entry))]);
  });
});
