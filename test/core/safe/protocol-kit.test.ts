import assert from "node:assert/strict";
import { contractNetworksFor } from "../../../core/safe/protocol-kit.ts";
import { assetAddresses, safeDeploymentAssets } from "../../helpers/safe-deployments.ts";

describe("protocol-kit's contract addresses (core/safe/protocol-kit)", () => {
  it("gives protocol-kit the canonical addresses on a chain safe-deployments does not list, and no override on one it lists", () => {
    assert.equal(contractNetworksFor({ chainId: 1, version: "1.4.1", flavour: "L2" }), undefined);
    const listed = Object.values(safeDeploymentAssets("1.3.0")).every((asset) => asset.networkAddresses["31337"] !== undefined);
    const expected = assetAddresses("1.3.0", "L1", "canonical");
    assert.deepEqual(
      contractNetworksFor({ chainId: 31337, version: "1.3.0", flavour: "L1" }),
      listed
        ? undefined
        : {
            "31337": {
              safeSingletonAddress: expected.safeSingleton,
              safeProxyFactoryAddress: expected.safeProxyFactory,
              multiSendAddress: expected.multiSend,
              multiSendCallOnlyAddress: expected.multiSendCallOnly,
              fallbackHandlerAddress: expected.fallbackHandler,
              signMessageLibAddress: expected.signMessageLib,
              createCallAddress: expected.createCall,
              simulateTxAccessorAddress: expected.simulateTxAccessor,
            },
          },
    );
  });
});
