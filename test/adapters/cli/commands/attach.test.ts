import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createPublicClient, createWalletClient, custom, getAddress, parseEventLogs, type Abi, type Address, type Hex, type PublicClient } from "viem";
import { hardhat } from "viem/chains";
import { developmentAccount } from "../../../../devchain/accounts.ts";
import { createSafe, type CreateSafeReturnType } from "../../../../devchain/create-safe.ts";
import { startLocalNode, type LocalNode } from "../../../../devchain/node.ts";
import { canonicalAddress, safeDeploymentAssets } from "../../../helpers/safe-deployments.ts";
import { entryPoints, freePort, projectRoot, runNode } from "../../../helpers/processes.ts";
import { databaseEnvironment } from "../../../helpers/database.ts";

const owners = [1, 2, 3].map((index) => developmentAccount(index).address);
const deployer = developmentAccount(0);

/** `treasury attach <address> [--rpc URL]`, run as a person would: a chain of its own, no deployment file, no service. */
describe("treasury attach: checking an existing Safe (adapters/cli/commands/attach.ts)", function () {
  this.timeout(120_000);
  let node: LocalNode;
  let client: PublicClient;
  const safes: Record<string, CreateSafeReturnType> = {};

  async function attach(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
    // No RPC_URL, SAFE_ADDRESS, database or deployment file in the environment: everything comes from the arguments.
    const run = runNode(entryPoints.cli, ["attach", ...args], { LOG_LEVEL: "warn", DEPLOYMENT_FILE: "/nonexistent/deployment.json", ...databaseEnvironment("/nonexistent/treasury.db") });
    const code = await run.exited;
    return { code, out: run.stdout(), err: run.stderr() };
  }

  const artifact = (name: string) => JSON.parse(readFileSync(join(projectRoot, `artifacts/contracts/${name}.sol/${name}.json`), "utf8")) as { abi: Abi; bytecode: Hex };

  before(async () => {
    node = await startLocalNode({ port: 0 });
    client = createPublicClient({ chain: hardhat, transport: custom(node.provider) }) as PublicClient;
    for (let index = 0; index < 12; index++) await node.provider.request({ method: "evm_mine", params: [] } as never);
    safes["1.3.0 L1"] = await createSafe(node.provider, { version: "1.3.0", flavour: "L1", owners, threshold: 2, saltNonce: 3n });
    safes["1.4.1 L2"] = await createSafe(node.provider, { version: "1.4.1", flavour: "L2", owners: owners.slice(0, 2), threshold: 1, saltNonce: 3n });
  });
  after(() => node?.stop());

  for (const [kind, singleton] of [["1.3.0 L1", "GnosisSafe"], ["1.4.1 L2", "SafeL2"]] as const)
    it(`prints a ${kind} Safe's chain, version, flavour, owners, threshold, nonce and creation block`, async () => {
      const safe = safes[kind];
      const expectedOwners = kind === "1.3.0 L1" ? owners : owners.slice(0, 2);
      const result = await attach(safe.address.toLowerCase(), "--rpc", node.url);
      assert.equal(result.code, 0, result.err);
      assert.match(result.out, new RegExp(`^Safe +${safe.address}$`, "m"));
      assert.match(result.out, /^Chain +Hardhat \(chain 31337\)$/m);
      assert.match(result.out, new RegExp(`^Version +${kind} \\(${singleton} at ${canonicalAddress(kind.slice(0, 5), singleton)}\\)$`, "m"));
      assert.match(result.out, new RegExp(`^Threshold +${kind === "1.3.0 L1" ? 2 : 1} of ${expectedOwners.length} owners$`, "m"));
      assert.match(result.out, /^Nonce +0$/m);
      assert.match(result.out, new RegExp(`^Created in +block ${safe.creationBlock} \\(the proxy factory's ProxyCreation event\\)$`, "m"));
      assert.match(result.out, new RegExp(`Owners\\n${expectedOwners.map((owner) => `  ${owner}`).join("\\n")}\\n`));

      const json = await attach(safe.address, "--rpc", node.url, "--json");
      assert.equal(json.code, 0, json.err);
      const described = JSON.parse(json.out);
      assert.deepEqual(
        [described.version, described.flavour, described.owners, described.threshold, described.nonce, described.creationBlock, described.chainId, described.chain.name],
        [kind.slice(0, 5), kind.slice(6), expectedOwners, kind === "1.3.0 L1" ? 2 : 1, 0, safe.creationBlock, 31337, "Hardhat"],
      );
    });

  it("refuses, each with one line: not an address, no code there, a contract that is not a Safe, an older Safe, an RPC that does not answer", async () => {
    const wallet = createWalletClient({ account: deployer, chain: hardhat, transport: custom(node.provider) });
    const deploy = async (abi: Abi, bytecode: Hex, args: unknown[] = []) =>
      getAddress((await client.waitForTransactionReceipt({ hash: await wallet.deployContract({ abi, bytecode, args }) })).contractAddress!);
    const token = artifact("TestToken");
    const tokenAddress = await deploy(token.abi, token.bytecode, ["Coin", "COIN", 6]);
    // A Safe proxy in front of a stand-in for a v1.1.1 singleton.
    const oldSingleton = await deploy([], artifact("OldSafeSingletonStub").bytecode);
    const factory = safeDeploymentAssets("1.4.1").SafeProxyFactory as unknown as { abi: Abi };
    const receipt = await client.waitForTransactionReceipt({
      hash: await wallet.writeContract({ address: canonicalAddress("1.4.1", "SafeProxyFactory"), abi: factory.abi, functionName: "createProxyWithNonce", args: [oldSingleton, "0x", 9n] }),
    });
    const [created] = parseEventLogs({ abi: factory.abi, eventName: "ProxyCreation", logs: receipt.logs }) as unknown as { args: { proxy: Address } }[];
    const deadPort = await freePort();

    const cases: [string[], RegExp][] = [
      [["0x1234", "--rpc", node.url], /^treasury: "0x1234" is not an address \(0x and 40 hex digits\)\.$/],
      [[developmentAccount(8).address, "--rpc", node.url], /^treasury: 0x\w{40} is not a Safe: it has no code on chain 31337 \(an ordinary account, or nothing deployed yet\)\.$/],
      [[tokenAddress, "--rpc", node.url], /^treasury: 0x\w{40} is a contract but not a Safe: /],
      [[created.args.proxy, "--rpc", node.url], /^treasury: Safe v1\.1\.1 is not supported; the treasury works with Safe v1\.3\.0 and v1\.4\.1\. /],
      [[safes["1.4.1 L2"].address, "--rpc", `http://127.0.0.1:${deadPort}`], new RegExp(`^treasury: No chain answers at http://127\\.0\\.0\\.1:${deadPort}: check the address, and that the node is running\\.$`)],
      [[safes["1.4.1 L2"].address, "--rpc", "not a url"], /^treasury: "not a url" is not a URL; /],
      [[safes["1.4.1 L2"].address], /^treasury: Give the chain's JSON-RPC address with --rpc URL \(or set RPC_URL\)\.$/],
    ];
    for (const [args, expected] of cases) {
      const result = await attach(...args);
      assert.equal(result.code, 1, `${args.join(" ")}: ${result.out}`);
      assert.equal(result.err.trim().split("\n").length, 1, `one line for ${args.join(" ")}: ${result.err}`);
      assert.match(result.err.trim(), expected);
    }
  });
});
