import assert from "node:assert/strict";
import { mnemonicToAccount } from "viem/accounts";
import { developmentAccount, developmentPrivateKey } from "../../devchain/accounts.ts";

describe("devchain/accounts: the development accounts", () => {
  it("are Hardhat's well-known accounts, and match viem's derivation for any mnemonic", () => {
    // Hardhat's documented default accounts 0, 1 and 2.
    assert.equal(developmentAccount(0).address, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    assert.equal(developmentAccount(1).address, "0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    assert.equal(developmentAccount(2).address, "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");
    assert.equal(developmentPrivateKey(0), "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
    const other = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
    for (const index of [0, 3, 7]) assert.equal(developmentAccount(index, other).address, mnemonicToAccount(other, { addressIndex: index }).address);
    assert.notEqual(developmentAccount(3, other).address, developmentAccount(3).address);
  });
});
