import assert from "node:assert/strict";
import { arbitrum, base, gnosis, hardhat, mainnet, optimism, polygon, sepolia } from "viem/chains";
import { chainsWithFacts, explorerAddressUrl, explorerTxUrl, loadChainFacts } from "../../core/chain-facts.ts";

const address = "0x1111aaaa2222bbbb3333cccc4444dddd5555eeee";
const txHash = `0x${"ab".repeat(32)}`;

// Expected values are read from viem's public `viem/chains` entry point (the module loads its files one by one),
// and from what each chain is in the world: its coin, its explorer, its block time.
const cases = [
  { chain: mainnet, symbol: "ETH", explorer: "https://etherscan.io", blockTimeMs: 12_000 },
  { chain: sepolia, symbol: "ETH", explorer: "https://sepolia.etherscan.io", blockTimeMs: 12_000 },
  { chain: gnosis, symbol: "XDAI", explorer: "https://gnosisscan.io", blockTimeMs: 5_000 },
  { chain: base, symbol: "ETH", explorer: "https://basescan.org", blockTimeMs: 2_000 },
  { chain: optimism, symbol: "ETH", explorer: "https://optimistic.etherscan.io", blockTimeMs: 2_000 },
  { chain: arbitrum, symbol: "ETH", explorer: "https://arbiscan.io", blockTimeMs: 250 },
  { chain: polygon, symbol: "POL", explorer: "https://polygonscan.com", blockTimeMs: 2_000 },
] as const;

describe("chain facts from viem's chain definitions (core/chain-facts)", () => {
  for (const { chain, symbol, explorer, blockTimeMs } of cases)
    it(`${chain.name} (${chain.id}): native coin, explorer links, block time and default confirmations`, async () => {
      const facts = await loadChainFacts(chain.id);
      assert.equal(facts.known, true);
      assert.equal(facts.name, chain.name);
      assert.deepEqual(facts.nativeToken, { symbol: chain.nativeCurrency.symbol, name: chain.nativeCurrency.name, decimals: chain.nativeCurrency.decimals });
      assert.equal(facts.nativeToken.symbol, symbol);
      assert.equal(facts.nativeToken.decimals, 18);
      assert.equal(chain.blockExplorers.default.url.replace(/\/$/, ""), explorer);
      assert.deepEqual(facts.explorer, { name: chain.blockExplorers.default.name, url: explorer });
      assert.equal(explorerAddressUrl(facts, address), `${explorer}/address/${address}`);
      assert.equal(explorerTxUrl(facts, txHash), `${explorer}/tx/${txHash}`);
      // viem's own block time where it gives one (Sepolia has none: Ethereum's 12-second slots).
      if ("blockTime" in chain && chain.blockTime !== undefined) assert.equal(chain.blockTime, blockTimeMs);
      assert.equal(facts.blockTimeMs, blockTimeMs);
      // About three minutes of blocks; Polygon PoS, with its history of deep reorgs, 128.
      assert.equal(facts.defaultConfirmations, chain.id === polygon.id ? 128 : Math.ceil(180 / (blockTimeMs / 1000)));
    });

  it("the local chain (31337): Hardhat's ether, no explorer, blocks on demand, no confirmations to wait for", async () => {
    const facts = await loadChainFacts(31_337);
    assert.equal(facts.name, hardhat.name);
    assert.deepEqual(facts.nativeToken, { ...hardhat.nativeCurrency });
    assert.equal(facts.explorer, undefined);
    assert.equal(explorerTxUrl(facts, txHash), undefined);
    assert.equal(facts.blockTimeMs, undefined);
    assert.equal(facts.defaultConfirmations, 0);
  });

  it("says so for a chain it does not know, and makes nothing up: a native coin of 18 decimals, no explorer", async () => {
    const facts = await loadChainFacts(424_242);
    assert.equal(facts.known, false);
    assert.match(facts.name, /chain 424242 \(not one the treasury knows\)/);
    assert.deepEqual(facts.nativeToken, { symbol: "native coin", name: "native coin", decimals: 18 });
    assert.equal(facts.explorer, undefined);
    assert.equal(explorerAddressUrl(facts, address), undefined);
    assert.equal(facts.blockTimeMs, undefined);
  });

  it("covers exactly mainnet, Sepolia, Gnosis, Base, Optimism, Arbitrum, Polygon and the local chain", () => {
    assert.deepEqual([...chainsWithFacts].sort((a, b) => a - b), [...cases.map((c) => c.chain.id), 31_337].sort((a, b) => a - b));
  });
});
