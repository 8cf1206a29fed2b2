import assert from "node:assert/strict";
import { SigningMethod } from "@safe-global/types-kit";
import {
  createPublicClient,
  custom,
  getAddress,
  parseAbi,
  parseEther,
  toEventSelector,
  type Address,
  type PublicClient,
} from "viem";
import { hardhat } from "viem/chains";
import { developmentAccount, developmentPrivateKey } from "../../devchain/accounts.ts";
import { createSafe } from "../../devchain/create-safe.ts";
import { startLocalNode, type LocalNode } from "../../devchain/node.ts";
import { connectSafe } from "../../core/safe/protocol-kit.ts";
import { canonicalAddress } from "../helpers/safe-deployments.ts";

const [ana, ben, chen] = [1, 2, 3].map((index) => developmentAccount(index));
const owners = [ana.address, ben.address, chen.address];
const safeRead = parseAbi([
  "function getOwners() view returns (address[])",
  "function getThreshold() view returns (uint256)",
  "function VERSION() view returns (string)",
  "function nonce() view returns (uint256)",
]);
/** Both versions' factories emit ProxyCreation(address proxy, address singleton) (v1.4.1 indexes the proxy). */
const proxyCreationTopic = toEventSelector("ProxyCreation(address,address)");

const kinds = [
  { version: "1.3.0", flavour: "L1", singleton: "GnosisSafe", factory: "GnosisSafeProxyFactory" },
  { version: "1.3.0", flavour: "L2", singleton: "GnosisSafeL2", factory: "GnosisSafeProxyFactory" },
  { version: "1.4.1", flavour: "L1", singleton: "Safe", factory: "SafeProxyFactory" },
  { version: "1.4.1", flavour: "L2", singleton: "SafeL2", factory: "SafeProxyFactory" },
] as const;

describe("test Safes of each version and flavour (devchain/create-safe)", function () {
  this.timeout(180_000);
  let node: LocalNode;
  let client: PublicClient;

  before(async () => {
    node = await startLocalNode({ port: 0 });
    client = createPublicClient({ chain: hardhat, transport: custom(node.provider) }) as PublicClient;
  });
  after(() => node?.stop());

  for (const kind of kinds)
    it(`creates a ${kind.version} ${kind.flavour} Safe through the canonical proxy factory, with its owners, threshold and creation block`, async () => {
      const created = await createSafe(node.provider, { version: kind.version, flavour: kind.flavour, owners, threshold: 2 });
      const read = <T>(functionName: "getOwners" | "getThreshold" | "VERSION") =>
        client.readContract({ address: created.address, abi: safeRead, functionName }) as Promise<T>;
      assert.deepEqual(await read<Address[]>("getOwners"), owners);
      assert.equal(await read<bigint>("getThreshold"), 2n);
      assert.equal(await read<string>("VERSION"), kind.version);
      const slot0 = await client.getStorageAt({ address: created.address, slot: "0x0" });
      assert.equal(getAddress(`0x${slot0!.slice(-40)}`), canonicalAddress(kind.version, kind.singleton), "the proxy delegates to the canonical singleton");

      const receipt = await client.getTransactionReceipt({ hash: created.transactionHash });
      assert.equal(Number(receipt.blockNumber), created.creationBlock);
      const creation = receipt.logs.find((log) => getAddress(log.address) === canonicalAddress(kind.version, kind.factory));
      assert.ok(creation, "the canonical proxy factory logged the creation");
      assert.equal(creation.topics[0], proxyCreationTopic);
      assert.equal(await client.getCode({ address: created.address, blockNumber: BigInt(created.creationBlock - 1) }), undefined);
    });

  it("gives another salt another Safe, and refuses a salt already used", async () => {
    const first = await createSafe(node.provider, { version: "1.3.0", flavour: "L1", owners, threshold: 1, saltNonce: 7n });
    const second = await createSafe(node.provider, { version: "1.3.0", flavour: "L1", owners, threshold: 1, saltNonce: 8n });
    assert.notEqual(first.address, second.address);
    await assert.rejects(createSafe(node.provider, { version: "1.3.0", flavour: "L1", owners, threshold: 1, saltNonce: 7n }), /exists already/);
    await assert.rejects(createSafe(node.provider, { version: "1.4.1", flavour: "L2", owners, threshold: 4 }), /threshold must be between 1 and its 3 owners/);
  });

  it("lets protocol-kit run a 1.3.0 L1 Safe with no contract addresses given: a payment and a batch, signed by two owners", async () => {
    const { address } = await createSafe(node.provider, { version: "1.3.0", flavour: "L1", owners, threshold: 2, saltNonce: 11n });
    await node.provider.request({ method: "eth_sendTransaction", params: [{ from: developmentAccount(0).address, to: address, value: `0x${parseEther("3").toString(16)}` }] } as never);
    const [payee, payee2] = ["0x00000000000000000000000000000000000a11ce", "0x00000000000000000000000000000000000b0b00"] as const;
    const batches = [
      [{ to: payee, value: parseEther("1").toString(), data: "0x" as const }],
      [
        { to: payee, value: parseEther("0.25").toString(), data: "0x" as const },
        { to: payee2, value: parseEther("0.5").toString(), data: "0x" as const },
      ],
    ];
    for (const [nonce, transactions] of batches.entries()) {
      const anaKit = await connectSafe({ rpcUrl: node.url, safeAddress: address, signer: developmentPrivateKey(1) });
      const benKit = await connectSafe({ rpcUrl: node.url, safeAddress: address, signer: developmentPrivateKey(2) });
      assert.equal(await anaKit.getContractVersion(), "1.3.0");
      let transaction = await anaKit.createTransaction({ transactions, options: { nonce } });
      if (transactions.length > 1) assert.equal(getAddress(transaction.data.to), canonicalAddress("1.3.0", "MultiSendCallOnly"));
      transaction = await anaKit.signTransaction(transaction, SigningMethod.ETH_SIGN_TYPED_DATA_V4);
      transaction = await benKit.signTransaction(transaction, SigningMethod.ETH_SIGN_TYPED_DATA_V4);
      const result = await benKit.executeTransaction(transaction);
      const receipt = await client.waitForTransactionReceipt({ hash: result.hash as `0x${string}` });
      assert.equal(receipt.status, "success");
    }
    assert.equal(await client.getBalance({ address: payee }), parseEther("1.25"));
    assert.equal(await client.getBalance({ address: payee2 }), parseEther("0.5"));
    assert.equal(await client.readContract({ address, abi: safeRead, functionName: "nonce" }), 2n);
  });
});
