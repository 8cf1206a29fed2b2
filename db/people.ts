import { getAddress, type Address } from "viem";
import { connectionOf, statement } from "./connection.ts";
import type { ReadableDatabase, TreasuryDatabase } from "./handle.ts";

/**
 * The people around the treasury: members (chat identity and role), the
 * wallets they proved are theirs (wallet links and one-time link requests), and
 * the address book of payees. This module is the only writer of `members`,
 * `wallet_links`, `link_requests` and `address_book`. Times are unix seconds.
 *
 * Each belongs to one Slack workspace: every function takes a handle bound to a
 * Safe (`forSafe`) and reads and writes only the rows of that Safe's workspace
 * (`@workspace`, see `statement`), so another workspace's members, wallets and
 * payees are never found, listed or changed. A link request is the one row
 * found without a Safe: by its secret token, for the link page.
 */

export type MemberRole = "owner" | "member";
export type Member = { id: string; name: string; slackUserId: string | null; role: MemberRole; createdAt: number };

type MemberRow = { id: string; name: string; slack_user_id: string | null; role: MemberRole; created_at: number };
const toMember = (row: MemberRow): Member => ({ id: row.id, name: row.name, slackUserId: row.slack_user_id, role: row.role, createdAt: row.created_at });

/** Creates a member or updates their name and role (a Slack id, once known, is kept when none is given). */
export function upsertMember(db: TreasuryDatabase, member: { id: string; name: string; slackUserId: string | null; role: MemberRole; at: number }): void {
  statement(
    db,
    `INSERT INTO members (workspace, id, name, slack_user_id, role, created_at) VALUES (@workspace, ?, ?, ?, ?, ?)
     ON CONFLICT(workspace, id) DO UPDATE SET name = excluded.name,
       slack_user_id = COALESCE(excluded.slack_user_id, members.slack_user_id), role = excluded.role`,
  ).run(member.id, member.name, member.slackUserId, member.role, member.at);
}

export function findMember(db: ReadableDatabase, id: string): Member | undefined {
  const row = statement(db, "SELECT * FROM members WHERE workspace = @workspace AND id = ?").get(id) as MemberRow | undefined;
  return row && toMember(row);
}

export function findMemberBySlackUser(db: ReadableDatabase, slackUserId: string): Member | undefined {
  const row = statement(db, "SELECT * FROM members WHERE workspace = @workspace AND slack_user_id = ?").get(slackUserId) as MemberRow | undefined;
  return row && toMember(row);
}

export function listMembers(db: ReadableDatabase): Member[] {
  return (statement(db, "SELECT * FROM members WHERE workspace = @workspace ORDER BY name").all() as MemberRow[]).map(toMember);
}

/** The name of the member who linked this wallet address most recently, or null. */
export function memberNameForAddress(db: ReadableDatabase, address: Address): string | null {
  const row = statement(db, `SELECT m.name FROM wallet_links w JOIN members m ON m.workspace = w.workspace AND m.id = w.member_id
     WHERE w.workspace = @workspace AND w.address = ? ORDER BY w.linked_at DESC LIMIT 1`).get(
    getAddress(address),
  ) as { name: string } | undefined;
  return row?.name ?? null;
}

/** The member who linked this wallet address most recently, or undefined. */
export function findMemberByAddress(db: ReadableDatabase, address: Address): Member | undefined {
  const row = statement(db, `SELECT m.* FROM wallet_links w JOIN members m ON m.workspace = w.workspace AND m.id = w.member_id
     WHERE w.workspace = @workspace AND w.address = ? ORDER BY w.linked_at DESC LIMIT 1`).get(
    getAddress(address),
  ) as MemberRow | undefined;
  return row && toMember(row);
}

/** The addresses a member has linked, oldest first. */
export function addressesOfMember(db: ReadableDatabase, memberId: string): Address[] {
  return (statement(db, "SELECT address FROM wallet_links WHERE workspace = @workspace AND member_id = ? ORDER BY linked_at").all(memberId) as { address: string }[]).map((row) =>
    getAddress(row.address),
  );
}

/** Every wallet link with its member's name and Slack id. */
export function listWalletLinks(db: ReadableDatabase): { address: Address; memberId: string; name: string; slackUserId: string | null }[] {
  return (
    statement(db, `SELECT w.address, w.member_id, m.name, m.slack_user_id FROM wallet_links w JOIN members m ON m.workspace = w.workspace AND m.id = w.member_id
       WHERE w.workspace = @workspace ORDER BY w.linked_at`).all() as {
      address: string;
      member_id: string;
      name: string;
      slack_user_id: string | null;
    }[]
  ).map((row) => ({ address: getAddress(row.address), memberId: row.member_id, name: row.name, slackUserId: row.slack_user_id }));
}

// --- wallet link requests ------------------------------------------------------

/** A one-time link request: for a member of the workspace of the Safe it was asked for (`safeId`). */
export type StoredLinkRequest = { token: string; safeId: number; memberId: string; memberName: string | null; nonce: string; expiresAt: number; usedAt: number | null };

/** Stores a link request for a member of the Safe's workspace, made for that Safe. */
export function insertLinkRequest(db: TreasuryDatabase, request: { token: string; memberId: string; nonce: string; expiresAt: number }): void {
  statement(db, "INSERT INTO link_requests (token, safe_id, member_id, nonce, expires_at) VALUES (?, @safe, ?, ?, ?)").run(request.token, request.memberId, request.nonce, request.expiresAt);
}

/** The link request with this token, whichever Safe it was made for (any handle: the token is the secret), with its member's name. */
export function findLinkRequest(db: ReadableDatabase, token: string): StoredLinkRequest | undefined {
  const row = statement(
    db,
    `SELECT r.*, m.name AS member_name FROM link_requests r JOIN safes s ON s.id = r.safe_id
       LEFT JOIN members m ON m.workspace = s.workspace AND m.id = r.member_id WHERE r.token = ?`,
  ).get(token) as
    | { token: string; safe_id: number; member_id: string; member_name: string | null; nonce: string; expires_at: number; used_at: number | null }
    | undefined;
  return row && { token: row.token, safeId: row.safe_id, memberId: row.member_id, memberName: row.member_name, nonce: row.nonce, expiresAt: row.expires_at, usedAt: row.used_at };
}

/**
 * Uses up a link request and links the address to its member, in the
 * workspace of the request's Safe, in one transaction. Returns false (and
 * links nothing) when the request was used already.
 */
export function useLinkRequest(db: TreasuryDatabase, { token, address, at }: { token: string; address: Address; at: number }): boolean {
  return connectionOf(db).transaction(() => {
    const used = statement(db, "UPDATE link_requests SET used_at = ? WHERE token = ? AND used_at IS NULL").run(at, token);
    if (used.changes === 0) return false;
    statement(
      db,
      `INSERT OR IGNORE INTO wallet_links (workspace, member_id, address, linked_at)
       SELECT s.workspace, r.member_id, ?, ? FROM link_requests r JOIN safes s ON s.id = r.safe_id WHERE r.token = ?`,
    ).run(address, at, token);
    return true;
  })();
}

// --- address book ------------------------------------------------------------------

export type AddressBookEntry = { address: Address; label: string; category: string | null; kind: string | null; note: string | null; addedBy: string; createdAt: number };

type AddressBookRow = { address: string; label: string; category: string | null; kind: string | null; note: string | null; added_by: string; created_at: number };
const toEntry = (row: AddressBookRow): AddressBookEntry => ({
  address: getAddress(row.address),
  label: row.label,
  category: row.category,
  kind: row.kind,
  note: row.note,
  addedBy: row.added_by,
  createdAt: row.created_at,
});

/** Stores a new entry in the Safe's workspace. The caller has checked that neither its label nor its address is taken there. */
export function insertAddressBookEntry(db: TreasuryDatabase, entry: Omit<AddressBookEntry, "note"> & { note?: string | null }): void {
  statement(db, "INSERT INTO address_book (workspace, address, label, category, kind, note, added_by, created_at) VALUES (@workspace, ?, ?, ?, ?, ?, ?, ?)").run(
    entry.address,
    entry.label,
    entry.category,
    entry.kind,
    entry.note ?? null,
    entry.addedBy,
    entry.createdAt,
  );
}

/** The entry of the Safe's workspace with this label, compared without case. */
export function findAddressBookEntryByLabel(db: ReadableDatabase, label: string): AddressBookEntry | undefined {
  const row = statement(db, "SELECT * FROM address_book WHERE workspace = @workspace AND label = ? COLLATE NOCASE").get(label) as AddressBookRow | undefined;
  return row && toEntry(row);
}

export function findAddressBookEntry(db: ReadableDatabase, address: Address): AddressBookEntry | undefined {
  const row = statement(db, "SELECT * FROM address_book WHERE workspace = @workspace AND address = ?").get(getAddress(address)) as AddressBookRow | undefined;
  return row && toEntry(row);
}

/** Every entry of the Safe's workspace, by label. */
export function listAddressBook(db: ReadableDatabase): AddressBookEntry[] {
  return (statement(db, "SELECT * FROM address_book WHERE workspace = @workspace ORDER BY label COLLATE NOCASE").all() as AddressBookRow[]).map(toEntry);
}
