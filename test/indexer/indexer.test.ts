import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { getAddress, parseEther, parseUnits, zeroAddress, type Abi, type Address, type Hex } from "viem";
import { createIndexer } from "../../indexer/indexer.ts";
import { readIndexedSafeState } from "../../db/chain-mirror/safe-state.ts";
import { readCheckpoint } from "../../db/chain-mirror/read.ts";
import { writeMeta } from "../../db/meta.ts";
import { developmentAccount } from "../../devchain/accounts.ts";
import type { TreasuryContext } from "../../core/context.ts";
import { safeAbi } from "../../core/safe/artifacts.ts";
import { readSafeState } from "../../core/safe/read-state.ts";
import { erc20Abi } from "../../core/tokens.ts";
import { startTestChain, type TestChain } from "../helpers/chain.ts";
import { createTestContext } from "../helpers/context.ts";
import { countRows, dumpMirror } from "./dump.ts";
import { erc20Transfer, execSafeTx, multiSend, previousOwner, selfCall, wallet } from "./safe-helpers.ts";
import { connectionOf } from "../../db/connection.ts";
import { closeDatabase } from "../../db/open.ts";

const [ana, ben, chen, dana, eli] = [1, 2, 3, 4, 5].map((index) => developmentAccount(index));
const funder = developmentAccount(6);
const moduleAccount = developmentAccount(9);
const payee: Address = "0xd0D87b91703CA512f7c4aD24FDA3B97130c3367d";
const payee2: Address = "0x1111111111111111111111111111111111111111";
const payee3: Address = "0x2222222222222222222222222222222222222222";
const sentinel: Address = "0x0000000000000000000000000000000000000001";

describe("indexer", function () {
  this.timeout(120_000);
  let chain: TestChain;
  let ctx: TreasuryContext;
  const hashes: Record<string, Hex> = {};
  let grant: Address;

  before(async () => {
    chain = await startTestChain({ owners: [ana.address, ben.address, chen.address], threshold: 2 });
    ctx = createTestContext(chain);
    const { deployment, client } = chain;
    const safe = deployment.safe.address;
    const [usdc, dai] = deployment.tokens;
    const deployer = wallet(chain, 0);
    const wait = (hash: Hex) => client.waitForTransactionReceipt({ hash });

    // Money in: ETH from a funder, USDC minted to the Safe, and a token the deployment does not list.
    await wait(await wallet(chain, 6).sendTransaction({ to: safe, value: parseEther("3") }));
    await wait(await deployer.writeContract({ address: usdc.address, abi: erc20Abi, functionName: "mint", args: [safe, parseUnits("500", 6)] }));
    await wait(await deployer.writeContract({ address: usdc.address, abi: erc20Abi, functionName: "mint", args: [funder.address, 1n] })); // not the Safe's
    const artifact = JSON.parse(readFileSync(join(process.cwd(), "artifacts/contracts/TestToken.sol/TestToken.json"), "utf8")) as { abi: Abi; bytecode: Hex };
    const deployed = await wait(await deployer.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode, args: ["Grant Token", "GRANT", 4] }));
    grant = getAddress(deployed.contractAddress!);
    await wait(await deployer.writeContract({ address: grant, abi: erc20Abi, functionName: "mint", args: [safe, 12_345n] }));

    // 0: an ETH payment, two EIP-712 signatures.
    hashes.eth = (await execSafeTx(chain, { to: payee, value: parseEther("1") }, [{ account: ana, method: "typed" }, { account: ben, method: "typed" }])).safeTxHash;
    // 1: a USDC payment: chen by eth_sign, ben by an approved hash.
    const nonce = (await client.readContract({ address: safe, abi: safeAbi, functionName: "nonce" })) as bigint;
    const { safeTxHash: usdcHash } = await (async () => {
      const { safeTxMessage, signSafeTx } = await import("./safe-helpers.ts");
      return signSafeTx(chain, safeTxMessage(erc20Transfer(usdc.address, payee, parseUnits("250", 6)), nonce), []);
    })();
    await wait(await wallet(chain, 2).writeContract({ address: safe, abi: safeAbi, functionName: "approveHash", args: [usdcHash] }));
    hashes.usdc = (
      await execSafeTx(chain, erc20Transfer(usdc.address, payee, parseUnits("250", 6)), [
        { account: chen, method: "eth_sign" },
        { account: ben, method: "approved" },
      ])
    ).safeTxHash;
    assert.equal(hashes.usdc, usdcHash);
    // 2: a MultiSend batch of three transfers, executed by ana (her own approval is msg.sender).
    hashes.batch = (
      await execSafeTx(
        chain,
        multiSend(chain, [
          { to: payee, value: parseEther("0.5") },
          erc20Transfer(usdc.address, payee2, parseUnits("100", 6)),
          erc20Transfer(dai.address, payee3, parseUnits("10", 18)),
        ]),
        [{ account: ana, method: "approved" }, { account: ben, method: "typed" }],
        { executor: 1 },
      )
    ).safeTxHash;
    const two = [{ account: ana, method: "typed" }, { account: ben, method: "typed" }] as const;
    // 3-4: a module that moves money once, fails once, and is disabled.
    await execSafeTx(chain, selfCall(chain, "enableModule", [moduleAccount.address]), [...two]);
    const module = wallet(chain, 9);
    await wait(await module.writeContract({ address: safe, abi: safeAbi, functionName: "execTransactionFromModule", args: [payee, parseEther("0.1"), "0x", 0] }));
    const tooMuch = erc20Transfer(usdc.address, payee, 10n ** 30n);
    await wait(await module.writeContract({ address: safe, abi: safeAbi, functionName: "execTransactionFromModule", args: [tooMuch.to, 0n, tooMuch.data!, 0], gas: 300_000n }));
    await execSafeTx(chain, selfCall(chain, "disableModule", [sentinel, moduleAccount.address]), [...two]);
    // 5: a guard change (to none), 6: a SafeTx whose call fails (safeTxGas set, so it does not revert).
    await execSafeTx(chain, selfCall(chain, "setGuard", [zeroAddress]), [...two]);
    hashes.failed = (await execSafeTx(chain, tooMuch, [...two], { safeTxGas: 100_000n })).safeTxHash;
    // 7-10: owners and threshold.
    await execSafeTx(chain, selfCall(chain, "addOwnerWithThreshold", [dana.address, 2n]), [...two]);
    await execSafeTx(chain, selfCall(chain, "changeThreshold", [3n]), [...two]);
    await execSafeTx(chain, selfCall(chain, "removeOwner", [await previousOwner(chain, dana.address), dana.address, 2n]), [
      ...two,
      { account: chen, method: "typed" },
    ]);
    await execSafeTx(chain, selfCall(chain, "swapOwner", [await previousOwner(chain, chen.address), chen.address, eli.address]), [...two]);
  });

  after(async () => {
    if (ctx) closeDatabase(ctx.db);
    await chain?.stop();
  });

  it("indexes every event kind from the Safe's creation to the head", async () => {
    const batches: { fromBlock: number; toBlock: number }[] = [];
    const indexer = createIndexer({ ctx, progress: "off", initialRange: 1, maxRange: 2, onBatch: (batch) => void batches.push(batch) });
    const result = await indexer.runOnce();
    const head = Number(await chain.client.getBlockNumber());
    assert.equal(result.toBlock, head);
    assert.ok(batches.length > 3, "small ranges: several batches, each reported to onBatch");
    assert.ok(batches.every((batch, index) => index === 0 || batch.fromBlock === batches[index - 1].toBlock + 1), "no gaps between batches");

    const { db } = ctx;
    const executions = connectionOf(db).prepare("SELECT * FROM safe_executions ORDER BY nonce").all() as Record<string, unknown>[];
    assert.deepEqual(executions.map((row) => row.nonce), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(executions.map((row) => row.success), [1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1]);
    assert.equal(executions[0].safe_tx_hash, hashes.eth);
    assert.equal(executions[0].to_address, payee);
    assert.equal(executions[0].value, parseEther("1").toString());
    assert.equal(executions[2].executor, ana.address);
    assert.equal(executions[6].safe_tx_hash, hashes.failed);
    assert.ok(executions.every((row) => row.confirmed === 1 && typeof row.block_time === "number" && (row.block_time as number) > 0));

    // Who signed: EIP-712, eth_sign, approved hash.
    const signers = (hash: Hex) => connectionOf(db).prepare("SELECT owner, kind FROM execution_signers WHERE safe_tx_hash = ? ORDER BY owner").all(hash);
    const byOwner = (rows: { owner: Address; kind: string }[]) => rows.sort((a, b) => (a.owner.toLowerCase() < b.owner.toLowerCase() ? -1 : 1));
    assert.deepEqual(signers(hashes.eth), byOwner([{ owner: ana.address, kind: "eoa" }, { owner: ben.address, kind: "eoa" }]));
    assert.deepEqual(signers(hashes.usdc), byOwner([{ owner: chen.address, kind: "eth_sign" }, { owner: ben.address, kind: "approved_hash" }]));
    assert.deepEqual(signers(hashes.batch), byOwner([{ owner: ana.address, kind: "approved_hash" }, { owner: ben.address, kind: "eoa" }]));
    assert.deepEqual(
      connectionOf(db).prepare("SELECT approved_hash, owner FROM approved_hashes").all(),
      [{ approved_hash: hashes.usdc, owner: ben.address }],
    );

    // Payments: the native one, the ERC-20 one, the three of the batch, the module's 0.1 ETH (SafeModuleTransaction);
    // none for the failed SafeTx or the module's failed call.
    const [usdc, dai] = chain.deployment.tokens;
    const moduleKey = (connectionOf(db).prepare("SELECT tx_hash, log_index FROM module_executions WHERE success = 1").all() as { tx_hash: string; log_index: number }[])
      .map((row) => `module:${row.tx_hash.toLowerCase()}:${row.log_index}`);
    assert.equal(moduleKey.length, 1);
    const payments = connectionOf(db).prepare("SELECT safe_tx_hash, batch_index, token, to_address, amount FROM payments ORDER BY block_number, batch_index").all();
    assert.deepEqual(payments, [
      { safe_tx_hash: hashes.eth, batch_index: 0, token: null, to_address: payee, amount: parseEther("1").toString() },
      { safe_tx_hash: hashes.usdc, batch_index: 0, token: usdc.address, to_address: payee, amount: "250000000" },
      { safe_tx_hash: hashes.batch, batch_index: 0, token: null, to_address: payee, amount: parseEther("0.5").toString() },
      { safe_tx_hash: hashes.batch, batch_index: 1, token: usdc.address, to_address: payee2, amount: "100000000" },
      { safe_tx_hash: hashes.batch, batch_index: 2, token: dai.address, to_address: payee3, amount: parseUnits("10", 18).toString() },
      { safe_tx_hash: moduleKey[0], batch_index: 0, token: null, to_address: payee, amount: parseEther("0.1").toString() },
    ]);

    // Transfers in (ETH by SafeReceived, minted tokens, the unknown token) and out.
    const incoming = connectionOf(db).prepare("SELECT token, from_address, amount FROM transfers WHERE direction = 'in' ORDER BY block_number, log_index").all();
    assert.deepEqual(incoming, [
      { token: null, from_address: developmentAccount(0).address, amount: parseEther("100").toString() },
      { token: usdc.address, from_address: zeroAddress, amount: parseUnits("100000", 6).toString() },
      { token: dai.address, from_address: zeroAddress, amount: parseUnits("100000", 18).toString() },
      { token: null, from_address: funder.address, amount: parseEther("3").toString() },
      { token: usdc.address, from_address: zeroAddress, amount: parseUnits("500", 6).toString() },
      { token: grant, from_address: zeroAddress, amount: "12345" },
    ]);
    assert.equal(countRows(db, "transfers", "direction = 'out'"), 3, "USDC 250, USDC 100 and DAI 10 left by Transfer logs");
    assert.deepEqual(connectionOf(db).prepare("SELECT symbol, name, decimals FROM tokens WHERE address = ?").get(grant), { symbol: "GRANT", name: "Grant Token", decimals: 4 });

    assert.deepEqual(
      connectionOf(db).prepare("SELECT kind, address FROM module_events ORDER BY block_number, log_index").all(),
      [
        { kind: "enabled", address: moduleAccount.address },
        { kind: "module_success", address: moduleAccount.address },
        { kind: "module_failure", address: moduleAccount.address },
        { kind: "disabled", address: moduleAccount.address },
        { kind: "guard_changed", address: zeroAddress },
      ],
    );
    assert.deepEqual(
      connectionOf(db).prepare("SELECT kind, owner, threshold FROM owner_changes ORDER BY block_number, log_index").all(),
      [
        { kind: "setup", owner: null, threshold: 2 },
        { kind: "added", owner: dana.address, threshold: null },
        { kind: "threshold", owner: null, threshold: 3 },
        { kind: "removed", owner: dana.address, threshold: null },
        { kind: "threshold", owner: null, threshold: 2 },
        { kind: "removed", owner: chen.address, threshold: null },
        { kind: "added", owner: eli.address, threshold: null },
      ],
    );
    // Every row's block is stored with the chain's hash.
    for (const row of dumpMirror(db).row_blocks as { number: number; hash: Hex }[]) {
      const block = await chain.client.getBlock({ blockNumber: BigInt(row.number) });
      assert.equal(row.hash, block.hash);
    }
  });

  it("derives owners, threshold and nonce that equal what the chain reports, now and in the past", async () => {
    const live = await readSafeState(chain.client, chain.deployment.safe.address, []);
    const indexed = readIndexedSafeState(ctx.db);
    assert.deepEqual(indexed.owners, live.owners);
    assert.equal(indexed.threshold, live.threshold);
    assert.equal(indexed.nonce, live.nonce);
    // At every block that changed the owners, the chain agrees too.
    const blocks = connectionOf(ctx.db).prepare("SELECT DISTINCT block_number FROM owner_changes").all() as { block_number: number }[];
    for (const { block_number } of blocks) {
      const at = { address: chain.deployment.safe.address, abi: safeAbi, blockNumber: BigInt(block_number) } as const;
      const [owners, threshold, nonce] = await Promise.all([
        chain.client.readContract({ ...at, functionName: "getOwners" }),
        chain.client.readContract({ ...at, functionName: "getThreshold" }),
        chain.client.readContract({ ...at, functionName: "nonce" }),
      ]);
      const past = readIndexedSafeState(ctx.db, { blockNumber: block_number });
      assert.deepEqual(past.owners, owners, `owners at block ${block_number}`);
      assert.equal(past.threshold, Number(threshold));
      assert.equal(past.nonce, Number(nonce));
    }
  });

  it("writes each announcement to the outbox once", async () => {
    const outbox = connectionOf(ctx.db).prepare("SELECT kind, count(*) AS n FROM outbox GROUP BY kind ORDER BY kind").all();
    assert.deepEqual(outbox, [
      { kind: "funds_received", n: 6 },
      { kind: "owners_changed", n: 6 },
      { kind: "transaction_executed", n: 11 },
    ]);
    const batch = JSON.parse((connectionOf(ctx.db).prepare("SELECT payload FROM outbox WHERE ref = ?").get(hashes.batch) as { payload: string }).payload);
    assert.equal(batch.success, true);
    assert.equal(batch.payments.length, 3);
    assert.deepEqual(batch.payments[1], { token: chain.deployment.tokens[0].address, symbol: "USDC", decimals: 6, to: payee2, amount: "100000000" });
    const before = dumpMirror(ctx.db);
    // Running again changes nothing.
    const again = await createIndexer({ ctx, progress: "off" }).runOnce();
    assert.equal(again.batches, 0);
    assert.deepEqual(dumpMirror(ctx.db), before);
  });

  it("writes what a rebuild re-indexes at or below announce_after_block as already delivered", async () => {
    const rebuilt = createTestContext(chain, { databaseFile: "rebuilt.db" });
    try {
      const middle = (connectionOf(ctx.db).prepare("SELECT block_number FROM safe_executions WHERE nonce = 5").get() as { block_number: number }).block_number;
      writeMeta(rebuilt.db, "announce_after_block", String(middle));
      await createIndexer({ ctx: rebuilt, progress: "off" }).runOnce();
      assert.equal(countRows(rebuilt.db, "outbox", `block_number <= ${middle} AND delivered_at IS NULL`), 0);
      assert.ok(countRows(rebuilt.db, "outbox", `block_number <= ${middle} AND delivered_at IS NOT NULL`) > 0);
      assert.equal(countRows(rebuilt.db, "outbox", `block_number > ${middle} AND delivered_at IS NOT NULL`), 0);
      assert.ok(countRows(rebuilt.db, "outbox", `block_number > ${middle}`) > 0, "later events are announced");
    } finally {
      closeDatabase(rebuilt.db);
    }
  });

  it("holds rows unconfirmed, and unannounced, until they are deep enough", async () => {
    const deep = createTestContext(chain, { databaseFile: "confirmations.db" });
    try {
      const indexer = createIndexer({ ctx: deep, progress: "off", confirmations: 3 });
      await indexer.runOnce();
      const head = Number(await chain.client.getBlockNumber());
      assert.equal(countRows(deep.db, "safe_executions", `confirmed = 1 AND block_number > ${head - 3}`), 0);
      assert.ok(countRows(deep.db, "safe_executions", "confirmed = 0") > 0);
      const unannounced = countRows(deep.db, "outbox", `block_number > ${head - 3}`);
      assert.equal(unannounced, 0);
      await chain.node.provider.request({ method: "hardhat_mine", params: ["0x3"] } as never);
      await indexer.runOnce();
      assert.equal(countRows(deep.db, "safe_executions", "confirmed = 0"), 0);
      assert.deepEqual(dumpMirror(deep.db).outbox, dumpMirror(ctx.db).outbox);
    } finally {
      closeDatabase(deep.db);
    }
  });
});

describe("indexer following the head (indexer/indexer start/stop)", function () {
  this.timeout(60_000);
  it("picks up new blocks while running, runs the batch hook, and stops cleanly", async () => {
    const chain = await startTestChain({ initialFunds: null });
    const ctx = createTestContext(chain);
    const seen: number[] = [];
    const indexer = createIndexer({ ctx, progress: "off", pollIntervalMs: 50, onBatch: ({ toBlock }) => void seen.push(toBlock) });
    try {
      indexer.start();
      const deposit = await wallet(chain, 6).sendTransaction({ to: chain.deployment.safe.address, value: parseEther("1") });
      const receipt = await chain.client.waitForTransactionReceipt({ hash: deposit });
      const deadline = Date.now() + 20_000;
      while (countRows(ctx.db, "outbox", "kind = 'funds_received'") === 0 && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50));
      const announced = JSON.parse((connectionOf(ctx.db).prepare("SELECT payload FROM outbox WHERE kind = 'funds_received'").get() as { payload: string }).payload);
      assert.deepEqual(
        { token: announced.token, symbol: announced.symbol, decimals: announced.decimals, amount: announced.amount, from: announced.from, txHash: announced.txHash },
        { token: null, symbol: "ETH", decimals: 18, amount: parseEther("1").toString(), from: funder.address, txHash: deposit },
      );
      assert.ok(seen.includes(Number(receipt.blockNumber)) || seen.some((block) => block >= Number(receipt.blockNumber)));
    } finally {
      await indexer.stop();
      closeDatabase(ctx.db);
      await chain.stop();
    }
  });

  it("following the head, keeps quiet blocks' progress in memory, yet writes every event at once, confirms as deep as asked, and writes the checkpoint at the stop", async () => {
    const chain = await startTestChain({ initialFunds: null });
    const ctx = createTestContext(chain);
    const fresh = createTestContext(chain, { databaseFile: "fresh.db" });
    const seen: number[] = [];
    const indexer = createIndexer({ ctx, progress: "off", pollIntervalMs: 50, confirmations: 2, quietCheckpointEveryMs: 600_000, onBatch: ({ toBlock }) => void seen.push(toBlock) });
    const head = async () => Number(await chain.client.getBlockNumber());
    const mine = (blocks: number) => chain.node.provider.request({ method: "hardhat_mine", params: [`0x${blocks.toString(16)}`] } as never);
    const until = async (done: () => boolean | Promise<boolean>) => {
      const deadline = Date.now() + 20_000;
      while (!(await done())) {
        if (Date.now() > deadline) throw new Error("the indexer did not get there in 20 s");
        await new Promise((wake) => setTimeout(wake, 25));
      }
    };
    const seenUpTo = async (block: number) => until(() => seen.some((toBlock) => toBlock >= block));
    const deposit = async () => {
      const hash = await wallet(chain, 6).sendTransaction({ to: chain.deployment.safe.address, value: parseEther("1") });
      return Number((await chain.client.waitForTransactionReceipt({ hash })).blockNumber);
    };
    try {
      indexer.start();
      // A deposit is written as soon as it is read, and announced once two blocks are on it.
      const first = await deposit();
      await until(() => countRows(ctx.db, "transfers", `block_number = ${first}`) === 1);
      await mine(2);
      await until(() => countRows(ctx.db, "outbox", "kind = 'funds_received'") === 1);
      await seenUpTo(await head());
      const written = readCheckpoint(ctx.db)!.blockNumber;
      assert.ok(written >= first + 2, "the blocks that confirmed the deposit were written");

      // Quiet blocks, everything confirmed: read and followed, not written.
      await mine(5);
      await seenUpTo(await head());
      assert.equal(readCheckpoint(ctx.db)!.blockNumber, written);

      // The next deposit is written at once, with the checkpoint past the quiet blocks.
      const second = await deposit();
      await until(() => countRows(ctx.db, "transfers", `block_number = ${second}`) === 1);
      assert.ok(readCheckpoint(ctx.db)!.blockNumber >= second);
      assert.equal(countRows(ctx.db, "outbox", "kind = 'funds_received'"), 1, "not announced before two blocks are on it");
      await mine(2);
      await until(() => countRows(ctx.db, "outbox", "kind = 'funds_received'") === 2);
      await mine(3);
      await seenUpTo(await head());
    } finally {
      await indexer.stop();
    }
    try {
      // The stop wrote the checkpoint of the quiet blocks; what the follower wrote equals a fresh index of the same chain.
      assert.equal(readCheckpoint(ctx.db)!.blockNumber, await head());
      await createIndexer({ ctx: fresh, progress: "off", confirmations: 2 }).runOnce();
      assert.deepEqual(dumpMirror(ctx.db), dumpMirror(fresh.db));
    } finally {
      closeDatabase(ctx.db);
      closeDatabase(fresh.db);
      await chain.stop();
    }
  });
});
