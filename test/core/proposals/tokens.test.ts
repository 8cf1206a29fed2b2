import assert from "node:assert/strict";
import { gnosis, polygon } from "viem/chains";
import { loadChainFacts } from "../../../core/chain-facts.ts";
import { knownTokens, resolveToken, tokenByAddress } from "../../../core/proposals/tokens.ts";
import { closeDatabase } from "../../../db/open.ts";
import type { TreasuryDatabase } from "../../../db/handle.ts";
import { openSafeDatabase } from "../../helpers/safe-database.ts";

/** The native coin a payment names is the chain's own (core/proposals/tokens.ts with the chain's facts). */
describe("the chain's native coin in payments (core/proposals/tokens)", () => {
  let db: TreasuryDatabase;
  before(() => (db = openSafeDatabase(":memory:")));
  after(() => closeDatabase(db));

  for (const chain of [gnosis, polygon])
    it(`on ${chain.name} the native coin is ${chain.nativeCurrency.symbol}, and "ETH" is refused`, async () => {
      const ctx = { db, tokens: [], chainFacts: await loadChainFacts(chain.id) };
      const native = resolveToken(ctx, chain.nativeCurrency.symbol.toLowerCase());
      assert.deepEqual(native, { address: null, symbol: chain.nativeCurrency.symbol, name: chain.nativeCurrency.name, decimals: chain.nativeCurrency.decimals });
      assert.deepEqual(tokenByAddress(ctx, null), native);
      assert.deepEqual(knownTokens(ctx).map((token) => token.symbol), [chain.nativeCurrency.symbol]);
      assert.throws(() => resolveToken(ctx, "ETH"), new RegExp(`Unknown token "ETH"; this treasury knows ${chain.nativeCurrency.symbol}\\.`));
    });

  it("on a chain it does not know, the coin is the \"native coin\" with 18 decimals; with no facts at all, ETH as before", async () => {
    const unknown = { db, tokens: [], chainFacts: await loadChainFacts(777_001) };
    assert.deepEqual(tokenByAddress(unknown, null), { address: null, symbol: "native coin", name: "native coin", decimals: 18 });
    assert.equal(tokenByAddress({ db, tokens: [] }, null).symbol, "ETH");
  });
});
