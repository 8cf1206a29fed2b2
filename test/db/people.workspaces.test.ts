import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getAddress, type Address } from "viem";
import { SafeScopeError } from "../../db/connection.ts";
import type { TreasuryDatabase } from "../../db/handle.ts";
import {
  addressesOfMember,
  findAddressBookEntry,
  findAddressBookEntryByLabel,
  findLinkRequest,
  findMember,
  findMemberByAddress,
  findMemberBySlackUser,
  insertAddressBookEntry,
  insertLinkRequest,
  listAddressBook,
  listMembers,
  listWalletLinks,
  memberNameForAddress,
  upsertMember,
  useLinkRequest,
} from "../../db/people.ts";
import { listKnownPayees } from "../../db/payees.ts";
import { listCategories } from "../../db/proposals.ts";
import { readDirectory } from "../../db/ledger/directory.ts";
import { readDirectorySources } from "../../db/activity.ts";
import { assignSafeToWorkspace, forSafe, readAllSafes, registerSafe } from "../../db/safes.ts";
import { closeDatabase, openDatabase } from "../helpers/database.ts";
import { linkWallet } from "../helpers/wallet-links.ts";

const address = (n: number): Address => getAddress(`0x${n.toString(16).padStart(40, "0")}`);
const noProposal = `0x${"00".repeat(32)}` as const;

/**
 * Members, wallet links and the address book belong to one Slack workspace: a
 * handle bound to a Safe reads and writes only its workspace's (db/people.ts,
 * db/payees.ts and the directories that describe history).
 */
describe("people and payees per workspace (db/people.ts, migration 017)", () => {
  let dir: string;
  let db: TreasuryDatabase;
  /** The home workspace's Safe, and two Safes of workspace TACME. */
  let home: TreasuryDatabase;
  let acme: TreasuryDatabase;
  let acmeGrants: TreasuryDatabase;
  let acmeGrantsId: number;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "treasury-people-"));
    db = openDatabase({ path: join(dir, "treasury.db") });
    home = forSafe(db, registerSafe(db, { chainId: 1, address: address(0xaa), now: 1 }).id);
    acme = forSafe(db, registerSafe(db, { chainId: 1, address: address(0xbb), now: 2, workspace: "TACME" }).id);
    acmeGrantsId = registerSafe(db, { chainId: 1, address: address(0xcc), name: "grants", now: 3, workspace: "TACME" }).id;
    acmeGrants = forSafe(db, acmeGrantsId);
  });
  afterEach(() => {
    closeDatabase(db);
    rmSync(dir, { recursive: true, force: true });
  });

  const entry = (label: string, at: Address, category: string | null = null) => ({ address: at, label, category, kind: null, addedBy: "test", createdAt: 1 });

  it("finds a payee label only in its own workspace, and lets two workspaces give the same label to different addresses", () => {
    insertAddressBookEntry(home, entry("Acme Design Studio", address(1), "design"));
    assert.equal(findAddressBookEntryByLabel(acme, "acme design studio"), undefined, "another workspace's label is not found");
    assert.equal(findAddressBookEntry(acme, address(1)), undefined, "nor its address");
    assert.deepEqual(listAddressBook(acme), []);

    insertAddressBookEntry(acme, entry("Acme Design Studio", address(2)));
    assert.equal(findAddressBookEntryByLabel(home, "Acme Design Studio")?.address, address(1));
    assert.equal(findAddressBookEntryByLabel(acme, "Acme Design Studio")?.address, address(2));
    assert.equal(findAddressBookEntryByLabel(acmeGrants, "ACME design studio")?.address, address(2), "every Safe of a workspace shares its address book");
    // The keys themselves, not only the look-ups: one label (case aside) and one address per workspace.
    assert.throws(() => insertAddressBookEntry(acmeGrants, entry("acme DESIGN studio", address(3))), /UNIQUE|unique/);
    assert.throws(() => insertAddressBookEntry(acmeGrants, entry("Another", address(2))), /UNIQUE|unique/);
  });

  it("counts only the workspace's address book as known payees, and its categories only", () => {
    insertAddressBookEntry(home, entry("Home Vendor", address(1), "printing"));
    insertAddressBookEntry(acme, entry("Acme Vendor", address(2), "hosting"));
    assert.deepEqual(listKnownPayees(acme, noProposal), [{ address: address(2), label: "Acme Vendor" }]);
    assert.deepEqual(listKnownPayees(home, noProposal), [{ address: address(1), label: "Home Vendor" }]);
    assert.deepEqual(listCategories(acmeGrants), ["hosting"]);
    assert.deepEqual(listCategories(home), ["printing"]);
  });

  it("keeps members and their wallets per workspace: the same id, Slack user or wallet may be someone else elsewhere", () => {
    upsertMember(home, { id: "ana", name: "Ana Home", slackUserId: "U1", role: "owner", at: 1 });
    upsertMember(acme, { id: "ana", name: "Ana Acme", slackUserId: "U1", role: "member", at: 1 });
    linkWallet(home, "ana", address(7));
    assert.equal(findMember(home, "ana")?.name, "Ana Home");
    assert.equal(findMember(acmeGrants, "ana")?.name, "Ana Acme");
    assert.equal(findMemberBySlackUser(acme, "U1")?.role, "member");
    assert.deepEqual(listMembers(acme).map((m) => m.name), ["Ana Acme"]);
    assert.equal(memberNameForAddress(home, address(7)), "Ana Home");
    assert.equal(memberNameForAddress(acme, address(7)), null, "a wallet linked in another workspace has no name here");
    assert.equal(findMemberByAddress(acme, address(7)), undefined);
    assert.deepEqual(addressesOfMember(acme, "ana"), []);
    assert.deepEqual(listWalletLinks(acme), []);

    linkWallet(acmeGrants, "ana", address(8));
    assert.deepEqual(addressesOfMember(acme, "ana"), [address(8)], "a link made for one Safe counts for its whole workspace");
    assert.deepEqual(addressesOfMember(home, "ana"), [address(7)]);
  });

  it("links a wallet in the workspace of the Safe the request was made for, whichever handle uses it", () => {
    upsertMember(acme, { id: "dana", name: "Dana", slackUserId: null, role: "member", at: 1 });
    insertLinkRequest(acmeGrants, { token: "t-1", memberId: "dana", nonce: "n", expiresAt: 100 });
    const request = findLinkRequest(db, "t-1");
    assert.deepEqual(request, { token: "t-1", safeId: acmeGrantsId, memberId: "dana", memberName: "Dana", nonce: "n", expiresAt: 100, usedAt: null });
    assert.ok(useLinkRequest(home, { token: "t-1", address: address(9), at: 5 }), "the token, not the handle, says where");
    assert.equal(memberNameForAddress(acme, address(9)), "Dana");
    assert.equal(memberNameForAddress(home, address(9)), null);
    assert.equal(useLinkRequest(acme, { token: "t-1", address: address(10), at: 6 }), false, "a link works once");
  });

  it("describes history with the workspace's names only (the assistant's directory and search's)", () => {
    insertAddressBookEntry(home, entry("Home Vendor", address(1), "printing"));
    upsertMember(home, { id: "ana", name: "Ana Home", slackUserId: "U1", role: "owner", at: 1 });
    linkWallet(home, "ana", address(7));
    insertAddressBookEntry(acme, entry("Acme Vendor", address(2), "hosting"));
    const ledger = readDirectory(acme);
    assert.deepEqual(ledger.book.map((b) => b.label), ["Acme Vendor"]);
    assert.deepEqual(ledger.members, []);
    assert.deepEqual(ledger.categories, ["hosting"]);
    const sources = readDirectorySources(acme);
    assert.deepEqual(sources.addressBook.map((b) => b.label), ["Acme Vendor"]);
    assert.deepEqual(sources.members, []);
    assert.deepEqual(sources.walletLinks, []);
    assert.deepEqual(readDirectorySources(home).walletLinks, [{ address: address(7), name: "Ana Home" }]);
  });

  it("follows a Safe that moves to another workspace: it sees the new workspace's people at once", () => {
    insertAddressBookEntry(home, entry("Home Vendor", address(1)));
    insertAddressBookEntry(acme, entry("Acme Vendor", address(2)));
    assignSafeToWorkspace(db, acmeGrantsId, "");
    assert.equal(findAddressBookEntryByLabel(acmeGrants, "Home Vendor")?.address, address(1));
    assert.equal(findAddressBookEntryByLabel(acmeGrants, "Acme Vendor"), undefined);
  });

  it("refuses to read or write people without a Safe, or through the all-Safes handle (whose Safes span workspaces)", () => {
    assert.throws(() => findAddressBookEntryByLabel(db, "Acme"), SafeScopeError);
    assert.throws(() => upsertMember(db, { id: "x", name: "X", slackUserId: null, role: "member", at: 1 }), SafeScopeError);
    assert.throws(() => listMembers(readAllSafes(db)), (error: Error) => error instanceof SafeScopeError && /per workspace/.test(error.message));
  });
});
