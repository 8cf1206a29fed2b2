import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getAddress } from "viem";
import { connectionOf } from "../../../db/connection.ts";
import { closeDatabase, openDatabase } from "../../../db/open.ts";
import { findAddressBookEntryByLabel, findLinkRequest, findMember, insertAddressBookEntry, memberNameForAddress, upsertMember } from "../../../db/people.ts";
import { forSafe } from "../../../db/safes.ts";
import { testDatabaseLocation, testEngine } from "../../helpers/database.ts";
import { databaseAtVersion } from "../../helpers/database-at.ts";

const homeSafe = getAddress("0x00000000000000000000000000000000000000aa");
const acmeSafe = getAddress("0x00000000000000000000000000000000000000bb");
const wallet = getAddress("0x0000000000000000000000000000000000000a11");
const vendor = getAddress("0x00000000000000000000000000000000000000ee");

describe("migration 017: people per workspace (db/migrations/017-people-per-workspace.ts and its PostgreSQL side)", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "treasury-017-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("copies existing members, wallet links and payees into every workspace with a Safe, gives link requests the first home Safe, then keeps workspaces apart", () => {
    const path = join(dir, "treasury.db");
    const old = databaseAtVersion(path, 16);
    const run = (sql: string, ...params: unknown[]) => connectionOf(old).prepare(sql).run(...params);
    run("INSERT INTO safes (id, chain_id, address, name, rpc_url, added_at, workspace) VALUES (1, 31337, ?, 'acme', NULL, 10, 'TACME'), (2, 31337, ?, 'main', NULL, 11, '')", acmeSafe, homeSafe);
    if (testEngine === "postgres") connectionOf(old).prepare("SELECT setval(pg_get_serial_sequence('safes', 'id'), max(id)) FROM safes").get();
    run("INSERT INTO members (id, name, slack_user_id, role, created_at) VALUES ('ana', 'Ana', 'U1', 'owner', 5)");
    run("INSERT INTO wallet_links (member_id, address, linked_at) VALUES ('ana', ?, 6)", wallet);
    run("INSERT INTO address_book (address, label, category, kind, added_by, created_at, note) VALUES (?, 'Acme Vendor', 'design', 'vendor', 'ana', 7, 'pays net 30')", vendor);
    run("INSERT INTO link_requests (token, member_id, nonce, expires_at, used_at) VALUES ('tok', 'ana', 'n', 99, NULL)");
    closeDatabase(old);

    const db = openDatabase({ path: testDatabaseLocation(path) });
    try {
      const acme = forSafe(db, 1);
      const home = forSafe(db, 2);
      for (const safe of [acme, home]) {
        assert.deepEqual(findMember(safe, "ana"), { id: "ana", name: "Ana", slackUserId: "U1", role: "owner", createdAt: 5 });
        assert.equal(memberNameForAddress(safe, wallet), "Ana");
        assert.deepEqual(findAddressBookEntryByLabel(safe, "acme vendor"), {
          address: vendor, label: "Acme Vendor", category: "design", kind: "vendor", note: "pays net 30", addedBy: "ana", createdAt: 7,
        });
      }
      assert.equal(findLinkRequest(db, "tok")?.safeId, 2, "the home workspace's Safe, though not the first registered");

      // From here on each workspace's rows are its own.
      upsertMember(acme, { id: "ana", name: "Ana at Acme", slackUserId: "U1", role: "owner", at: 8 });
      insertAddressBookEntry(home, { address: getAddress("0x00000000000000000000000000000000000000ef"), label: "Printer", category: null, kind: null, addedBy: "x", createdAt: 9 });
      assert.equal(findMember(home, "ana")?.name, "Ana");
      assert.equal(findAddressBookEntryByLabel(acme, "Printer"), undefined);
      assert.throws(() => connectionOf(db).prepare("INSERT INTO wallet_links (member_id, address, linked_at) VALUES ('ana', ?, 1)").run(wallet), /NOT NULL|null value/, "a row needs its workspace");
    } finally {
      closeDatabase(db);
    }
  });
});
