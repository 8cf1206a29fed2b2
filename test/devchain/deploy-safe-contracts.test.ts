import assert from "node:assert/strict";
import { createPublicClient, custom, getAddress, getContractAddress, keccak256, recoverTransactionAddress, type PublicClient } from "viem";
import { hardhat } from "viem/chains";
import { deploySafeContracts } from "../../devchain/deploy-safe-contracts.ts";
import { DeterministicDeployerError, deterministicDeploymentProxy, safeSingletonFactory } from "../../devchain/deterministic-deployers.ts";
import { startLocalNode, type LocalNode } from "../../devchain/node.ts";
import { embeddedContractNames, safeDeploymentAssets } from "../helpers/safe-deployments.ts";

describe("Safe contracts at their canonical addresses on the embedded chain (devchain/deploy-safe-contracts)", function () {
  this.timeout(180_000);
  let node: LocalNode;
  let client: PublicClient;

  before(async () => {
    node = await startLocalNode({ port: 0 });
    client = createPublicClient({ chain: hardhat, transport: custom(node.provider) }) as PublicClient;
  });
  after(() => node?.stop());

  it("puts every Safe 1.3.0 and 1.4.1 contract, L1 and L2 singletons included, at safe-deployments' canonical address, with Safe's own code", async () => {
    const deployed = await deploySafeContracts(node.provider);
    for (const version of ["1.3.0", "1.4.1"] as const) {
      const assets = safeDeploymentAssets(version);
      for (const name of embeddedContractNames[version]) {
        const canonical = assets[name].deployments.canonical;
        const code = await client.getCode({ address: getAddress(canonical.address) });
        assert.ok(code && code !== "0x", `v${version} ${name}: no code at ${canonical.address}`);
        // The code hash safe-deployments records for the public chains: byte for byte the same contract.
        assert.equal(keccak256(code), canonical.codeHash, `v${version} ${name}: not Safe's code`);
      }
      const singletons = { L1: version === "1.3.0" ? "GnosisSafe" : "Safe", L2: version === "1.3.0" ? "GnosisSafeL2" : "SafeL2" };
      const factory = version === "1.3.0" ? "GnosisSafeProxyFactory" : "SafeProxyFactory";
      for (const flavour of ["L1", "L2"] as const) {
        const contracts = deployed[version]![flavour];
        const address = (name: string) => getAddress(assets[name].deployments.canonical.address);
        assert.deepEqual(contracts, {
          safeSingleton: address(singletons[flavour]),
          safeProxyFactory: address(factory),
          multiSend: address("MultiSend"),
          multiSendCallOnly: address("MultiSendCallOnly"),
          fallbackHandler: address("CompatibilityFallbackHandler"),
          signMessageLib: address("SignMessageLib"),
          createCall: address("CreateCall"),
          simulateTxAccessor: address("SimulateTxAccessor"),
        });
      }
    }
  });

  it("puts the two deterministic deployers where their presigned transactions put them on every chain", async () => {
    for (const deployer of [deterministicDeploymentProxy, safeSingletonFactory(31337)]) {
      const signer = await recoverTransactionAddress({ serializedTransaction: deployer.transaction as never });
      assert.equal(signer, deployer.signerAddress);
      assert.equal(getContractAddress({ from: signer, nonce: 0n }), deployer.address);
      const code = await client.getCode({ address: deployer.address });
      assert.ok(code && code.length > 2, `${deployer.name} has no code`);
      assert.equal(await client.getTransactionCount({ address: signer }), 1);
    }
  });

  it("refuses, saying why, when a deployer's one-time signer has been used on the chain", async () => {
    const other = await startLocalNode({ port: 0 });
    try {
      const factory = safeSingletonFactory(31337);
      await other.provider.request({ method: "hardhat_setNonce", params: [factory.signerAddress, "0x1"] } as never);
      await assert.rejects(deploySafeContracts(other.provider, { versions: ["1.4.1"] }), (error: unknown) => {
        assert.ok(error instanceof DeterministicDeployerError);
        assert.match(error.shortMessage, /one-time signer 0xE1CB04A0fA36DdD16a06ea828007E35e1a3cBC37 has sent a transaction/);
        return true;
      });
    } finally {
      await other.stop();
    }
  });

  it("sends nothing when the contracts are there already", async () => {
    const before = await client.getBlockNumber();
    await deploySafeContracts(node.provider);
    assert.equal(await client.getBlockNumber(), before);
  });
});
