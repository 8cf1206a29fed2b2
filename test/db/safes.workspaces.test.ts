import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getAddress, type Address } from "viem";
import type { TreasuryDatabase } from "../../db/handle.ts";
import { closeDatabase } from "../../db/open.ts";
import { openDatabase } from "../helpers/database.ts";
import { AmbiguousSafeNameError, assignSafeToWorkspace, findSafe, forSafe, listSafes, readSafe, registerSafe, SafeNameTakenError } from "../../db/safes.ts";

const home: Address = getAddress("0x00000000000000000000000000000000000000aa");
const acme: Address = getAddress("0x00000000000000000000000000000000000000bb");
const acmeGrants: Address = getAddress("0x00000000000000000000000000000000000000cc");
const globex: Address = getAddress("0x00000000000000000000000000000000000000dd");

describe("Safe names are unique per workspace (db/safes.ts, migration 014)", () => {
  let dir: string;
  let db: TreasuryDatabase;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "treasury-safe-names-"));
    db = openDatabase({ path: join(dir, "treasury.db") });
  });
  afterEach(() => {
    closeDatabase(db);
    rmSync(dir, { recursive: true, force: true });
  });

  it("gives each workspace's first Safe the default name main, and lets two workspaces use the same name", () => {
    assert.equal(registerSafe(db, { chainId: 1, address: home, now: 1 }).name, "main");
    assert.equal(registerSafe(db, { chainId: 1, address: acme, now: 2, workspace: "TACME" }).name, "main", "another workspace's first Safe is main too");
    assert.equal(registerSafe(db, { chainId: 1, address: acmeGrants, now: 3, workspace: "TACME" }).name, `safe-${acmeGrants.slice(2, 10).toLowerCase()}`);
    assert.equal(registerSafe(db, { chainId: 1, address: globex, name: "Main", now: 4, workspace: "TGLOBEX" }).name, "Main");
    assert.deepEqual(
      listSafes(db).map(({ name, workspace }) => ({ name, workspace })),
      [
        { name: "main", workspace: "" },
        { name: "main", workspace: "TACME" },
        { name: `safe-${acmeGrants.slice(2, 10).toLowerCase()}`, workspace: "TACME" },
        { name: "Main", workspace: "TGLOBEX" },
      ],
    );
  });

  it("refuses a name another Safe of the same workspace has, case aside, naming the workspace", () => {
    registerSafe(db, { chainId: 1, address: acme, name: "ops", now: 1, workspace: "TACME" });
    assert.throws(
      () => registerSafe(db, { chainId: 1, address: acmeGrants, name: "OPS", now: 2, workspace: "TACME" }),
      (error: Error) => error instanceof SafeNameTakenError && error.message.startsWith(`The name "OPS" is taken in workspace TACME by the Safe ${acme} on chain 1;`),
    );
    assert.equal(listSafes(db).length, 1, "nothing was registered");
    assert.equal(registerSafe(db, { chainId: 1, address: acmeGrants, name: "OPS", now: 2 }).workspace, "", "the home workspace may use it");
  });

  it("finds a name within a workspace, and refuses a name several workspaces use when looking across all of them", () => {
    const homeMain = registerSafe(db, { chainId: 1, address: home, now: 1 });
    const acmeMain = registerSafe(db, { chainId: 1, address: acme, now: 2, workspace: "TACME" });
    const grants = registerSafe(db, { chainId: 1, address: acmeGrants, name: "grants", now: 3, workspace: "TACME" });
    assert.equal(findSafe(db, "MAIN", { workspace: "" })?.id, homeMain.id);
    assert.equal(findSafe(db, "main", { workspace: "TACME" })?.id, acmeMain.id);
    assert.equal(findSafe(forSafe(db, grants.id), "main")?.id, acmeMain.id, "a handle bound to a Safe looks in its workspace");
    assert.equal(findSafe(db, "grants")?.id, grants.id, "a name only one workspace uses is found across all");
    assert.equal(findSafe(db, acme.toLowerCase())?.id, acmeMain.id, "an address is never ambiguous");
    assert.throws(
      () => findSafe(db, "main"),
      (error: Error) =>
        error instanceof AmbiguousSafeNameError &&
        error.message === `2 Safes are called "main", in the home workspace, workspace TACME: name the one you mean by its address (${home}, ${acme}).`,
    );
  });

  it("moves a Safe to another workspace, unless a Safe there has its name (then nothing moves)", () => {
    const homeMain = registerSafe(db, { chainId: 1, address: home, now: 1 });
    const grants = registerSafe(db, { chainId: 1, address: acmeGrants, name: "grants", now: 2 });
    registerSafe(db, { chainId: 1, address: acme, now: 3, workspace: "TACME" });
    assert.equal(assignSafeToWorkspace(db, grants.id, "TACME").workspace, "TACME");
    assert.equal(readSafe(db, grants.id)?.workspace, "TACME");
    assert.throws(() => assignSafeToWorkspace(db, homeMain.id, "TACME"), (error: Error) => error instanceof SafeNameTakenError && /"main" is taken in workspace TACME/.test(error.message));
    assert.equal(readSafe(db, homeMain.id)?.workspace, "", "the refused move changed nothing");
  });
});
