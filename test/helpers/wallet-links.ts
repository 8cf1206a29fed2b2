import { randomBytes } from "node:crypto";
import type { Address } from "viem";
import type { TreasuryDatabase } from "../../db/handle.ts";
import { insertLinkRequest, useLinkRequest } from "../../db/people.ts";

/**
 * Links `address` to a member of the Safe's workspace the way the link page does once the SIWE signature is
 * checked (a one-time request, used at once), through the product's own writers; `db` is bound to the Safe.
 */
export function linkWallet(db: TreasuryDatabase, memberId: string, address: Address, at = 1): void {
  const token = randomBytes(12).toString("base64url");
  insertLinkRequest(db, { token, memberId, nonce: "test", expiresAt: at + 60 });
  if (!useLinkRequest(db, { token, address, at })) throw new Error(`The wallet link of ${memberId} was not stored.`);
}
