import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import * as sqliteVec from "sqlite-vec";
import { connectionOf, handleOf } from "../../../db/connection.ts";
import { applyMigrations } from "../../../db/migrate.ts";
import { migrations } from "../../../db/migrations/index.ts";
import { closeDatabase, openDatabase } from "../../../db/open.ts";
import { readMeta } from "../../../db/meta.ts";
import { readCheckpoint } from "../../../db/chain-mirror/read.ts";
import { listStoredProposals, listSignatures } from "../../../db/proposals.ts";
import { forSafe, listSafes, registerSafe } from "../../../db/safes.ts";

const safeAddress = "0x5AfE00000000000000000000000000000000cAfE";
const hash = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;

/** Every table that holds a Safe's rows after migration 012. */
const perSafeTables = [
  "blocks", "checkpoint", "tokens", "safe_executions", "execution_signers", "approved_hashes", "payments", "transfers", "owner_changes",
  "module_events", "outbox", "module_executions", "undecoded_executions", "proposals", "activity", "tx_service_pushes", "tx_service_state",
];
/** Tables hanging on a proposal (foreign keys with ON DELETE CASCADE): rebuilding `proposals` must not empty them. */
const proposalChildren = ["proposal_transfers", "signatures", "proposal_messages", "discussion_messages"];

/** A database made with the schema before several Safes (migrations 1 to 11), holding one row or more in every table. */
function oldDatabase(path: string, { withIdentity }: { withIdentity: boolean }): void {
  const connection = new Database(path);
  sqliteVec.load(connection);
  connection.pragma("foreign_keys = ON");
  applyMigrations(handleOf(connection), migrations.filter((migration) => migration.version < 12));
  const run = (sql: string, ...params: unknown[]) => connection.prepare(sql).run(...params);
  if (withIdentity) {
    run("INSERT INTO meta (key, value) VALUES ('chain_id', '31337'), ('safe_address', ?), ('confirmed_block', '7'), ('announce_after_block', '3')", safeAddress);
  }
  run("INSERT INTO meta (key, value) VALUES ('assistant_model', 'model-a')");
  for (const n of [5, 6, 7]) run("INSERT INTO blocks (number, hash, parent_hash, timestamp) VALUES (?, ?, ?, ?)", n, hash(n), hash(n - 1), 1_700_000_000 + n);
  run("INSERT INTO checkpoint (id, block_number, block_hash) VALUES (1, 7, ?)", hash(7));
  run("INSERT INTO tokens (address, symbol, name, decimals) VALUES ('0x00000000000000000000000000000000000000d1', 'USDC', 'USD Coin', 6)");
  run(
    `INSERT INTO safe_executions (safe_tx_hash, nonce, to_address, value, data, operation, safe_tx_gas, base_gas, gas_price, gas_token, refund_receiver,
       signatures, success, block_number, block_time, tx_hash, log_index) VALUES (?, 0, ?, '5', '0x', 0, '0', '0', '0', ?, ?, '0x', 1, 6, 1700000006, ?, 1)`,
    hash(100), safeAddress, safeAddress, safeAddress, hash(200),
  );
  run("INSERT INTO execution_signers (safe_tx_hash, owner, kind, block_number) VALUES (?, ?, 'eoa', 6)", hash(100), safeAddress);
  run("INSERT INTO approved_hashes (approved_hash, owner, block_number, block_time, tx_hash, log_index) VALUES (?, ?, 6, 1700000006, ?, 0)", hash(100), safeAddress, hash(200));
  run("INSERT INTO payments (safe_tx_hash, batch_index, token, to_address, amount, block_number, block_time, tx_hash, log_index) VALUES (?, 0, NULL, ?, '5', 6, 1700000006, ?, 1)", hash(100), safeAddress, hash(200));
  run("INSERT INTO transfers (direction, token, from_address, to_address, amount, block_number, block_time, tx_hash, log_index) VALUES ('in', NULL, ?, ?, '9', 5, 1700000005, ?, 0)", safeAddress, safeAddress, hash(201));
  run("INSERT INTO owner_changes (kind, threshold, owners, block_number, block_time, tx_hash, log_index) VALUES ('setup', 1, ?, 5, 1700000005, ?, 0)", JSON.stringify([safeAddress]), hash(202));
  run("INSERT INTO module_events (kind, address, block_number, block_time, tx_hash, log_index) VALUES ('enabled', ?, 5, 1700000005, ?, 1)", safeAddress, hash(202));
  run("INSERT INTO outbox (kind, ref, payload, block_number, delivered_at) VALUES ('funds_received', 'r1', '{}', 5, datetime('now'))");
  run("INSERT INTO module_executions (module, success, reason, block_number, block_time, tx_hash, log_index) VALUES (?, 1, 'no trace', 6, 1700000006, ?, 3)", safeAddress, hash(203));
  run("INSERT INTO undecoded_executions (safe_tx_hash, success, reason, block_number, block_time, tx_hash, log_index) VALUES (?, 1, 'no trace', 6, 1700000006, ?, 4)", hash(101), hash(203));
  run(
    `INSERT INTO proposals (safe_tx_hash, chain_id, safe_address, nonce, to_address, value, data, operation, proposer, review_token, created_at, updated_at)
     VALUES (?, 31337, ?, 1, ?, '1', '0x', 0, 'U1', 'token-1', 1700000000, 1700000000)`,
    hash(102), safeAddress, safeAddress,
  );
  run("INSERT INTO proposal_transfers (safe_tx_hash, batch_index, token, to_address, amount) VALUES (?, 0, NULL, ?, '1')", hash(102), safeAddress);
  run("INSERT INTO signatures (safe_tx_hash, owner, signature, source, created_at) VALUES (?, ?, '0x01', 'wallet', 1700000001)", hash(102), safeAddress);
  run("INSERT INTO proposal_messages (safe_tx_hash, channel_id, message_ts) VALUES (?, 'C1', '1.1')", hash(102));
  run("INSERT INTO discussion_messages (safe_tx_hash, channel_id, message_ts, author_id, text, posted_at) VALUES (?, 'C1', '1.2', 'U1', 'hello', 1700000002)", hash(102));
  run("INSERT INTO activity (id, ref, kind, occurred_at, title, body, content_hash, updated_at) VALUES (42, 'proposal:x', 'proposal', 1, 't', 'b', 'h', 1)");
  run("INSERT INTO activity_fts (rowid, title, body) VALUES (42, 't', 'b')");
  run("INSERT INTO tx_service_pushes (kind, safe_tx_hash, run_after, created_at) VALUES ('proposal', ?, 0, 0)", hash(102));
  run("INSERT INTO tx_service_state (name, value, updated_at) VALUES ('pulled', '1', 0)");
  connection.close();
}

function countRows(path: string, tables: string[]): Record<string, number> {
  const connection = new Database(path, { readonly: true });
  try {
    return Object.fromEntries(tables.map((table) => [table, connection.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number]));
  } finally {
    connection.close();
  }
}

describe("migration 012: several Safes in one database (db/migrations/012-several-safes.ts)", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "treasury-012-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps every row of a one-Safe database, under Safe 1 (the chain and Safe its meta recorded)", () => {
    const path = join(dir, "old.db");
    oldDatabase(path, { withIdentity: true });
    const before = countRows(path, [...perSafeTables, ...proposalChildren, "activity_fts"]);
    for (const [table, rows] of Object.entries(before)) assert.ok(rows > 0, `the old database has rows in ${table}`);

    const db = openDatabase({ path });
    try {
      const connection = connectionOf(db);
      for (const [table, rows] of Object.entries(before)) {
        assert.equal(connection.prepare(`SELECT count(*) FROM ${table}`).pluck().get(), rows, `${table} keeps its ${rows} rows`);
        if (perSafeTables.includes(table))
          assert.equal(connection.prepare(`SELECT count(*) FROM ${table} WHERE safe_id = 1`).pluck().get(), rows, `${table}'s rows are Safe 1's`);
      }
      assert.deepEqual(
        listSafes(db).map(({ id, chainId, address, name }) => ({ id, chainId, address, name })),
        [{ id: 1, chainId: 31337, address: safeAddress, name: "main" }],
      );
      assert.equal(connection.prepare("SELECT count(*) FROM meta WHERE key IN ('chain_id', 'safe_address', 'confirmed_block')").pluck().get(), 0, "per-Safe meta moved");
      assert.equal(readMeta(db, "assistant_model"), "model-a", "the deployment's meta stays");
      assert.deepEqual(connection.pragma("foreign_key_check"), []);
      assert.equal(connection.pragma("foreign_keys", { simple: true }), 1, "foreign keys are on again");

      const safe1 = forSafe(db, 1);
      assert.equal(readMeta(safe1, "confirmed_block"), "7");
      assert.equal(readMeta(safe1, "safe_address"), safeAddress);
      assert.deepEqual(readCheckpoint(safe1), { blockNumber: 7, blockHash: hash(7) });
      const [proposal] = listStoredProposals(safe1);
      assert.equal(proposal.safeTxHash, hash(102));
      assert.equal(proposal.transfers.length, 1);
      assert.equal(listSignatures(safe1, hash(102) as `0x${string}`).length, 1);
      assert.equal(registerSafe(db, { chainId: 31337, address: safeAddress, now: 1 }).id, 1, "the same Safe is not registered twice");
    } finally {
      closeDatabase(db);
    }
  });

  it("keeps the rows of a database with no chain recorded for the first Safe registered", () => {
    const path = join(dir, "anonymous.db");
    oldDatabase(path, { withIdentity: false });
    const db = openDatabase({ path });
    try {
      // Its proposal names the Safe: that is Safe 1.
      assert.deepEqual(listSafes(db).map((safe) => [safe.id, safe.address]), [[1, safeAddress]]);
      assert.equal(connectionOf(db).prepare("SELECT count(*) FROM blocks WHERE safe_id = 1").pluck().get(), 3);
    } finally {
      closeDatabase(db);
    }

    // No identity and no proposal: the rows wait, under a placeholder, for the first Safe registered.
    const bare = join(dir, "bare.db");
    oldDatabase(bare, { withIdentity: false });
    const raw = new Database(bare);
    raw.pragma("foreign_keys = ON");
    raw.prepare("DELETE FROM proposals").run();
    raw.prepare("DELETE FROM tx_service_pushes").run();
    raw.close();
    const again = openDatabase({ path: bare });
    try {
      assert.deepEqual(listSafes(again), [], "no Safe is known yet");
      const first = registerSafe(again, { chainId: 31337, address: safeAddress, now: 1 });
      assert.equal(first.id, 1);
      assert.equal(first.name, "main");
      assert.deepEqual(readCheckpoint(forSafe(again, first.id)), { blockNumber: 7, blockHash: hash(7) }, "the rows are the first Safe's");
    } finally {
      closeDatabase(again);
    }
  });
});
