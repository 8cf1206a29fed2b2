import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import {
  createPublicClient,
  createWalletClient,
  custom,
  encodeFunctionData,
  getAddress,
  hashTypedData,
  parseAbi,
  parseEventLogs,
  zeroAddress,
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { hardhat } from "viem/chains";
import { developmentAccount } from "../../../devchain/accounts.ts";
import { createSafe } from "../../../devchain/create-safe.ts";
import { startLocalNode, type LocalNode } from "../../../devchain/node.ts";
import { safeTxTypes } from "../../../core/safe/safe-tx.ts";
import { detectSafeVersion, NotASafeError, UnsupportedSafeVersionError } from "../../../core/safe/versions.ts";
import { canonicalAddress, safeDeploymentAssets } from "../../helpers/safe-deployments.ts";

const require = createRequire(import.meta.url);
const owners = [1, 2, 3].map((index) => developmentAccount(index).address);
const getTransactionHashAbi = parseAbi([
  "function getTransactionHash(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver, uint256 _nonce) view returns (bytes32)",
]);
const setupAbi = parseAbi([
  "function setup(address[] _owners, uint256 _threshold, address to, bytes data, address fallbackHandler, address paymentToken, uint256 payment, address paymentReceiver)",
]);

const kinds = [
  { version: "1.3.0", flavour: "L1", singleton: "GnosisSafe" },
  { version: "1.3.0", flavour: "L2", singleton: "GnosisSafeL2" },
  { version: "1.4.1", flavour: "L1", singleton: "Safe" },
  { version: "1.4.1", flavour: "L2", singleton: "SafeL2" },
] as const;

describe("Safe version detection (core/safe/versions)", function () {
  this.timeout(180_000);
  let node: LocalNode;
  let client: PublicClient;
  const deployer = developmentAccount(0);
  let wallet: ReturnType<typeof createWalletClient>;

  /** A proxy made by the canonical v1.4.1 factory for any singleton (an unknown one, or a stand-in). */
  async function proxyFor(singleton: Address, initializer: Hex, saltNonce: bigint): Promise<Address> {
    const factory = safeDeploymentAssets("1.4.1").SafeProxyFactory as unknown as { abi: Abi };
    const hash = await wallet.writeContract({
      account: deployer,
      chain: hardhat,
      address: canonicalAddress("1.4.1", "SafeProxyFactory"),
      abi: factory.abi,
      functionName: "createProxyWithNonce",
      args: [singleton, initializer, saltNonce],
    });
    const receipt = await client.waitForTransactionReceipt({ hash });
    const [event] = parseEventLogs({ abi: factory.abi, eventName: "ProxyCreation", logs: receipt.logs }) as unknown as { args: { proxy: Address } }[];
    return getAddress(event.args.proxy);
  }

  async function deployBytecode(bytecode: Hex): Promise<Address> {
    const hash = await wallet.deployContract({ account: deployer, chain: hardhat, abi: [], bytecode });
    return getAddress((await client.waitForTransactionReceipt({ hash })).contractAddress!);
  }

  before(async () => {
    node = await startLocalNode({ port: 0 });
    client = createPublicClient({ chain: hardhat, transport: custom(node.provider) }) as PublicClient;
    wallet = createWalletClient({ account: deployer, chain: hardhat, transport: custom(node.provider) });
  });
  after(() => node?.stop());

  for (const kind of kinds)
    it(`tells a ${kind.version} ${kind.flavour} Safe: version, flavour, canonical singleton, EIP-712 domain, and its helper contracts`, async () => {
      const { address } = await createSafe(node.provider, { version: kind.version, flavour: kind.flavour, owners, threshold: 2 });
      const detected = await detectSafeVersion(client, address);
      assert.equal(detected.version, kind.version);
      assert.equal(detected.flavour, kind.flavour);
      assert.equal(detected.singleton, canonicalAddress(kind.version, kind.singleton));
      assert.deepEqual(detected.knownSingleton, { version: kind.version, flavour: kind.flavour, type: "canonical" });
      assert.deepEqual(detected.domain, { chainId: 31337, verifyingContract: address });
      assert.deepEqual(detected.contracts, {
        multiSend: canonicalAddress(kind.version, "MultiSend"),
        multiSendCallOnly: canonicalAddress(kind.version, "MultiSendCallOnly"),
        simulateTxAccessor: canonicalAddress(kind.version, "SimulateTxAccessor"),
        signMessageLib: canonicalAddress(kind.version, "SignMessageLib"),
        createCall: canonicalAddress(kind.version, "CreateCall"),
        safeProxyFactory: canonicalAddress(kind.version, kind.version === "1.3.0" ? "GnosisSafeProxyFactory" : "SafeProxyFactory"),
      });
      assert.equal(detected.contractsListed, false, "safe-deployments does not list chain 31337");

      // The domain is the one the Safe itself hashes SafeTxs with.
      const safeTx = {
        to: owners[0],
        value: 12_345n,
        data: "0xabcdef" as Hex,
        operation: 0,
        safeTxGas: 0n,
        baseGas: 0n,
        gasPrice: 0n,
        gasToken: zeroAddress,
        refundReceiver: zeroAddress,
        nonce: 3n,
      };
      const onChain = await client.readContract({
        address,
        abi: getTransactionHashAbi,
        functionName: "getTransactionHash",
        args: [safeTx.to, safeTx.value, safeTx.data, safeTx.operation, safeTx.safeTxGas, safeTx.baseGas, safeTx.gasPrice, safeTx.gasToken, safeTx.refundReceiver, safeTx.nonce],
      });
      assert.equal(hashTypedData({ domain: detected.domain, types: safeTxTypes, primaryType: "SafeTx", message: safeTx }), onChain);
    });

  it("tells the version and flavour of a Safe whose singleton safe-deployments does not know, from its code", async () => {
    for (const [file, flavour] of [
      ["SafeL2.sol/SafeL2.json", "L2"],
      ["Safe.sol/Safe.json", "L1"],
    ] as const) {
      const { bytecode } = require(`@safe-global/safe-contracts/build/artifacts/contracts/${file}`) as { bytecode: Hex };
      const singleton = await deployBytecode(bytecode);
      const initializer = encodeFunctionData({
        abi: setupAbi,
        functionName: "setup",
        args: [owners, 1n, zeroAddress, "0x", canonicalAddress("1.4.1", "CompatibilityFallbackHandler"), zeroAddress, 0n, zeroAddress],
      });
      const proxy = await proxyFor(singleton, initializer, 1n);
      const detected = await detectSafeVersion(client, proxy);
      assert.equal(detected.singleton, singleton);
      assert.equal(detected.knownSingleton, undefined);
      assert.equal(detected.version, "1.4.1");
      assert.equal(detected.flavour, flavour);
      assert.equal(detected.contracts.multiSendCallOnly, canonicalAddress("1.4.1", "MultiSendCallOnly"));
    }
  });

  it("confirms an earlier reading in one request, looks again for helpers not deployed then, and reads an upgraded Safe again", async () => {
    const { address } = await createSafe(node.provider, { version: "1.3.0", flavour: "L2", owners, threshold: 2, saltNonce: 7n });
    const requests: string[] = [];
    const counted = createPublicClient({
      chain: hardhat,
      transport: custom({ request: (args: { method: string; params?: unknown }) => (requests.push(args.method), node.provider.request(args as never)) }),
    }) as PublicClient;
    const first = await detectSafeVersion(client, address);
    assert.deepEqual(first.code, {
      singleton: canonicalAddress("1.3.0", "GnosisSafeL2"),
      version: "1.3.0",
      flavour: "L2",
      deployedHelpers: Object.values(first.contracts),
    });

    const again = await detectSafeVersion(counted, address, { chainId: 31337, earlier: first.code });
    assert.deepEqual(requests, ["eth_getStorageAt"]);
    assert.deepEqual(again, first);

    // A helper contract missing from the earlier reading is looked for again on a chain safe-deployments does not list.
    requests.length = 0;
    const withoutHelpers = await detectSafeVersion(counted, address, { chainId: 31337, earlier: { ...first.code, deployedHelpers: [] } });
    assert.deepEqual(requests, ["eth_getStorageAt", ...Array(6).fill("eth_getCode")]);
    assert.deepEqual(withoutHelpers.contracts, first.contracts);

    // A kept reading that is not sound (a version the treasury does not run) is not trusted.
    requests.length = 0;
    await detectSafeVersion(counted, address, { chainId: 31337, earlier: { ...first.code, version: "1.5.0" } });
    assert.ok(requests.includes("eth_call"), "VERSION() is asked again");

    // The Safe moves to the v1.4.1 L1 singleton (what a migration through a delegate call does to slot 0).
    const upgraded = canonicalAddress("1.4.1", "Safe");
    await node.provider.request({ method: "hardhat_setStorageAt", params: [address, "0x0", `0x${upgraded.slice(2).toLowerCase().padStart(64, "0")}`] } as never);
    requests.length = 0;
    const after = await detectSafeVersion(counted, address, { chainId: 31337, earlier: first.code });
    assert.equal(after.singleton, upgraded);
    assert.equal(after.version, "1.4.1");
    assert.equal(after.flavour, "L1");
    assert.equal(after.contracts.multiSendCallOnly, canonicalAddress("1.4.1", "MultiSendCallOnly"));
    assert.ok(requests.includes("eth_call") && requests.filter((method) => method === "eth_getCode").length >= 2, requests.join(", "));
  });

  it("refuses a Safe older than 1.3.0, saying which version it is", async () => {
    const artifact = JSON.parse(
      readFileSync(join(process.cwd(), "artifacts/contracts/OldSafeSingletonStub.sol/OldSafeSingletonStub.json"), "utf8"),
    ) as { bytecode: Hex };
    const proxy = await proxyFor(await deployBytecode(artifact.bytecode), "0x", 2n);
    await assert.rejects(detectSafeVersion(client, proxy), (error: unknown) => {
      assert.ok(error instanceof UnsupportedSafeVersionError);
      assert.match(error.shortMessage, /^Safe v1\.1\.1 is not supported; the treasury works with Safe v1\.3\.0 and v1\.4\.1/);
      return true;
    });
  });

  it("refuses an ordinary account and a contract that is not a Safe, each with its reason", async () => {
    const account = developmentAccount(7).address;
    await assert.rejects(detectSafeVersion(client, account), (error: unknown) => {
      assert.ok(error instanceof NotASafeError);
      assert.match(error.shortMessage, /is not a Safe: it has no code on chain 31337/);
      return true;
    });
    const token = JSON.parse(readFileSync(join(process.cwd(), "artifacts/contracts/TestToken.sol/TestToken.json"), "utf8")) as { abi: Abi; bytecode: Hex };
    const hash = await wallet.deployContract({ account: deployer, chain: hardhat, abi: token.abi, bytecode: token.bytecode, args: ["Coin", "COIN", 6] });
    const tokenAddress = getAddress((await client.waitForTransactionReceipt({ hash })).contractAddress!);
    // A Safe singleton itself is a contract, but not a Safe one can use.
    for (const address of [tokenAddress, canonicalAddress("1.4.1", "SafeL2"), canonicalAddress("1.3.0", "MultiSend")])
      await assert.rejects(detectSafeVersion(client, address), (error: unknown) => {
        assert.ok(error instanceof NotASafeError, `${address}: ${String(error)}`);
        assert.match(error.shortMessage, /is a contract but not a Safe/);
        return true;
      });
  });
});
