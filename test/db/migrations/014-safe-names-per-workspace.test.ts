import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getAddress } from "viem";
import { connectionOf } from "../../../db/connection.ts";
import { readMeta } from "../../../db/meta.ts";
import { readCheckpoint } from "../../../db/chain-mirror/read.ts";
import { closeDatabase, openDatabase } from "../../../db/open.ts";
import { forSafe, listSafes, registerSafe } from "../../../db/safes.ts";
import { testDatabaseLocation, testEngine } from "../../helpers/database.ts";
import { databaseAtVersion } from "../../helpers/database-at.ts";

const homeSafe = getAddress("0x00000000000000000000000000000000000000aa");
const acmeSafe = getAddress("0x00000000000000000000000000000000000000bb");
const hash = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;

describe("migration 014: Safe names unique per workspace (db/migrations/014-safe-names-per-workspace.ts and its PostgreSQL side)", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "treasury-014-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps every Safe with its id, name and workspace and the rows pointing at it; then two workspaces may share a name, one workspace may not", () => {
    const path = join(dir, "treasury.db");
    const old = databaseAtVersion(path, 13);
    const run = (sql: string, ...params: unknown[]) => connectionOf(old).prepare(sql).run(...params);
    run("INSERT INTO safes (id, chain_id, address, name, rpc_url, added_at, workspace) VALUES (1, 31337, ?, 'main', NULL, 10, ''), (2, 31337, ?, 'grants', 'http://127.0.0.1:9/', 11, 'TACME')", homeSafe, acmeSafe);
    // Rows given their ids move PostgreSQL's sequence past them (as a copy from SQLite does; see the baseline).
    if (testEngine === "postgres") connectionOf(old).prepare("SELECT setval(pg_get_serial_sequence('safes', 'id'), max(id)) FROM safes").get();
    run("INSERT INTO safe_meta (safe_id, key, value) VALUES (2, 'safe_version', '1.4.1')");
    run("INSERT INTO blocks (safe_id, number, hash, parent_hash, timestamp) VALUES (2, 7, ?, ?, 1700000007)", hash(7), hash(6));
    run("INSERT INTO checkpoint (safe_id, block_number, block_hash) VALUES (2, 7, ?)", hash(7));
    closeDatabase(old);

    const db = openDatabase({ path: testDatabaseLocation(path) });
    try {
      assert.deepEqual(
        listSafes(db).map(({ id, chainId, address, name, rpcUrl, addedAt, workspace }) => ({ id, chainId, address, name, rpcUrl, addedAt, workspace })),
        [
          { id: 1, chainId: 31337, address: homeSafe, name: "main", rpcUrl: undefined, addedAt: 10, workspace: "" },
          { id: 2, chainId: 31337, address: acmeSafe, name: "grants", rpcUrl: "http://127.0.0.1:9/", addedAt: 11, workspace: "TACME" },
        ],
      );
      const acme = forSafe(db, 2);
      assert.equal(readMeta(acme, "safe_version"), "1.4.1");
      assert.deepEqual(readCheckpoint(acme), { blockNumber: 7, blockHash: hash(7) });
      assert.throws(() => connectionOf(db).prepare("INSERT INTO safe_meta (safe_id, key, value) VALUES (99, 'k', 'v')").run(), /FOREIGN KEY|foreign key/, "rows still must point at a Safe");

      const third = registerSafe(db, { chainId: 1, address: homeSafe, name: "grants", now: 12 });
      assert.equal(third.id, 3, "new ids follow the kept ones");
      assert.equal(registerSafe(db, { chainId: 1, address: acmeSafe, now: 13, workspace: "TACME" }).name, "main", "TACME may call a Safe main too");
      // The constraint itself, not only registerSafe's check: the same name (case aside) twice in one workspace.
      assert.throws(
        () => connectionOf(db).prepare("INSERT INTO safes (chain_id, address, name, added_at, workspace) VALUES (5, ?, 'GRANTS', 14, 'TACME')").run(acmeSafe),
        /UNIQUE|unique/,
      );
    } finally {
      closeDatabase(db);
    }
  });
});
