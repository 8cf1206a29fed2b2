import assert from "node:assert/strict";
import {
  concat,
  createPublicClient,
  createWalletClient,
  custom,
  encodeFunctionData,
  pad,
  parseAbi,
  parseEventLogs,
  zeroAddress,
  type PublicClient,
} from "viem";
import { hardhat } from "viem/chains";
import { developmentAccount } from "../../../devchain/accounts.ts";
import { createSafe } from "../../../devchain/create-safe.ts";
import { startLocalNode, type LocalNode } from "../../../devchain/node.ts";
import { safeAbiFor } from "../../../core/safe/artifacts.ts";

const owner = developmentAccount(1);
const newOwner = developmentAccount(4).address;
const safeCalls = parseAbi([
  "function addOwnerWithThreshold(address owner, uint256 _threshold)",
  "function execTransaction(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver, bytes signatures) payable returns (bool)",
  "function getTransactionHash(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver, uint256 _nonce) view returns (bytes32)",
]);

describe("Safe ABIs per version (core/safe/artifacts)", function () {
  this.timeout(120_000);
  let node: LocalNode;
  before(async () => {
    node = await startLocalNode({ port: 0 });
  });
  after(() => node?.stop());

  it("decodes a 1.3.0 L1 Safe's and a 1.4.1 L1 Safe's owner change and execution each with its own version's ABI, not the other's", async () => {
    const client = createPublicClient({ chain: hardhat, transport: custom(node.provider) }) as PublicClient;
    const wallet = createWalletClient({ account: owner, chain: hardhat, transport: custom(node.provider) });
    for (const [version, other] of [
      ["1.3.0", "1.4.1"],
      ["1.4.1", "1.3.0"],
    ] as const) {
      const { address } = await createSafe(node.provider, { version, flavour: "L1", owners: [owner.address], threshold: 1 });
      const data = encodeFunctionData({ abi: safeCalls, functionName: "addOwnerWithThreshold", args: [newOwner, 1n] });
      const fields = [address, 0n, data, 0, 0n, 0n, 0n, zeroAddress, zeroAddress] as const;
      const safeTxHash = await client.readContract({ address, abi: safeCalls, functionName: "getTransactionHash", args: [...fields, 0n] });
      // The sender approves by being an owner: r = its address, s = 0, v = 1.
      const signatures = concat([pad(owner.address), pad("0x0"), "0x01"]);
      const hash = await wallet.writeContract({ address, abi: safeCalls, functionName: "execTransaction", args: [...fields, signatures] });
      const { logs } = await client.waitForTransactionReceipt({ hash });

      const own = parseEventLogs({ abi: safeAbiFor(version, "L1"), logs }) as unknown as { eventName: string; args: Record<string, unknown> }[];
      assert.deepEqual(
        own.map((event) => [event.eventName, event.args.owner ?? event.args.txHash]),
        [
          ["AddedOwner", newOwner],
          ["ExecutionSuccess", safeTxHash],
        ],
      );
      const others = parseEventLogs({ abi: safeAbiFor(other, "L1"), logs }) as unknown as { eventName: string }[];
      assert.deepEqual(others.map((event) => event.eventName).filter((name) => name === "AddedOwner" || name === "ExecutionSuccess"), []);
    }
  });
});
