import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BaseError, decodeErrorResult, encodeFunctionData, parseUnits, type Abi, type Hex } from "viem";
import { buildSafeTx } from "../../../core/safe/safe-tx.ts";
import { simulateSafeTx } from "../../../core/safety/simulate.ts";
import { erc20Abi } from "../../../core/tokens.ts";
import { payeeAddress, startTreasury, type TreasuryFixture } from "../proposals/setup.ts";

/** The revert data of a call made from the Safe's address, straight to the token (not through the Safe). */
async function revertDataOfDirectCall(t: TreasuryFixture, to: Hex, data: Hex): Promise<Hex> {
  try {
    await t.chain.client.call({ account: t.ctx.safeAddress, to, data });
  } catch (error) {
    let current: unknown = error;
    while (current) {
      const raw = (current as { data?: unknown }).data;
      if (typeof raw === "string" && raw.startsWith("0x")) return raw as Hex;
      current = (current as BaseError).cause;
    }
  }
  throw new Error("the direct call did not revert with data");
}

describe("simulation from the Safe (core/safety/simulate.ts)", () => {
  let t: TreasuryFixture;
  before(async () => {
    t = await startTreasury();
  });
  after(() => t?.close());

  it("decodes the token's revert inside simulateAndRevert: a named error, not its raw selector", async () => {
    const usdc = t.chain.deployment.tokens.find((token) => token.symbol === "USDC")!.address;
    const data = encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [payeeAddress(7), parseUnits("1000000", 6)] });
    // What the token itself reverts with, decoded with the token's own ABI from its build artifact.
    const artifact = JSON.parse(readFileSync(join(process.cwd(), "artifacts/contracts/TestToken.sol/TestToken.json"), "utf8")) as { abi: Abi };
    const raw = await revertDataOfDirectCall(t, usdc, data);
    const { errorName } = decodeErrorResult({ abi: artifact.abi, data: raw });

    const result = await simulateSafeTx(t.ctx, buildSafeTx({ to: usdc, data, nonce: 0 }));
    assert.equal(result.ok, false);
    const reason = result.ok ? "" : result.reason;
    assert.ok(reason.includes(`${errorName}()`), reason);
    assert.ok(!reason.includes(raw.slice(0, 10)), `no raw selector in: ${reason}`);
  });

  it("says a payment the Safe can make succeeds", async () => {
    const usdc = t.chain.deployment.tokens.find((token) => token.symbol === "USDC")!.address;
    const data = encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [payeeAddress(8), parseUnits("1", 6)] });
    const result = await simulateSafeTx(t.ctx, buildSafeTx({ to: usdc, data, nonce: 0 }));
    assert.equal(result.ok, true);
  });
});
