import assert from "node:assert/strict";
import { parseEther, parseUnits } from "viem";
import { totalsAcrossSafes, type SafeTotals } from "../../../assistant/safes/totals.ts";
import type { Amount, PlanResult } from "../../../assistant/execute/types.ts";
import type { RegisteredSafe } from "../../../db/safes.ts";

const usdc = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48";
const eth = { symbol: "ETH", address: null, decimals: 18 };
const usdcToken = { symbol: "USDC", address: usdc, decimals: 6 };
const safe = (id: number, chainId: number): RegisteredSafe => ({ id, chainId, address: `0x${String(id).padStart(40, "0")}`, name: `s${id}`, addedAt: 0, workspace: "" });
/** The value shown for `units` (written here, not by the product). */
const amount = (token: Amount["token"], units: bigint, value: string): Amount => ({ token, units, value });
const balances = (...amounts: Amount[]) => ({ plan: { measure: "list" }, value: { shape: "balances", at: "2026-01-01", balances: amounts } }) as unknown as PlanResult;

describe("several Safes: totals across Safes (assistant/safes/totals)", function () {
  it("adds the same token on the same chain in base units", () => {
    const parts: SafeTotals[] = [
      { safe: safe(1, 1), result: balances(amount(eth, parseEther("1.25"), "1.25"), amount(usdcToken, parseUnits("100.5", 6), "100.5")) },
      { safe: safe(2, 1), result: balances(amount(eth, parseEther("0.75"), "0.75"), amount(usdcToken, parseUnits("1000", 6), "1000")) },
    ];
    assert.deepEqual(totalsAcrossSafes(parts, "en"), ["Total across the Safes: 2 ETH and 1,100.5 USDC"]);
    assert.deepEqual(totalsAcrossSafes(parts, "es"), ["Total en las Safes: 2 ETH y 1.100,5 USDC"]);
  });

  it("never adds one chain's native coin to another's, nor a token of the same name on another chain", () => {
    const parts: SafeTotals[] = [
      { safe: safe(1, 1), result: balances(amount(eth, parseEther("1"), "1"), amount(usdcToken, parseUnits("5", 6), "5")) },
      { safe: safe(2, 10), result: balances(amount(eth, parseEther("2"), "2"), amount(usdcToken, parseUnits("7", 6), "7")) },
    ];
    const [line, note] = totalsAcrossSafes(parts, "en");
    assert.match(line, /1 ETH \(chain 1\)/);
    assert.match(line, /2 ETH \(chain 10\)/);
    assert.match(line, /5 USDC \(chain 1, 0xA0b869…\)/);
    assert.match(line, /7 USDC \(chain 10, 0xA0b869…\)/);
    assert.doesNotMatch(line, /\b3 ETH|\b12 USDC/);
    assert.match(note, /not added together/);
  });

  it("gives no total when a Safe has no figures or the figures do not add up (averages)", () => {
    const average = { plan: { measure: "average" }, value: { shape: "figures", measure: "average", figures: [], count: 0 } } as unknown as PlanResult;
    assert.deepEqual(totalsAcrossSafes([{ safe: safe(1, 1), result: average }, { safe: safe(2, 1), result: average }], "en"), ["No total: these figures do not add up across Safes."]);
    assert.deepEqual(totalsAcrossSafes([{ safe: safe(1, 1), result: balances() }, { safe: safe(2, 1) }], "en"), ["No total: these figures do not add up across Safes."]);
  });
});
