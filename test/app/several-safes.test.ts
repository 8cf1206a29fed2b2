import assert from "node:assert/strict";
import { createWalletClient, custom, getAddress, hashTypedData, parseEther, parseUnits, zeroAddress, type Address, type Hash, type Hex } from "viem";
import { hardhat } from "viem/chains";
import { join } from "node:path";
import { connectTreasury } from "../../app/connect.ts";
import { loadConfig } from "../../app/config.ts";
import { startService } from "../../app/start.ts";
import type { Config } from "../../app/config.ts";
import type { TreasuryContext } from "../../core/context.ts";
import { createLogger } from "../../core/logger.ts";
import { executeProposal } from "../../core/proposals/execute.ts";
import { proposePayment } from "../../core/proposals/propose.ts";
import { submitSignature } from "../../core/proposals/signatures.ts";
import { safeTxTypedData } from "../../core/proposals/view.ts";
import { safeAbi } from "../../core/safe/artifacts.ts";
import { erc20Abi } from "../../core/tokens.ts";
import { readHistory, type HistoryRow } from "../../db/chain-mirror/history.ts";
import { readCheckpoint } from "../../db/chain-mirror/read.ts";
import { rollbackTo } from "../../db/chain-mirror/write.ts";
import { connectionOf, handleOf } from "../../db/connection.ts";
import { findSafe, listSafes } from "../../db/safes.ts";
import { createSafe } from "../../devchain/create-safe.ts";
import { developmentAccount } from "../../devchain/accounts.ts";
import { createIndexer } from "../../indexer/indexer.ts";
import { createSharedChainReads } from "../../indexer/shared-reads.ts";
import { startTreasury, type TreasuryFixture } from "../core/proposals/setup.ts";
import { cliEnvironment, runCli } from "../adapters/cli/commands/run-cli.ts";
import { safeTxTypes } from "../helpers/safe-tx-types.ts";
import { databaseEnvironment } from "../helpers/database.ts";

const [funder, ana, ben, chen, dana] = [0, 1, 2, 3, 4].map((index) => developmentAccount(index));
const vendor = getAddress("0x4444aaaa2222bbbb3333cccc4444dddd5555eeee");

/** What the test sent to (or from) one Safe: the history must hold exactly this. */
type Sent = { kind: "payment" | "deposit"; txHash: Hash; token: Address | null; amount: bigint; counterparty: Address };

const moneyRows = (rows: HistoryRow[]) =>
  rows
    .filter((row) => row.kind === "payment" || row.kind === "deposit")
    .map((row) => ({ kind: row.kind, txHash: row.txHash, token: row.token, amount: row.amount, counterparty: row.counterparty }));
const sorted = <T extends { txHash: string; kind: string }>(rows: T[]) => [...rows].sort((a, b) => `${a.txHash}${a.kind}`.localeCompare(`${b.txHash}${b.kind}`));

/**
 * Two v1.4.1 Safes on one local chain, in one database: the deployment's own
 * ("main": ana, ben, chen, 2 of 3) and one added with `treasury safes add`
 * ("grants": ben, chen, dana, 2 of 3). Each has its own context and indexer;
 * the CLI and the proposals act on the Safe named with --safe.
 */
describe("several Safes in one deployment: two Safes, one database, an indexer each (app/connect.ts, app/registered-safes.ts, the CLI's --safe)", function () {
  this.timeout(240_000);
  let t: TreasuryFixture;
  let main: TreasuryContext;
  let grants: TreasuryContext;
  let grantsAddress: Address;
  let env: Record<string, string>;
  let grantsProposal: { safeTxHash: Hex; nonce: number; reviewToken: string } | undefined;
  const sentMain: Sent[] = [];
  const sentGrants: Sent[] = [];
  const cli = (...args: string[]) => runCli(env, args);

  before(async () => {
    t = await startTreasury({ eth: parseEther("10"), tokens: { USDC: parseUnits("5000", 6), DAI: 0n } });
    main = t.ctx;
    env = cliEnvironment(t, "ana");
    const created = await createSafe(t.chain.node.provider, { version: "1.4.1", flavour: "L2", owners: [ben.address, chen.address, dana.address], threshold: 2, saltNonce: 77n });
    grantsAddress = created.address;

    // Money into the grants Safe from outside: a deposit of its own.
    const wallet = createWalletClient({ account: funder, chain: hardhat, transport: custom(t.chain.node.provider) });
    const gift = await wallet.sendTransaction({ to: grantsAddress, value: parseEther("1.5") });
    await t.ctx.client.waitForTransactionReceipt({ hash: gift });
    sentGrants.push({ kind: "deposit", txHash: gift, token: null, amount: parseEther("1.5"), counterparty: funder.address });
  });
  after(() => t?.close());

  it("adds a second Safe with `treasury safes add`, refuses what is not a Safe, and lists both (RPC origin only)", async () => {
    const notASafe = await cli("safes", "add", vendor, "--name", "nope");
    assert.equal(notASafe.code, 1);
    assert.equal(notASafe.err.trim().split("\n").length, 1, notASafe.err);
    const badName = await cli("safes", "add", grantsAddress, "--name", "0xgrants");
    assert.equal(badName.code, 1);
    assert.match(badName.err, /cannot name a Safe/);

    const added = await cli("safes", "add", grantsAddress.toLowerCase(), "--name", "grants", "--rpc", `${t.chain.node.url}/secret-key-123`);
    assert.equal(added.code, 0, added.err);
    assert.match(added.out, /Added "grants": Safe 0x/);
    assert.ok(!added.out.includes("secret-key-123"), "the RPC's path (where keys go) is never printed");
    const again = await cli("safes", "add", grantsAddress, "--name", "other");
    assert.match(again.out, /already a Safe of this treasury, named "grants"/);

    const listed = await cli("safes", "--json");
    assert.equal(listed.code, 0, listed.err);
    const safes = JSON.parse(listed.out) as { name: string; chainId: number; address: string; version: string; flavour: string; rpc: string }[];
    assert.deepEqual(
      safes.map(({ name, chainId, address, rpc }) => ({ name, chainId, address, rpc })),
      [
        { name: "main", chainId: 31337, address: t.chain.deployment.safe.address, rpc: "RPC_URL" },
        { name: "grants", chainId: 31337, address: grantsAddress, rpc: new URL(t.chain.node.url).origin },
      ],
    );
    assert.deepEqual([safes[1].version, safes[1].flavour], ["1.4.1", "L2"]);
    assert.ok(!listed.out.includes("secret-key-123"));
  });

  it("connects the added Safe with its own context over the same database, and refuses a Safe nobody added", async () => {
    const db = handleOf(connectionOf(main.db));
    const registered = findSafe(db, "grants")!;
    // Its stored RPC has a path the node ignores; the connection itself goes to the node.
    grants = await connectTreasury({ config: main.config as Config, logger: createLogger("silent"), db, rpcUrl: t.chain.node.url, safe: registered, closeOnFailure: false });
    assert.equal(grants.safeAddress, grantsAddress);
    assert.deepEqual(grants.safe.domain, { chainId: 31337, verifyingContract: grantsAddress });
    assert.deepEqual(listSafes(db).map((safe) => safe.name), ["main", "grants"]);
    await assert.rejects(
      connectTreasury({ config: { ...(main.config as Config), SAFE_ADDRESS: vendor }, logger: createLogger("silent"), db, rpcUrl: t.chain.node.url, closeOnFailure: false }),
      /is not one of the Safes of .*add it with `treasury safes add/,
    );
  });

  it("a payment from the main Safe to the grants Safe is main's payment and grants' deposit, once each; each history equals what was sent to it", async () => {
    const proposal = await proposePayment(main, { payments: [{ amount: "250", token: "USDC", payee: grantsAddress }], proposer: "ana", memo: "grant round 1" });
    for (const owner of [ana, ben]) await submitSignature(main, { safeTxHash: proposal.safeTxHash, signature: await owner.signTypedData(safeTxTypedData(main, proposal)), source: "wallet" });
    const executed = await executeProposal(main, { safeTxHash: proposal.safeTxHash });
    const usdc = t.chain.deployment.tokens.find((token) => token.symbol === "USDC")!.address;
    sentMain.push({ kind: "payment", txHash: executed.txHash, token: usdc, amount: parseUnits("250", 6), counterparty: grantsAddress });
    sentGrants.push({ kind: "deposit", txHash: executed.txHash, token: usdc, amount: parseUnits("250", 6), counterparty: t.chain.deployment.safe.address });
    assert.equal(await main.client.readContract({ address: usdc, abi: erc20Abi, functionName: "balanceOf", args: [grantsAddress] }), parseUnits("250", 6));

    await createIndexer({ ctx: main, progress: "off" }).runOnce();
    await createIndexer({ ctx: grants, progress: "off" }).runOnce();

    const mainMoney = moneyRows(readHistory(main.db));
    const grantsMoney = moneyRows(readHistory(grants.db));
    // The main Safe: the fixture's funding deposits, then the one payment sent to the grants Safe.
    assert.deepEqual(mainMoney.filter((row) => row.kind === "payment"), sentMain);
    assert.ok(mainMoney.filter((row) => row.kind === "deposit").every((row) => row.counterparty !== grantsAddress), "main received nothing from grants");
    // The grants Safe: exactly what the test sent to it, nothing of main's.
    assert.deepEqual(sorted(grantsMoney), sorted(sentGrants));
    assert.equal(grantsMoney.filter((row) => row.txHash === executed.txHash).length, 1, "the transfer is one deposit of grants");
    assert.equal(mainMoney.filter((row) => row.txHash === executed.txHash).length, 1, "and one payment of main");
  });

  it("a rollback of one Safe's indexer leaves the other's rows untouched, and its re-index equals the first", async () => {
    const before = { main: readHistory(main.db), grants: readHistory(grants.db), mainCheckpoint: readCheckpoint(main.db) };
    const grantsCheckpoint = readCheckpoint(grants.db)!;
    // Roll the grants Safe back to below its first deposit, as a reorg would.
    const firstDepositBlock = Math.min(...before.grants.map((row) => row.blockNumber));
    const ancestor = await grants.client.getBlock({ blockNumber: BigInt(firstDepositBlock - 1) });
    rollbackTo(grants.db, { number: Number(ancestor.number), hash: ancestor.hash, parentHash: ancestor.parentHash, timestamp: Number(ancestor.timestamp) });
    assert.deepEqual(readHistory(grants.db).filter((row) => row.kind === "deposit"), [], "grants' deposits are rolled back");
    assert.deepEqual(readHistory(main.db), before.main, "main's rows are untouched");
    assert.deepEqual(readCheckpoint(main.db), before.mainCheckpoint, "main's checkpoint stays");
    assert.ok(readCheckpoint(grants.db)!.blockNumber < firstDepositBlock);

    await createIndexer({ ctx: grants, progress: "off" }).runOnce();
    assert.deepEqual(readHistory(grants.db), before.grants);
    assert.ok(readCheckpoint(grants.db)!.blockNumber >= grantsCheckpoint.blockNumber);
  });

  it("two indexers sharing their reads (indexer/shared-reads.ts) rebuild each Safe's rows as its own indexer did", async () => {
    const before = { main: readHistory(main.db), grants: readHistory(grants.db) };
    // Both Safes rolled back to one block below every row of either: their reads start level and are shared.
    const lowest = Math.min(...[...before.main, ...before.grants].map((row) => row.blockNumber));
    const ancestor = await main.client.getBlock({ blockNumber: BigInt(lowest - 1) });
    const header = { number: Number(ancestor.number), hash: ancestor.hash, parentHash: ancestor.parentHash, timestamp: Number(ancestor.timestamp) };
    rollbackTo(main.db, header);
    rollbackTo(grants.db, header);
    assert.deepEqual([readHistory(main.db).length, readHistory(grants.db).length], [0, 0]);

    const sharedReads = createSharedChainReads();
    await Promise.all([main, grants].map((ctx) => createIndexer({ ctx, progress: "off", sharedReads }).runOnce()));
    assert.deepEqual(readHistory(main.db), before.main);
    assert.deepEqual(readHistory(grants.db), before.grants);
  });

  it("`treasury history --safe` shows only that Safe's rows; with several Safes and none named, or an unknown name, it stops with one line", async () => {
    const history = async (safe: string) => {
      const run = await cli("history", "--safe", safe, "--json");
      assert.equal(run.code, 0, run.err);
      return JSON.parse(run.out) as { kind: string; txHash: Hash; token: Address | null; amount: string | null; counterparty: Address | null }[];
    };
    const grantsRows = (await history("grants")).filter((row) => row.kind === "deposit" || row.kind === "payment");
    assert.deepEqual(
      sorted(grantsRows.map((row) => ({ kind: row.kind, txHash: row.txHash, token: row.token, amount: BigInt(row.amount!), counterparty: row.counterparty }))),
      sorted(sentGrants),
    );
    const mainRows = await history("MAIN");
    assert.deepEqual(
      mainRows.filter((row) => row.kind === "payment").map((row) => row.txHash),
      sentMain.map((row) => row.txHash),
    );
    assert.ok(!mainRows.some((row) => row.kind === "deposit" && row.counterparty === funder.address && BigInt(row.amount!) === parseEther("1.5")), "grants' deposit is not main's");
    const byAddress = await history(grantsAddress.toLowerCase());
    assert.equal(byAddress.length, grantsRows.length + (await history("grants")).filter((row) => row.kind !== "deposit" && row.kind !== "payment").length);

    const unnamed = await cli("history", "--json");
    assert.equal(unnamed.code, 1);
    assert.equal(unnamed.err.trim(), "treasury: This treasury runs 2 Safes (main, grants): say which with --safe <name>.");
    const unknown = await cli("history", "--safe", "payroll");
    assert.equal(unknown.code, 1);
    assert.equal(unknown.err.trim(), 'treasury: No Safe is called "payroll" here; the Safes are: main, grants.');
  });

  it("`treasury pay --safe grants` builds a SafeTx for the grants Safe: its nonce, its EIP-712 domain", async () => {
    const mainNonce = (await main.client.readContract({ address: main.safeAddress, abi: safeAbi, functionName: "nonce" })) as bigint;
    const grantsNonce = (await main.client.readContract({ address: grantsAddress, abi: safeAbi, functionName: "nonce" })) as bigint;
    assert.notEqual(mainNonce, grantsNonce, "the two Safes are at different nonces");

    const paid = await cli("pay", "0.1", "ETH", "to", vendor, "--memo", "grant to vendor", "--safe", "grants", "--json");
    assert.equal(paid.code, 0, paid.err);
    const proposal = JSON.parse(paid.out) as { safeTxHash: Hex; nonce: number; reviewToken: string; safeTx: Record<string, string | number> };
    grantsProposal = proposal;
    assert.equal(BigInt(proposal.nonce), grantsNonce);
    const message = {
      to: proposal.safeTx.to as Address, value: BigInt(proposal.safeTx.value), data: proposal.safeTx.data as Hex, operation: Number(proposal.safeTx.operation),
      safeTxGas: BigInt(proposal.safeTx.safeTxGas), baseGas: BigInt(proposal.safeTx.baseGas), gasPrice: BigInt(proposal.safeTx.gasPrice),
      gasToken: proposal.safeTx.gasToken as Address, refundReceiver: proposal.safeTx.refundReceiver as Address, nonce: grantsNonce,
    };
    assert.deepEqual([message.to, message.value, message.gasToken], [vendor, parseEther("0.1"), zeroAddress]);
    assert.equal(proposal.safeTxHash, hashTypedData({ domain: { chainId: 31337, verifyingContract: grantsAddress }, types: safeTxTypes, primaryType: "SafeTx", message }));
    // The grants Safe's own contract agrees.
    assert.equal(
      await main.client.readContract({
        address: grantsAddress, abi: safeAbi, functionName: "getTransactionHash",
        args: [message.to, message.value, message.data, message.operation, message.safeTxGas, message.baseGas, message.gasPrice, message.gasToken, message.refundReceiver, message.nonce],
      }),
      proposal.safeTxHash,
    );

    // It is the grants Safe's proposal, not main's.
    const listedGrants = await cli("proposals", "--safe", "grants", "--json");
    assert.equal(listedGrants.code, 0, listedGrants.err);
    assert.deepEqual((JSON.parse(listedGrants.out) as { safeTxHash: string }[]).map((row) => row.safeTxHash), [proposal.safeTxHash]);
    const listedMain = await cli("proposals", "--safe", "main", "--json");
    assert.ok(!(JSON.parse(listedMain.out) as { safeTxHash: string }[]).some((row) => row.safeTxHash === proposal.safeTxHash));
  });

  it("the service runs an indexer per Safe over the one database, and /healthz reports each Safe", async () => {
    const config = loadConfig({
      RPC_URL: t.chain.node.url,
      SAFE_ADDRESS: t.chain.deployment.safe.address,
      ...databaseEnvironment(main.config.DATABASE_PATH),
      DEPLOYMENT_FILE: join(t.chain.dir, "no-deployment.json"),
      HOST: "127.0.0.1",
      PORT: "0",
      LOG_LEVEL: "silent",
      CONFIRMATIONS: "0",
    });
    const service = await startService(config, createLogger("silent"));
    try {
      assert.deepEqual(service.contexts.map((safe) => safe.safeAddress), [t.chain.deployment.safe.address, grantsAddress]);
      const head = Number(await main.client.getBlockNumber());
      type SafeHealth = { name: string; ok: boolean; safeAddress: string; indexedBlock: number | null; latestBlock: number | null };
      let health: { ok: boolean; safes: SafeHealth[] } | undefined;
      for (let attempt = 0; attempt < 100; attempt++) {
        health = (await (await fetch(`${service.url}/healthz`)).json()) as { ok: boolean; safes: SafeHealth[] };
        if (health.safes.every((safe) => safe.indexedBlock !== null && safe.indexedBlock >= head)) break;
        await new Promise((done) => setTimeout(done, 100));
      }
      assert.ok(health?.ok, JSON.stringify(health));
      assert.deepEqual(
        health!.safes.map((safe) => [safe.name, safe.safeAddress, safe.ok, (safe.indexedBlock ?? -1) >= head]),
        [
          ["main", t.chain.deployment.safe.address, true, true],
          ["grants", grantsAddress, true, true],
        ],
      );

      // The grants Safe's proposal has its review page: its typed data is the grants Safe's.
      assert.ok(grantsProposal, "the pay test ran first");
      const review = await fetch(`${service.url}/api/review/${grantsProposal.reviewToken}`);
      assert.equal(review.status, 200);
      assert.equal(((await review.json()) as { safeTxHash: string }).safeTxHash, grantsProposal.safeTxHash);
      const typed = (await (await fetch(`${service.url}/api/review/${grantsProposal.reviewToken}/typed-data`)).json()) as { domain: { verifyingContract: string; chainId: number } };
      assert.equal(getAddress(typed.domain.verifyingContract), grantsAddress);
      const page = await fetch(`${service.url}/review/${grantsProposal.reviewToken}`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), new RegExp(grantsAddress, "i"));
    } finally {
      await service.stop();
    }
  });
});
