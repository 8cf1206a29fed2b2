import { getAddress, isAddress, type Address } from "viem";
import type { TreasuryContext } from "../../core/context.ts";
import { findAddressBookEntry, findMemberByAddress } from "../../db/people.ts";
import { tokenByAddress } from "../../core/proposals/tokens.ts";
import { escapeText } from "./card.ts";
import { slackUsersOfOwners } from "./identity.ts";
import type { SafeTxTextContext } from "./safe-tx-text.ts";
import { shortAddress } from "../../core/short.ts";


/** An address as people know it (mrkdwn): "*Acme* (`0x1234ab…cdef`)" from the address book or a member's wallet, else the full address. */
export function labelOf(ctx: TreasuryContext, address: unknown): string {
  if (typeof address !== "string" || !isAddress(address, { strict: false })) return "an unknown sender";
  const checksummed = getAddress(address);
  const name = findAddressBookEntry(ctx.db, checksummed)?.label ?? findMemberByAddress(ctx.db, checksummed)?.name;
  return name ? `*${escapeText(name, 80)}* (\`${shortAddress(checksummed)}\`)` : `\`${checksummed}\``;
}

/** `labelOf`, followed by a mention of the Slack user who linked that wallet, if any. */
export function personOf(ctx: TreasuryContext, address: Address): string {
  const mention = slackUsersOfOwners(ctx, [address]).get(address)?.slackUserId;
  return `${labelOf(ctx, address)}${mention ? ` (<@${mention}>)` : ""}`;
}

/** How Slack texts about a SafeTx of this treasury name its addresses and tokens. */
export function safeTxTextContext(ctx: TreasuryContext, { mentions = true }: { mentions?: boolean } = {}): SafeTxTextContext {
  return {
    name: (address) => (mentions ? personOf(ctx, address) : labelOf(ctx, address)),
    token: (address) => {
      const token = tokenByAddress(ctx, address);
      return { symbol: escapeText(token.symbol, 20), decimals: token.decimals };
    },
  };
}
