import assert from "node:assert/strict";
import { concatHex, keccak256, pad, recoverAddress, toHex, type Hex } from "viem";
import { sign } from "viem/accounts";
import { developmentAccount, developmentPrivateKey } from "../../devchain/accounts.ts";
import { recoverExecutionSigners, recoverSigner } from "../../indexer/signers.ts";
import { createModuleProbe, packagesOf } from "../helpers/module-probe.ts";
import { runNode } from "../helpers/processes.ts";

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

  it("recovers in a compiled process that loads no viem (what a signer worker runs)", async () => {
    const safeTxHash = keccak256(toHex("a SafeTx for the worker"));
    const signature = await sign({ hash: safeTxHash, privateKey: keyOf(2), to: "hex" });
    const probe = createModuleProbe();
    const code = `const { recoverOwners } = await import("./dist/indexer/signature-recovery.js");
      process.stdout.write(JSON.stringify(await recoverOwners(${JSON.stringify(safeTxHash)}, ${JSON.stringify(signature)}, 1)));`;
    const child = runNode(code, [], probe.env, { nodeArgs: [...probe.nodeArgs, "--input-type=module", "-e"] });
    assert.equal(await child.exited, 0, child.stderr());
    assert.deepEqual(JSON.parse(child.stdout()), [{ owner: developmentAccount(2).address.toLowerCase(), kind: "eoa" }]);
    const packages = packagesOf(probe.read().modules);
    assert.ok(packages.includes("secp256k1"), `libsecp256k1 did the work (loaded: ${packages.join(", ")})`);
    assert.ok(!packages.includes("viem"), `viem was loaded: ${packages.join(", ")}`);
  });
});
