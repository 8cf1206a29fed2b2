import { randomBytes } from "node:crypto";
import { getAddress, isHex, type Address, type Hex } from "viem";
import { createSiweMessage, generateSiweNonce, parseSiweMessage, verifySiweMessage } from "viem/siwe";
import { findLinkRequest, findMember, insertLinkRequest, useLinkRequest, type StoredLinkRequest } from "../../db/people.ts";
import { boundSafeId } from "../../db/safes.ts";
import { parseAddressInput } from "./address-book.ts";
import { publicUrl } from "../config.ts";
import type { TreasuryContext } from "../context.ts";
import { InvalidInputError } from "../errors.ts";

/** A link request or its SIWE message is unknown, used, expired or does not match. Nothing was linked. */
export class WalletLinkError extends InvalidInputError {
  override name = "WalletLinkError";
}

/** How long a link request stays valid. */
export const LINK_REQUEST_TTL_SECONDS = 15 * 60;

export type CreateLinkRequestParameters = { memberId: string; ttlSeconds?: number };

/**
 * Starts a wallet link for a member of the Safe's workspace: a one-time, unguessable token that expires after
 * 15 minutes. The link speaks for `ctx`'s Safe, and the wallet it proves is linked in that Safe's workspace.
 */
export function createLinkRequest(ctx: Pick<TreasuryContext, "db" | "now">, { memberId, ttlSeconds = LINK_REQUEST_TTL_SECONDS }: CreateLinkRequestParameters): { token: string; expiresAt: number } {
  if (!findMember(ctx.db, memberId)) throw new WalletLinkError(`No member "${memberId}"; add the member before linking a wallet.`);
  const token = randomBytes(24).toString("base64url");
  const expiresAt = ctx.now() + ttlSeconds;
  insertLinkRequest(ctx.db, { token, memberId, nonce: generateSiweNonce(), expiresAt });
  return { token, expiresAt };
}

/** The link request behind a token, or throws `WalletLinkError` (unknown, made for another Safe than `ctx`'s, used or expired). */
export function getLinkRequest(ctx: Pick<TreasuryContext, "db" | "now">, token: string, { allowUsed = false } = {}): StoredLinkRequest {
  const request = findLinkRequest(ctx.db, String(token ?? ""));
  if (!request || request.safeId !== boundSafeId(ctx.db)) throw new WalletLinkError("This link is not valid; ask for a new one.");
  if (request.usedAt !== null && !allowUsed) throw new WalletLinkError("This link was already used; ask for a new one.");
  if (request.expiresAt <= ctx.now() && request.usedAt === null) throw new WalletLinkError("This link has expired; ask for a new one.");
  return request;
}

function siweDomain(ctx: Pick<TreasuryContext, "config">): { domain: string; uri: string; scheme: string } {
  const base = new URL(publicUrl(ctx.config));
  return { domain: base.host, uri: base.origin, scheme: base.protocol.replace(":", "") };
}

export type LinkMessageParameters = { token: string; address: string };

/**
 * The Sign-In with Ethereum (EIP-4361) message the wallet signs to prove it
 * holds `address`: the domain of the public URL, this chain, the request's
 * one-time nonce, and its expiry.
 */
export function linkMessage(ctx: Pick<TreasuryContext, "db" | "config" | "chainId" | "safeAddress" | "now">, { token, address }: LinkMessageParameters): string {
  const request = getLinkRequest(ctx, token);
  const { domain, uri, scheme } = siweDomain(ctx);
  return createSiweMessage({
    address: parseAddressInput(address, "The wallet address"),
    chainId: ctx.chainId,
    domain,
    scheme,
    uri,
    nonce: request.nonce,
    version: "1",
    statement: `Link this wallet to ${request.memberName ?? request.memberId} in the shared treasury of Safe ${ctx.safeAddress}.`,
    issuedAt: new Date(ctx.now() * 1000),
    expirationTime: new Date(request.expiresAt * 1000),
  });
}

export type CompleteLinkParameters = { token: string; message: string; signature: string };
export type CompleteLinkReturnType = { memberId: string; address: Address };

/**
 * Verifies the signed SIWE message (domain, chain, nonce, expiry, signature;
 * smart-contract wallets too) and, only then, links the address to the member
 * and uses up the token, in one transaction. Throws `WalletLinkError` naming the problem.
 */
export async function completeLink(ctx: TreasuryContext, { token, message, signature }: CompleteLinkParameters): Promise<CompleteLinkReturnType> {
  const request = getLinkRequest(ctx, token);
  const parsed = parseSiweMessage(String(message ?? ""));
  const { domain, scheme } = siweDomain(ctx);
  if (!parsed.address) throw new WalletLinkError("The signed message is not a Sign-In with Ethereum message.");
  if (parsed.domain !== domain) throw new WalletLinkError(`The signed message is for ${parsed.domain}, not ${domain}.`);
  if (parsed.nonce !== request.nonce) throw new WalletLinkError("The signed message is for another link request (its nonce differs).");
  if (parsed.chainId !== ctx.chainId)
    throw new WalletLinkError(`The wallet signed on chain ${parsed.chainId}; switch it to chain ${ctx.chainId} and sign again.`);
  if (!isHex(signature)) throw new WalletLinkError("The signature is not hex.");
  const valid = await verifySiweMessage(ctx.client, {
    message,
    signature: signature as Hex,
    domain,
    nonce: request.nonce,
    scheme,
    time: new Date(ctx.now() * 1000),
  });
  if (!valid) throw new WalletLinkError("The signature does not match the message, or the message has expired.");
  const address = getAddress(parsed.address);
  const linked = useLinkRequest(ctx.db, { token, address, at: ctx.now() });
  if (!linked) throw new WalletLinkError("This link was already used; ask for a new one.");
  ctx.logger.info({ memberId: request.memberId, address }, "wallet linked");
  return { memberId: request.memberId, address };
}
