import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  concat,
  createPublicClient,
  createWalletClient,
  custom,
  encodeFunctionData,
  getAddress,
  parseEther,
  parseUnits,
  zeroAddress,
  type Abi,
  type Address,
  type Hash,
  type Hex,
  type PublicClient,
} from "viem";
import { hardhat } from "viem/chains";
import { developmentAccount, developmentPrivateKey } from "../../devchain/accounts.ts";
import { createSafe } from "../../devchain/create-safe.ts";
import { startLocalNode, type LocalNode } from "../../devchain/node.ts";
import { safeAbi } from "../../core/safe/artifacts.ts";
import { erc20Abi } from "../../core/tokens.ts";
import { entryPoints, projectRoot, runNode, type RunningProcess } from "../helpers/processes.ts";
import { databaseEnvironment } from "../helpers/database.ts";

const funder = developmentAccount(0);
const [ana, ben, chen, dana] = [1, 2, 3, 4].map((index) => developmentAccount(index));
const relayerIndex = 5;
const outsider = developmentAccount(6);
const [acme, pixel, harbour, bluebird] = [
  "0x1111aaaa2222bbbb3333cccc4444dddd5555eeee",
  "0x2222aaaa2222bbbb3333cccc4444dddd5555eeee",
  "0x3333aaaa2222bbbb3333cccc4444dddd5555eeee",
  "0x4444aaaa2222bbbb3333cccc4444dddd5555eeee",
].map((address) => getAddress(address));

type Sent = { kind: "payment" | "deposit" | "owner_change"; txHash: Hash; counterparty: Address | null; token: Address | null; amount: bigint | null; nonce: number | null };
type HistoryJson = { symbol: string | null; decimals: number | null; kind: string; blockNumber: number; description: string | null; txHash: Hash; counterparty: Address | null; token: Address | null; amount: string | null; nonce: number | null; memo: string | null; safeTxHash: Hash | null };

/**
 * A group that already has a Safe: created and used on a chain the treasury
 * did not start (its own Hardhat node), before the treasury ever ran. The
 * treasury is then pointed at it with RPC_URL and SAFE_ADDRESS alone, in a
 * fresh data folder with no deployment file, and runs it through the real CLI.
 */
// The service itself is started for one of them (it adds a minute).
const kinds: readonly { version: "1.3.0" | "1.4.1"; flavour: "L1" | "L2"; withService: boolean }[] = [
  { version: "1.4.1", flavour: "L2", withService: true },
  { version: "1.3.0", flavour: "L1", withService: false },
];

for (const kind of kinds)
describe(`an existing Safe v${kind.version} ${kind.flavour}, attached with RPC_URL and SAFE_ADDRESS alone (app/connect.ts, through the CLI and the service)`, function () {
  this.timeout(240_000);
  let node: LocalNode;
  let client: PublicClient;
  let safe: Address;
  let creationBlock: number;
  let token: Address;
  const dir = mkdtempSync(join(tmpdir(), "treasury-existing-safe-"));
  const sent: Sent[] = [];
  let env: Record<string, string>;
  let service: RunningProcess | undefined;

  const wallet = (account = funder) => createWalletClient({ account, chain: hardhat, transport: custom(node.provider) });

  async function mined(hash: Hash): Promise<Hash> {
    const receipt = await client.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, "success", `transaction ${hash}`);
    return hash;
  }

  /** Runs a SafeTx the way the Safe app does: owners sign the EIP-712 SafeTx, one of them sends execTransaction. */
  async function execute(signers: typeof ana[], call: { to: Address; value?: bigint; data?: Hex }): Promise<Hash> {
    const nonce = (await client.readContract({ address: safe, abi: safeAbi, functionName: "nonce" })) as bigint;
    const message = {
      to: call.to, value: call.value ?? 0n, data: call.data ?? "0x", operation: 0, safeTxGas: 0n, baseGas: 0n, gasPrice: 0n,
      gasToken: zeroAddress, refundReceiver: zeroAddress, nonce,
    } as const;
    const typedData = {
      domain: { chainId: hardhat.id, verifyingContract: safe },
      primaryType: "SafeTx",
      types: {
        SafeTx: [
          { name: "to", type: "address" }, { name: "value", type: "uint256" }, { name: "data", type: "bytes" },
          { name: "operation", type: "uint8" }, { name: "safeTxGas", type: "uint256" }, { name: "baseGas", type: "uint256" },
          { name: "gasPrice", type: "uint256" }, { name: "gasToken", type: "address" }, { name: "refundReceiver", type: "address" },
          { name: "nonce", type: "uint256" },
        ],
      },
      message,
    } as const;
    const ordered = [...signers].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
    const signatures = concat(await Promise.all(ordered.map((signer) => signer.signTypedData(typedData))));
    const hash = await wallet(signers[0]).writeContract({
      address: safe,
      abi: safeAbi,
      functionName: "execTransaction",
      args: [message.to, message.value, message.data, message.operation, 0n, 0n, 0n, zeroAddress, zeroAddress, signatures],
    });
    return mined(hash);
  }

  async function cli(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
    return cliWith({}, ...args);
  }

  async function cliWith(extra: Record<string, string>, ...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
    const run = runNode(entryPoints.cli, args, { ...env, ...extra });
    const code = await run.exited;
    return { code, out: run.stdout(), err: run.stderr() };
  }

  async function history(): Promise<HistoryJson[]> {
    const listed = await cli("history", "--json");
    assert.equal(listed.code, 0, listed.err);
    return JSON.parse(listed.out) as HistoryJson[];
  }

  before(async () => {
    node = await startLocalNode({ port: 0 });
    client = createPublicClient({ chain: hardhat, transport: custom(node.provider) }) as PublicClient;
    // Some history before the Safe exists, so its creation block is not the chain's first.
    for (let index = 0; index < 25; index++) await node.provider.request({ method: "evm_mine", params: [] } as never);
    const created = await createSafe(node.provider, { version: kind.version, flavour: kind.flavour, owners: [ana.address, ben.address, chen.address], threshold: 2, saltNonce: 42n });
    safe = created.address;
    creationBlock = created.creationBlock;
    // The Safe's set-up (its first owners and threshold) is the first thing in its history.
    sent.push({ kind: "owner_change", txHash: created.transactionHash, counterparty: null, token: null, amount: null, nonce: null });

    // Deposits: the native coin from two people, and an ERC-20 the treasury was never told about.
    sent.push({ kind: "deposit", txHash: await mined(await wallet().sendTransaction({ to: safe, value: parseEther("5") })), counterparty: funder.address, token: null, amount: parseEther("5"), nonce: null });
    const artifact = JSON.parse(readFileSync(join(projectRoot, "artifacts/contracts/TestToken.sol/TestToken.json"), "utf8")) as { abi: Abi; bytecode: Hex };
    const deployed = await client.waitForTransactionReceipt({ hash: await wallet().deployContract({ abi: artifact.abi, bytecode: artifact.bytecode, args: ["Grant Token", "GRT", 6] }) });
    token = getAddress(deployed.contractAddress!);
    await mined(await wallet().writeContract({ address: token, abi: erc20Abi, functionName: "mint", args: [funder.address, parseUnits("1000", 6)] }));
    const tokenDeposit = await mined(await wallet().writeContract({ address: token, abi: erc20Abi, functionName: "transfer", args: [safe, parseUnits("400", 6)] }));
    sent.push({ kind: "deposit", txHash: tokenDeposit, counterparty: funder.address, token, amount: parseUnits("400", 6), nonce: null });

    // Payments signed by two of three owners, an owner added, then a payment the new owner co-signs.
    sent.push({ kind: "payment", txHash: await execute([ana, ben], { to: acme, value: parseEther("1.25") }), counterparty: acme, token: null, amount: parseEther("1.25"), nonce: 0 });
    const grant = encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [pixel, parseUnits("150.5", 6)] });
    sent.push({ kind: "payment", txHash: await execute([ben, chen], { to: token, data: grant }), counterparty: pixel, token, amount: parseUnits("150.5", 6), nonce: 1 });
    const addDana = encodeFunctionData({ abi: safeAbi, functionName: "addOwnerWithThreshold", args: [dana.address, 2n] });
    sent.push({ kind: "owner_change", txHash: await execute([ana, chen], { to: safe, data: addDana }), counterparty: dana.address, token: null, amount: null, nonce: 2 });
    sent.push({ kind: "payment", txHash: await execute([dana, ana], { to: harbour, value: parseEther("0.3") }), counterparty: harbour, token: null, amount: parseEther("0.3"), nonce: 3 });
    sent.push({ kind: "deposit", txHash: await mined(await wallet(outsider).sendTransaction({ to: safe, value: parseEther("0.75") })), counterparty: outsider.address, token: null, amount: parseEther("0.75"), nonce: null });
    for (let index = 0; index < 5; index++) await node.provider.request({ method: "evm_mine", params: [] } as never);

    const dataDir = join(dir, "data");
    env = {
      RPC_URL: node.url,
      SAFE_ADDRESS: safe,
      // A fresh data folder: no database yet, and no deployment file (the treasury did not set this chain up).
      ...databaseEnvironment(join(dataDir, "treasury.db")),
      DEPLOYMENT_FILE: join(dataDir, "deployment.json"),
      CHAIN_JOURNAL_FILE: join(dataDir, "chain-journal.jsonl"),
      LOG_LEVEL: "warn",
      TREASURY_MEMBER: "ana",
      // The relayer only pays gas: it is not an owner, and no owner's key is ever given to the treasury.
      RELAYER_PRIVATE_KEY: developmentPrivateKey(relayerIndex),
      PUBLIC_URL: "http://127.0.0.1:3999",
    };
  });
  after(async () => {
    if (service && service.child.exitCode === null) {
      service.child.kill("SIGTERM");
      await service.exited;
    }
    await node?.stop();
  });

  it(`existing Safe v${kind.version}: backfills its whole history from its creation block, as the chain has it`, async () => {
    const indexed = await cliWith({ LOG_LEVEL: "info" }, "index", "--once");
    assert.equal(indexed.code, 0, indexed.err);
    assert.match(indexed.out, /^Indexed up to block \d+/);
    const found = indexed.err.split("\n").filter((line) => line.includes("found the Safe's creation block")).map((line) => JSON.parse(line));
    assert.deepEqual(found.map((line) => [line.creationBlock, line.from]), [[creationBlock, "ProxyCreation event"]], "from the factory's event, once");
    assert.ok(!existsSync(env.DEPLOYMENT_FILE), "attaching writes no deployment file");

    const rows = await history();
    const seen = rows.map((row) => ({
      kind: row.kind,
      txHash: row.txHash,
      counterparty: row.counterparty && getAddress(row.counterparty),
      token: row.token && getAddress(row.token),
      amount: row.amount === null ? null : BigInt(row.amount),
      nonce: row.nonce,
    }));
    assert.deepEqual(seen, sent, "every deposit, payment and owner change the group made, in chain order, with exact amounts");
    const grantRows = rows.filter((row) => row.token && getAddress(row.token) === token);
    assert.deepEqual(grantRows.map((row) => [row.symbol, row.decimals]), [["GRT", 6], ["GRT", 6]], "the token's symbol and decimals are read from its contract");
    assert.equal(rows[0].blockNumber, creationBlock, "the history starts at the Safe's creation");
    assert.match(rows[0].description ?? "", /set up with 3 owners, 2 approvals needed/);
  });

  it(`existing Safe v${kind.version}: a payment is proposed, signed by two owners from their own key files, executed by the relayer and indexed`, async () => {
    const paid = await cli("pay", "0.4", "ETH", "to", bluebird, "--memo", "Bluebird invoice 12", "--json");
    assert.equal(paid.code, 0, paid.err);
    const proposal = JSON.parse(paid.out) as { safeTxHash: Hash; nonce: number };
    const onChainNonce = (await client.readContract({ address: safe, abi: safeAbi, functionName: "nonce" })) as bigint;
    assert.equal(BigInt(proposal.nonce), onChainNonce, "the proposal takes the Safe's next nonce (4 were used before the treasury ran)");

    // Ana and the owner added before the treasury ran sign, each with their own key, on their own machine.
    for (const [index, owner] of [[1, ana], [4, dana]] as const) {
      const keyFile = join(dir, `owner-${index}.key`);
      writeFileSync(keyFile, `${developmentPrivateKey(index)}\n`, { mode: 0o600 });
      const signed = await cli("sign", proposal.safeTxHash, "--key-file", keyFile, "--accept-warnings");
      assert.equal(signed.code, 0, signed.err);
      assert.match(signed.out, new RegExp(`Approved by ${owner.address}`));
    }
    const before = await client.getBalance({ address: bluebird });
    const executed = await cli("execute", proposal.safeTxHash);
    assert.equal(executed.code, 0, executed.err);
    const txHash = /Executed: (0x[0-9a-f]{64})/.exec(executed.out)?.[1] as Hash | undefined;
    assert.ok(txHash, executed.out);
    assert.equal((await client.getBalance({ address: bluebird })) - before, parseEther("0.4"));

    const indexed = await cliWith({ LOG_LEVEL: "info" }, "index", "--once");
    assert.equal(indexed.code, 0, indexed.err);
    assert.doesNotMatch(indexed.err, /creation/, "the creation block found the first time is kept, not searched for again");
    const rows = await history();
    assert.equal(rows.length, sent.length + 1);
    const last = rows.at(-1)!;
    assert.deepEqual(
      [last.kind, last.txHash, getAddress(last.counterparty!), last.amount, last.nonce, last.safeTxHash, last.memo],
      ["payment", txHash, bluebird, parseEther("0.4").toString(), Number(onChainNonce), proposal.safeTxHash, "Bluebird invoice 12"],
    );
  });

  if (kind.withService)
  it(`existing Safe v${kind.version}: the service runs it with RPC_URL and SAFE_ADDRESS alone, and its indexer picks up a payment made through the CLI`, async () => {
    service = runNode(entryPoints.service, [], { ...env, PORT: "0", LOG_LEVEL: "info" });
    const started = JSON.parse(await service.waitForLine(/treasury service started/, 90_000)) as { url: string };
    const health = (await (await fetch(`${started.url}/healthz`)).json()) as { chainId: number; safeAddress: string };
    assert.deepEqual([health.chainId, getAddress(health.safeAddress)], [hardhat.id, safe]);
    assert.doesNotMatch(service.stdout(), /local chain started|demo Safe (deployed|reused)/, "the service started no chain and deployed nothing");
    assert.ok(!existsSync(env.DEPLOYMENT_FILE), "and wrote no deployment file");

    const paid = await cli("pay", "0.05", "ETH", "to", acme, "--memo", "Acme retainer", "--json");
    assert.equal(paid.code, 0, paid.err);
    const proposal = JSON.parse(paid.out) as { safeTxHash: Hash };
    for (const index of [2, 3]) {
      const keyFile = join(dir, `owner-${index}.key`);
      writeFileSync(keyFile, `${developmentPrivateKey(index)}\n`, { mode: 0o600 });
      const signed = await cli("sign", proposal.safeTxHash, "--key-file", keyFile, "--accept-warnings");
      assert.equal(signed.code, 0, signed.err);
    }
    const executed = await cli("execute", proposal.safeTxHash);
    assert.equal(executed.code, 0, executed.err);
    const txHash = /Executed: (0x[0-9a-f]{64})/.exec(executed.out)?.[1];

    // The service's own indexer (following the head) records it; nobody runs `treasury index` this time.
    const deadline = Date.now() + 30_000;
    let found: HistoryJson | undefined;
    while (!found && Date.now() < deadline) {
      found = (await history()).find((row) => row.txHash === txHash);
      if (!found) await new Promise((done) => setTimeout(done, 500));
    }
    assert.ok(found, `the service indexed ${txHash}; its output:\n${service.stdout().slice(-2000)}`);
    assert.deepEqual([found.kind, getAddress(found.counterparty!), found.amount, found.safeTxHash, found.memo], ["payment", acme, parseEther("0.05").toString(), proposal.safeTxHash, "Acme retainer"]);
  });
});
