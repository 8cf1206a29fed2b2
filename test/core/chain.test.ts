import assert from "node:assert/strict";
import { hardhat } from "viem/chains";
import { chainFor } from "../../core/chain.ts";

describe("core/chain: chainFor", () => {
  it("gives viem's own Hardhat chain for 31337 (with the RPC address when given), and a plain chain otherwise", () => {
    const fields = ({ id, name, nativeCurrency, rpcUrls }: ReturnType<typeof chainFor>) => ({ id, name, nativeCurrency, rpcUrls });
    assert.deepEqual(fields(chainFor(31337)), fields(hardhat));
    assert.deepEqual(chainFor(31337, "http://127.0.0.1:9999").rpcUrls, { default: { http: ["http://127.0.0.1:9999"] } });
    assert.deepEqual(fields(chainFor(10, "https://rpc.example")), {
      id: 10,
      name: "Chain 10",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: ["https://rpc.example"] } },
    });
  });
});
