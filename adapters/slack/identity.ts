import type { Address } from "viem";
import type { TreasuryContext } from "../../core/context.ts";
import { TreasuryError } from "../../core/errors.ts";
import { readSafeOwnership } from "../../core/safe/owners.ts";
import { addressesOfMember, findMemberByAddress, findMemberBySlackUser, type Member } from "../../db/people.ts";

/** A Slack user as the treasury knows them. */
export type SlackActor = {
  slackUserId: string;
  member: Member | undefined;
  /** Wallets the member proved with `/treasury link`. */
  addresses: Address[];
  /** Their linked wallets that are current owners of the Safe. */
  ownerAddresses: Address[];
  isOwner: boolean;
};

/** Who may propose payments from Slack (SLACK_PROPOSERS). */
export type ProposerPolicy = "anyone" | "members" | "owners";

/** The person asking may not do this; the short message says why and what to do. */
export class NotAllowedError extends TreasuryError {
  override name = "NotAllowedError";
}

/**
 * Maps a Slack user to a member and their linked wallets, and checks which of
 * those wallets own the Safe now (read from the chain, so a removed owner stops
 * counting at once).
 */
export async function resolveActor(ctx: TreasuryContext, slackUserId: string): Promise<SlackActor> {
  const member = findMemberBySlackUser(ctx.db, slackUserId);
  const addresses = member ? addressesOfMember(ctx.db, member.id) : [];
  if (addresses.length === 0) return { slackUserId, member, addresses, ownerAddresses: [], isOwner: false };
  const { owners } = await readSafeOwnership(ctx);
  const ownerAddresses = addresses.filter((address) => owners.includes(address));
  return { slackUserId, member, addresses, ownerAddresses, isOwner: ownerAddresses.length > 0 };
}

/** Throws `NotAllowedError` unless the actor may propose under `policy`. */
export function assertMayPropose(actor: SlackActor, policy: ProposerPolicy): void {
  if (policy === "members" && !actor.member)
    throw new NotAllowedError("Only members of the treasury can propose payments here. Ask an owner to add you, then run `/treasury link`.");
  if (policy === "owners" && !actor.isOwner)
    throw new NotAllowedError(
      actor.member
        ? "Only owners of the Safe can propose payments here, and none of your linked wallets is an owner. Run `/treasury link` with your owner wallet."
        : "Only owners of the Safe can propose payments here. If you are one, run `/treasury link` first.",
    );
}

/** Throws `NotAllowedError` unless the actor is a current owner (approve, reject). */
export function assertOwner(actor: SlackActor, what: string): void {
  if (!actor.isOwner)
    throw new NotAllowedError(
      actor.addresses.length
        ? `Only owners of the Safe can ${what}, and none of your linked wallets (${actor.addresses.join(", ")}) is an owner now.`
        : `Only owners of the Safe can ${what}. If you are one, run \`/treasury link\` to link your wallet first.`,
    );
}

/** The proposer string the core stores: the member id when known, else the Slack user. */
export function proposerOf(actor: SlackActor): string {
  return actor.member?.id ?? `slack:${actor.slackUserId}`;
}

/** Slack users (via members and wallet links) of each owner address. */
export function slackUsersOfOwners(ctx: TreasuryContext, owners: Address[]): Map<Address, { slackUserId: string | null; name: string | null }> {
  const result = new Map<Address, { slackUserId: string | null; name: string | null }>();
  for (const owner of owners) {
    const member = findMemberByAddress(ctx.db, owner);
    result.set(owner, { slackUserId: member?.slackUserId ?? null, name: member?.name ?? null });
  }
  return result;
}
