import { addAddressBookEntry } from "../core/people/address-book.ts";
import { upsertMember } from "../core/people/members.ts";
import { completeLink, createLinkRequest, linkMessage } from "../core/people/wallet-link.ts";
import type { ReplaySession } from "./replay-session.ts";

/**
 * Records the fixture's members, each proving their wallet the way the link page has them do it (a one-time SIWE
 * message, signed), and its address book, added by the first owner.
 */
export async function recordPeopleAndPayees(session: ReplaySession): Promise<void> {
  const { fixture, ctx } = session;
  for (const member of fixture.members) {
    upsertMember(ctx, { id: member.id, name: member.name, slackUserId: member.slackId ?? null, role: member.role });
    const request = createLinkRequest(ctx, { memberId: member.id });
    const wallet = session.account(member.account);
    const message = linkMessage(ctx, { token: request.token, address: wallet.address });
    await completeLink(ctx, { token: request.token, message, signature: await wallet.signMessage({ message }) });
  }
  const addedBy = fixture.safe.owners[0];
  for (const entry of fixture.addressBook)
    addAddressBookEntry(ctx, {
      label: entry.label,
      address: session.addressOf(entry.id),
      category: entry.category,
      kind: entry.kind,
      note: entry.note,
      addedBy,
    });
}
