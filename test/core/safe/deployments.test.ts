import assert from "node:assert/strict";
import { getAddress } from "viem";
import { canonicalSafeContracts, findSafeSingleton, safeContractsForChain } from "../../../core/safe/deployments.ts";
import { assetAddresses, safeDeploymentAssets } from "../../helpers/safe-deployments.ts";

describe("Safe contract addresses from safe-deployments (core/safe/deployments)", () => {
  it("gives each version's canonical addresses, for both flavours", () => {
    for (const version of ["1.3.0", "1.4.1"] as const)
      for (const flavour of ["L1", "L2"] as const)
        assert.deepEqual(canonicalSafeContracts(version, flavour), assetAddresses(version, flavour, "canonical"));
  });

  it("gives a chain's listed addresses, of the singleton's own deployment type where the chain has several", () => {
    const mainnet130 = safeContractsForChain({ chainId: 1, version: "1.3.0", flavour: "L1", type: "eip155" });
    assert.equal(mainnet130.listed, true);
    assert.deepEqual(mainnet130.addresses, assetAddresses("1.3.0", "L1", "eip155"));
    assert.deepEqual(safeContractsForChain({ chainId: 1, version: "1.3.0", flavour: "L1" }).addresses, assetAddresses("1.3.0", "L1", "canonical"));
    const unlisted = safeContractsForChain({ chainId: 31337, version: "1.4.1", flavour: "L2" });
    const listedByAssets = Object.values(safeDeploymentAssets("1.4.1")).some((asset) => asset.networkAddresses["31337"] !== undefined);
    assert.equal(unlisted.listed, listedByAssets);
    assert.deepEqual(unlisted.addresses, assetAddresses("1.4.1", "L2", "canonical"));
  });

  it("names the version, flavour and deployment type of a known singleton, and nothing for another address", () => {
    assert.deepEqual(findSafeSingleton(assetAddresses("1.3.0", "L1", "eip155").safeSingleton), { version: "1.3.0", flavour: "L1", type: "eip155" });
    assert.deepEqual(findSafeSingleton(assetAddresses("1.4.1", "L2", "canonical").safeSingleton), { version: "1.4.1", flavour: "L2", type: "canonical" });
    const v111 = getAddress(safeDeploymentAssets("1.1.1").GnosisSafe.deployments.canonical.address);
    assert.deepEqual(findSafeSingleton(v111), { version: "1.1.1", flavour: "L1", type: "canonical" });
    assert.equal(findSafeSingleton(assetAddresses("1.4.1", "L2", "canonical").multiSend), undefined);
  });
});
