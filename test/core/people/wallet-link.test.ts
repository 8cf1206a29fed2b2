import assert from "node:assert/strict";
import { getAddress } from "viem";
import { createSiweMessage, parseSiweMessage } from "viem/siwe";
import type { TreasuryContext } from "../../../core/context.ts";
import { upsertMember } from "../../../core/people/members.ts";
import { memberNameForAddress } from "../../../db/people.ts";
import { completeLink, createLinkRequest, getLinkRequest, linkMessage, WalletLinkError } from "../../../core/people/wallet-link.ts";
import { ana, ben, chen, startTreasury, type TreasuryFixture } from "../proposals/setup.ts";
import { forSafe, registerSafe } from "../../../db/safes.ts";
import { connectionOf } from "../../../db/connection.ts";

describe("wallet linking (SIWE)", () => {
  let t: TreasuryFixture;
  let ctx: TreasuryContext;
  before(async () => {
    t = await startTreasury();
    ctx = t.ctx;
    upsertMember(ctx, { id: "U-ana", name: "Ana", slackUserId: "U01ANA", role: "owner" });
  });
  after(() => t?.close());

  const linked = () => connectionOf(ctx.db).prepare("SELECT member_id, address FROM wallet_links").all();

  it("links a wallet once with a signed Sign-In with Ethereum message", async () => {
    const { token, expiresAt } = createLinkRequest(ctx, { memberId: "U-ana" });
    assert.ok(token.length >= 32);
    assert.ok(expiresAt > Date.now() / 1000 + 14 * 60);
    const message = linkMessage(ctx, { token, address: ana.address });
    const parsed = parseSiweMessage(message);
    assert.equal(parsed.domain, "127.0.0.1:3999");
    assert.equal(parsed.chainId, 31337);
    assert.equal(parsed.nonce, getLinkRequest(ctx, token).nonce);
    assert.match(message, /Link this wallet to Ana/);
    const result = await completeLink(ctx, { token, message, signature: await ana.signMessage({ message }) });
    assert.deepEqual(result, { memberId: "U-ana", address: ana.address });
    assert.equal(memberNameForAddress(ctx.db, ana.address), "Ana");
    await assert.rejects(completeLink(ctx, { token, message, signature: await ana.signMessage({ message }) }), /already used/);
    assert.equal(linked().length, 1);
  });

  it("refuses an expired link, a signature by another wallet, another chain and an unknown token, linking nothing", async () => {
    const expired = createLinkRequest(ctx, { memberId: "U-ana", ttlSeconds: -1 });
    assert.throws(() => linkMessage(ctx, { token: expired.token, address: ben.address }), /expired/);

    const { token } = createLinkRequest(ctx, { memberId: "U-ana" });
    const message = linkMessage(ctx, { token, address: ben.address });
    await assert.rejects(completeLink(ctx, { token, message, signature: await ana.signMessage({ message }) }), (error: unknown) =>
      error instanceof WalletLinkError && /does not match/.test(error.shortMessage),
    );
    const parsed = parseSiweMessage(message);
    const mainnet = createSiweMessage({ ...(parsed as Parameters<typeof createSiweMessage>[0]), chainId: 1 });
    await assert.rejects(completeLink(ctx, { token, message: mainnet, signature: await ben.signMessage({ message: mainnet }) }), /chain 1; switch it to chain 31337/);
    await assert.rejects(completeLink(ctx, { token: "nope", message, signature: "0x" }), /not valid/);
    assert.throws(() => createLinkRequest(ctx, { memberId: "U-nobody" }), /No member/);
    assert.equal(linked().length, 1);
    // The right wallet can still use the request.
    await completeLink(ctx, { token, message, signature: await ben.signMessage({ message }) });
    assert.equal(linked().length, 2);
  });

  it("links in the workspace of the Safe the link was asked for, and only through that Safe's pages", async () => {
    const other = registerSafe(ctx.db, { chainId: ctx.chainId, address: getAddress("0x00000000000000000000000000000000000000bb"), name: "other", now: ctx.now(), workspace: "TOTHER" });
    const otherCtx: TreasuryContext = { ...ctx, db: forSafe(ctx.db, other.id), safeAddress: other.address };
    upsertMember(otherCtx, { id: "U-chen", name: "Chen", role: "member" });
    const { token } = createLinkRequest(otherCtx, { memberId: "U-chen" });
    assert.throws(() => linkMessage(ctx, { token, address: chen.address }), /not valid/, "the home Safe's pages do not take it");
    const message = linkMessage(otherCtx, { token, address: chen.address });
    assert.match(message, new RegExp(`Link this wallet to Chen in the shared treasury of Safe ${other.address}`));
    await assert.rejects(completeLink(ctx, { token, message, signature: await chen.signMessage({ message }) }), /not valid/);
    await completeLink(otherCtx, { token, message, signature: await chen.signMessage({ message }) });
    assert.equal(memberNameForAddress(otherCtx.db, chen.address), "Chen");
    assert.equal(memberNameForAddress(ctx.db, chen.address), null, "the home workspace does not know the wallet");
  });
});
