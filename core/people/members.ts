import { findMember, upsertMember as storeMember, type Member, type MemberRole } from "../../db/people.ts";
import type { TreasuryContext } from "../context.ts";
import { InvalidInputError } from "../errors.ts";

export type UpsertMemberParameters = { id: string; name: string; slackUserId?: string | null; role?: MemberRole };

/** Creates a member or updates their name, Slack id and role. Returns the stored member. */
export function upsertMember(ctx: Pick<TreasuryContext, "db" | "now">, params: UpsertMemberParameters): Member {
  const id = params.id.trim();
  const name = params.name.trim();
  if (!id) throw new InvalidInputError("A member needs an id.");
  if (!name) throw new InvalidInputError("A member needs a name.");
  storeMember(ctx.db, { id, name, slackUserId: params.slackUserId ?? null, role: params.role ?? "member", at: ctx.now() });
  return findMember(ctx.db, id)!;
}
