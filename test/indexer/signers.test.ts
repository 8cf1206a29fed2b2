import assert from "node:assert/strict";
import { concatHex, keccak256, pad, recoverAddress, toHex, type Hex } from "viem";
import { sign } from "viem/accounts";
import { developmentAccount, developmentPrivateKey } from "../../devchain/accounts.ts";
import { recoverExecutionSigners, recoverSigner } from "../../indexer/signers.ts";

const keyOf = developmentPrivateKey;

describe("execution signers (indexer/signers)", () => {
  it("recovers the same address as viem's recoverAddress, for many signatures", async () => {
    for (let index = 0; index < 40; index++) {
      const hash = keccak256(toHex(`message ${index}`));
      const signature = await sign({ hash, privateKey: keyOf(1 + (index % 3)), to: "hex" });
      assert.equal(await recoverSigner(hash, signature), await recoverAddress({ hash, signature }));
    }
  });

  it("reads each kind of Safe signature, only the first `threshold` of them", async () => {
    const safeTxHash = keccak256(toHex("a SafeTx"));
    const [ana, ben, chen, dana] = [1, 2, 3, 4].map((index) => developmentAccount(index));
    const typed = await sign({ hash: safeTxHash, privateKey: keyOf(1), to: "hex" });
    const ethSign = await developmentAccount(2).signMessage({ message: { raw: safeTxHash } });
    const ethSignSafe = `${ethSign.slice(0, 130)}${(Number.parseInt(ethSign.slice(130), 16) + 4).toString(16)}` as Hex;
    const approved = concatHex([pad(chen.address, { size: 32 }), pad("0x00", { size: 32 }), "0x01"]);
    const contract = concatHex([pad(dana.address, { size: 32 }), pad("0x00", { size: 32 }), "0x00"]);
    const signers = await recoverExecutionSigners(safeTxHash, concatHex([typed, ethSignSafe, approved, contract]), 4);
    assert.deepEqual(signers, [
      { owner: ana.address, kind: "eoa" },
      { owner: ben.address, kind: "eth_sign" },
      { owner: chen.address, kind: "approved_hash" },
      { owner: dana.address, kind: "contract" },
    ]);
    assert.equal((await recoverExecutionSigners(safeTxHash, concatHex([typed, ethSignSafe, approved]), 2)).length, 2);
    assert.deepEqual(await recoverExecutionSigners(safeTxHash, "0x1234", 1), [], "too short: nothing");
  });
});
