import { getAddress, type Address } from "viem";
import type { TreasuryDatabase } from "../../db/database.ts";
import { InvalidInputError } from "../errors.ts";

export type MemberRole = "owner" | "member";

export type Member = { id: string; name: string; slackUserId: string | null; role: MemberRole; createdAt: number };

type MemberRow = { id: string; name: string; slack_user_id: string | null; role: MemberRole; created_at: number };

const toMember = (row: MemberRow): Member => ({
  id: row.id,
  name: row.name,
  slackUserId: row.slack_user_id,
  role: row.role,
  createdAt: row.created_at,
});

export type UpsertMemberParameters = { id: string; name: string; slackUserId?: string | null; role?: MemberRole };

/** Creates a member or updates their name, Slack id and role. Returns the stored member. */
export function upsertMember(db: TreasuryDatabase, params: UpsertMemberParameters): Member {
  const id = params.id.trim();
  const name = params.name.trim();
  if (!id) throw new InvalidInputError("A member needs an id.");
  if (!name) throw new InvalidInputError("A member needs a name.");
  db.prepare(
    `INSERT INTO members (id, name, slack_user_id, role, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET name = excluded.name,
       slack_user_id = COALESCE(excluded.slack_user_id, members.slack_user_id), role = excluded.role`,
  ).run(id, name, params.slackUserId ?? null, params.role ?? "member", Math.floor(Date.now() / 1000));
  return getMember(db, id)!;
}

export function getMember(db: TreasuryDatabase, id: string): Member | undefined {
  const row = db.prepare("SELECT * FROM members WHERE id = ?").get(id) as MemberRow | undefined;
  return row && toMember(row);
}

export function getMemberBySlackUser(db: TreasuryDatabase, slackUserId: string): Member | undefined {
  const row = db.prepare("SELECT * FROM members WHERE slack_user_id = ?").get(slackUserId) as MemberRow | undefined;
  return row && toMember(row);
}

export function listMembers(db: TreasuryDatabase): Member[] {
  return (db.prepare("SELECT * FROM members ORDER BY name").all() as MemberRow[]).map(toMember);
}

/** The name of the member who linked this wallet address, or null. */
export function memberNameForAddress(db: TreasuryDatabase, address: Address): string | null {
  const row = db
    .prepare(
      `SELECT m.name FROM wallet_links w JOIN members m ON m.id = w.member_id
       WHERE w.address = ? ORDER BY w.linked_at DESC LIMIT 1`,
    )
    .get(getAddress(address)) as { name: string } | undefined;
  return row?.name ?? null;
}

/** The addresses a member has linked. */
export function addressesOfMember(db: TreasuryDatabase, memberId: string): Address[] {
  return (db.prepare("SELECT address FROM wallet_links WHERE member_id = ? ORDER BY linked_at").all(memberId) as { address: string }[]).map(
    (row) => getAddress(row.address),
  );
}
