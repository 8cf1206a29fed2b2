import assert from "node:assert/strict";
import { encodeFunctionData, getAddress, parseEther, parseUnits, type Abi, type Address, type Hex } from "viem";
import type { Config } from "../../app/config.ts";
import type { TreasuryContext } from "../../core/context.ts";
import { renderResult } from "../../assistant/answer/render.ts";
import { executePlan } from "../../assistant/execute/index.ts";
import type { QueryPlan } from "../../assistant/plan.ts";
import { exportHistoryCsv } from "../../core/history/csv.ts";
import { listHistory } from "../../core/history/list.ts";
import { canonicalSafeContracts, type SafeFlavour, type SupportedSafeVersion } from "../../core/safe/deployments.ts";
import { describeTreasurySafe } from "../../core/safe/setup.ts";
import { erc20Abi } from "../../core/tokens.ts";
import { connectionOf } from "../../db/connection.ts";
import { closeDatabase } from "../../db/open.ts";
import { developmentAccount } from "../../devchain/accounts.ts";
import { createSafe } from "../../devchain/create-safe.ts";
import { createIndexer } from "../../indexer/indexer.ts";
import { noTraceReason } from "../../indexer/l1-executions.ts";
import { startTestChain, type TestChain } from "../helpers/chain.ts";
import { createTestContext } from "../helpers/context.ts";
import { deployTestContract, safeNonce, send, signForSafe } from "./any-safe.ts";
import { startRpcProxy } from "./rpc-proxy.ts";
import { erc20Transfer, type SafeCall, type SignerSpec } from "./safe-helpers.ts";

const [ana, ben, chen] = [1, 2, 3].map((index) => developmentAccount(index));
const relayerSender = 7;
const moduleOperator = 0;
const payeeA: Address = getAddress("0xa11ce00000000000000000000000000000000001");
const payeeB: Address = getAddress("0xb0b0000000000000000000000000000000000002");
const payeeC: Address = getAddress("0xc4a1000000000000000000000000000000000003");

/** A payment as the test sent it: how it left the Safe, the token (null: ETH), the payee and the amount. */
type Expected = { how: "direct" | "relayer" | "multisend" | "module"; token: Address | null; to: Address; amount: bigint; batchIndex?: number };

type ScenarioSafe = { version: SupportedSafeVersion; flavour: SafeFlavour; address: Address; creationBlock: number; sent: Expected[]; relayed: Hex[] };

describe("L1 Safe (v1.3.0) and SafeL2 (v1.4.1): the same payments, indexed the same way", function () {
  this.timeout(240_000);
  let chain: TestChain;
  let relayer: { address: Address; abi: Abi };
  let module: { address: Address; abi: Abi };
  const safes: ScenarioSafe[] = [];
  const open: TreasuryContext[] = [];

  function contextFor(safe: ScenarioSafe, databaseFile: string, rpcUrl?: string): Promise<TreasuryContext & { config: Config }> {
    const base = createTestContext(chain, { databaseFile });
    open.push(base);
    return describeTreasurySafe(chain.client as never, safe.address, { creationBlock: safe.creationBlock }).then((described) => ({
      ...base,
      rpcUrl: rpcUrl ?? base.rpcUrl,
      safeAddress: safe.address,
      safe: described,
    }));
  }

  /** The same history on a Safe: direct payments, relayed ones (one and two per transaction), a MultiSend batch, a module's payments. */
  async function runScenario(version: SupportedSafeVersion, flavour: SafeFlavour, saltNonce: bigint): Promise<ScenarioSafe> {
    const created = await createSafe(chain.node.provider, { version, flavour, owners: [ana.address, ben.address, chen.address], threshold: 2, saltNonce });
    const safe = created.address;
    const [usdc, dai] = chain.deployment.tokens;
    const multiSendCallOnly = canonicalSafeContracts(version, flavour).multiSendCallOnly;
    const sent: Expected[] = [];
    const relayed: Hex[] = [];
    const two: SignerSpec[] = [{ account: ana, method: "typed" }, { account: ben, method: "typed" }];
    const mint = (token: Address, amount: bigint) => send(chain, 0, token, encodeFunctionData({ abi: erc20Abi, functionName: "mint", args: [safe, amount] }));

    await send(chain, 6, safe, "0x", parseEther("5"));
    await mint(usdc.address, parseUnits("1000", 6));
    await mint(dai.address, parseUnits("100", 18));

    const exec = async (call: SafeCall, signers: SignerSpec[] = two) => {
      const signed = await signForSafe(chain, safe, call, await safeNonce(chain, safe), signers);
      await send(chain, 1, safe, signed.execTransactionData);
      return signed;
    };
    // Direct: ETH (two EIP-712 signatures), then USDC (eth_sign + EIP-712).
    await exec({ to: payeeA, value: parseEther("1") });
    sent.push({ how: "direct", token: null, to: payeeA, amount: parseEther("1") });
    await exec(erc20Transfer(usdc.address, payeeB, parseUnits("250", 6)), [{ account: chen, method: "eth_sign" }, { account: ben, method: "typed" }]);
    sent.push({ how: "direct", token: usdc.address, to: payeeB, amount: parseUnits("250", 6) });

    // Through a relayer contract: one SafeTx, then two SafeTxs in one transaction.
    const relay = (calls: Hex[]) =>
      send(chain, relayerSender, relayer.address, encodeFunctionData({ abi: relayer.abi, functionName: "relay", args: [calls.map(() => safe), calls] }));
    let nonce = await safeNonce(chain, safe);
    const one = await signForSafe(chain, safe, { to: payeeC, value: parseEther("0.3") }, nonce, two);
    relayed.push(await relay([one.execTransactionData]));
    sent.push({ how: "relayer", token: null, to: payeeC, amount: parseEther("0.3") });
    nonce = await safeNonce(chain, safe);
    const first = await signForSafe(chain, safe, erc20Transfer(usdc.address, payeeA, parseUnits("5", 6)), nonce, two);
    const second = await signForSafe(chain, safe, { to: payeeB, value: parseEther("0.2") }, nonce + 1n, [{ account: ben, method: "typed" }, { account: chen, method: "typed" }]);
    relayed.push(await relay([first.execTransactionData, second.execTransactionData]));
    sent.push({ how: "relayer", token: usdc.address, to: payeeA, amount: parseUnits("5", 6) });
    sent.push({ how: "relayer", token: null, to: payeeB, amount: parseEther("0.2") });

    // A MultiSend batch: ETH, USDC, DAI.
    const batch = [
      { to: payeeA, value: parseEther("0.5") },
      erc20Transfer(usdc.address, payeeB, parseUnits("100", 6)),
      erc20Transfer(dai.address, payeeC, parseUnits("10", 18)),
    ];
    await exec(multiSendOf(multiSendCallOnly, batch));
    sent.push({ how: "multisend", token: null, to: payeeA, amount: parseEther("0.5"), batchIndex: 0 });
    sent.push({ how: "multisend", token: usdc.address, to: payeeB, amount: parseUnits("100", 6), batchIndex: 1 });
    sent.push({ how: "multisend", token: dai.address, to: payeeC, amount: parseUnits("10", 18), batchIndex: 2 });

    // A module contract, enabled by the owners, pays without them: ETH, USDC (the ReturnData entry point), a MultiSend.
    await exec({ to: safe, data: encodeFunctionData({ abi: moduleManagerAbi, functionName: "enableModule", args: [module.address] }) });
    const viaModule = (call: SafeCall, returnData: boolean) =>
      send(
        chain,
        moduleOperator,
        module.address,
        encodeFunctionData({ abi: module.abi, functionName: "execute", args: [safe, call.to, call.value ?? 0n, call.data ?? "0x", call.operation ?? 0, returnData] }),
      );
    await viaModule({ to: payeeC, value: parseEther("0.1") }, false);
    sent.push({ how: "module", token: null, to: payeeC, amount: parseEther("0.1") });
    await viaModule(erc20Transfer(usdc.address, payeeA, parseUnits("7", 6)), true);
    sent.push({ how: "module", token: usdc.address, to: payeeA, amount: parseUnits("7", 6) });
    await viaModule(multiSendOf(multiSendCallOnly, [{ to: payeeA, value: parseEther("0.05") }, erc20Transfer(dai.address, payeeB, parseUnits("1", 18))]), false);
    sent.push({ how: "module", token: null, to: payeeA, amount: parseEther("0.05"), batchIndex: 0 });
    sent.push({ how: "module", token: dai.address, to: payeeB, amount: parseUnits("1", 18), batchIndex: 1 });
    return { version, flavour, address: safe, creationBlock: created.creationBlock, sent, relayed };
  }

  before(async () => {
    chain = await startTestChain({ owners: [ana.address, ben.address, chen.address], threshold: 2 });
    relayer = await deployTestContract(chain, "TestRelayer");
    module = await deployTestContract(chain, "TestModule", moduleOperator);
    safes.push(await runScenario("1.3.0", "L1", 101n));
    safes.push(await runScenario("1.4.1", "L2", 102n));
  });

  after(async () => {
    for (const ctx of open) closeDatabase(ctx.db);
    await chain?.stop();
  });

  /** The payment rows of the history, with what must differ between two Safes (hashes, blocks) left out. */
  function paymentsOf(ctx: TreasuryContext) {
    return listHistory(ctx.db, { kinds: ["payment"] }).map((entry) => ({
      token: entry.token,
      to: entry.counterparty,
      amount: entry.amount,
      formatted: entry.formatted,
      batchIndex: entry.batchIndex,
      byModule: entry.description === `by module ${module.address}`,
      hasSafeTx: entry.safeTxHash !== null,
      nonce: entry.nonce,
    }));
  }

  /** Every SafeTx execution as stored, without what must differ (hashes, blocks, the version's MultiSend address, signatures). */
  function executionsOf(ctx: TreasuryContext, multiSend: Address) {
    const rows = connectionOf(ctx.db).prepare("SELECT * FROM safe_executions ORDER BY nonce").all() as Record<string, unknown>[];
    return rows.map((row) => ({
      nonce: row.nonce,
      to: row.to_address === ctx.safeAddress ? "the Safe" : row.to_address === multiSend ? "MultiSend" : row.to_address,
      value: row.value,
      data: typeof row.data === "string" ? row.data.replaceAll(ctx.safeAddress.slice(2).toLowerCase(), "<safe>").replaceAll(module.address.slice(2).toLowerCase(), "<module>") : row.data,
      operation: row.operation,
      success: row.success,
      executor: row.executor,
      signers: connectionOf(ctx.db).prepare("SELECT owner, kind FROM execution_signers WHERE safe_tx_hash = ? ORDER BY owner").all(row.safe_tx_hash),
    }));
  }

  it("indexes a v1.3.0 L1 Safe's payments (direct, relayed, MultiSend, module) exactly as the test sent them, and as a v1.4.1 SafeL2's", async () => {
    const [l1, l2] = safes;
    const l1Ctx = await contextFor(l1, "l1.db");
    const l2Ctx = await contextFor(l2, "l2.db");
    await createIndexer({ ctx: l1Ctx, progress: "off" }).runOnce();
    await createIndexer({ ctx: l2Ctx, progress: "off" }).runOnce();

    // What the test sent (independent of the indexer), in chain order; MultiSend batches keep their order.
    const expected = (safe: ScenarioSafe) =>
      safe.sent.map((payment) => ({ token: payment.token, to: payment.to, amount: payment.amount, batchIndex: payment.batchIndex ?? 0, byModule: payment.how === "module" }));
    for (const [safe, ctx] of [[l1, l1Ctx], [l2, l2Ctx]] as const) {
      const indexed = paymentsOf(ctx).map(({ token, to, amount, batchIndex, byModule }) => ({ token, to, amount, batchIndex, byModule }));
      assert.deepEqual(indexed, expected(safe), `v${safe.version} ${safe.flavour}: the payments sent`);
      assert.deepEqual(connectionOf(ctx.db).prepare("SELECT count(*) AS n FROM undecoded_executions").get(), { n: 0 });
      assert.deepEqual(connectionOf(ctx.db).prepare("SELECT count(*) AS n FROM module_executions WHERE reason IS NOT NULL").get(), { n: 0 });
    }
    // Row for row the same history, signers and executors included.
    assert.deepEqual(paymentsOf(l1Ctx), paymentsOf(l2Ctx));
    assert.deepEqual(
      executionsOf(l1Ctx, canonicalSafeContracts("1.3.0", "L1").multiSendCallOnly),
      executionsOf(l2Ctx, canonicalSafeContracts("1.4.1", "L2").multiSendCallOnly),
    );
    // The assistant counts the same money out of both Safes, module payments included, and notes nothing missing.
    const ethOut = (ctx: TreasuryContext) =>
      executePlan({ db: ctx.db, config: {} }, { measure: "sum", over: "payments", filters: { tokens: ["ETH"] } } as unknown as QueryPlan);
    const sentEth = l1.sent.filter((payment) => payment.token === null).reduce((sum, payment) => sum + payment.amount, 0n);
    for (const ctx of [l1Ctx, l2Ctx]) {
      const result = await ethOut(ctx);
      assert.equal(result.value.shape, "figures");
      if (result.value.shape !== "figures") return;
      assert.equal(result.value.figures[0].amount?.units, sentEth);
      assert.ok(!result.notes.some((note) => note.code === "undecoded_executions"));
    }
    const relayed = executionsOf(l1Ctx, canonicalSafeContracts("1.3.0", "L1").multiSendCallOnly).filter((row) => row.executor === relayer.address);
    assert.equal(relayed.length, 3, "the relayer contract is the executor of the three relayed SafeTxs");
    assert.deepEqual(relayed.map((row) => row.signers.length), [2, 2, 2]);
  });

  it("lists a relayed execution of a v1.3.0 L1 Safe as 'could not be decoded' when the RPC offers no call trace (nor past state), never skips it", async () => {
    const [l1] = safes;
    // A public RPC: no call traces, and no state of past blocks (not an archive node).
    const proxy = await startRpcProxy(chain.node.url, (call) =>
      call.method === "debug_traceTransaction"
        ? { kind: "error", code: -32601, message: "the method debug_traceTransaction does not exist/is not available" }
        : call.method === "eth_call" && call.params[1] !== "latest"
          ? { kind: "error", code: -32000, message: "missing trie node 0f3a (path ) state is not available" }
          : { kind: "forward" },
    );
    try {
      const ctx = await contextFor(l1, "l1-no-trace.db", proxy.url);
      await createIndexer({ ctx, progress: "off" }).runOnce();
      assert.ok(proxy.calls.some((call) => call.method === "debug_traceTransaction"), "the indexer asked for a trace");
      assert.ok(proxy.calls.some((call) => call.method === "eth_call" && call.params[1] !== "latest"), "and for past state");

      // The three relayed SafeTxs (two transactions) are kept with the reason; the module's three calls (through a contract) too.
      const undecoded = connectionOf(ctx.db).prepare("SELECT tx_hash, reason, success FROM undecoded_executions ORDER BY block_number, log_index").all() as { tx_hash: Hex; reason: string }[];
      assert.deepEqual(undecoded.map((row) => row.tx_hash), [l1.relayed[0], l1.relayed[1], l1.relayed[1]]);
      assert.ok(undecoded.every((row) => row.reason === noTraceReason));
      const moduleRows = connectionOf(ctx.db).prepare("SELECT module, reason FROM module_executions ORDER BY block_number").all();
      assert.deepEqual(moduleRows, [1, 2, 3].map(() => ({ module: module.address, reason: noTraceReason })));

      // The history and the CSV show them; the directly executed payments are still decoded, signers too (the
      // nonces follow from the ones before, and the undecoded ones between), without past state.
      assert.deepEqual(
        (connectionOf(ctx.db).prepare("SELECT nonce FROM safe_executions ORDER BY nonce").all() as { nonce: number }[]).map((row) => row.nonce),
        [0, 1, 5, 6],
      );
      assert.deepEqual(
        (connectionOf(ctx.db).prepare("SELECT count(*) AS n FROM execution_signers GROUP BY safe_tx_hash").all() as { n: number }[]).map((row) => row.n),
        [2, 2, 2, 2],
      );
      const history = listHistory(ctx.db, { kinds: ["payment"] });
      const notDecoded = history.filter((entry) => entry.amount === null);
      assert.equal(notDecoded.length, 6);
      assert.ok(notDecoded.every((entry) => entry.description?.endsWith("could not be decoded: the RPC offers no call trace")));
      assert.deepEqual(
        history.filter((entry) => entry.amount !== null).map((entry) => [entry.token, entry.counterparty, entry.amount]),
        l1.sent.filter((payment) => payment.how === "direct" || payment.how === "multisend").map((payment) => [payment.token, payment.to, payment.amount]),
      );
      const csv = exportHistoryCsv(ctx.db);
      assert.equal(csv.split("\n").filter((line) => line.includes("could not be decoded: the RPC offers no call trace")).length, 6);
      assert.ok(csv.includes(l1.relayed[1]));

      // The assistant's payment figures say that six executions are not in them.
      const sumOfPayments = { measure: "sum", over: "payments", filters: {} } as unknown as QueryPlan;
      const result = await executePlan({ db: ctx.db, config: {} }, sumOfPayments);
      assert.deepEqual(result.notes.filter((note) => note.code === "undecoded_executions"), [{ code: "undecoded_executions", count: 6, reason: noTraceReason }]);
      assert.match(renderResult(result, "en", null).body, /6 executed transactions could not be decoded: the RPC offers no call trace and are not in these figures/);
    } finally {
      await proxy.close();
    }
  });

  it("reads eight v1.3.0 L1 Safe executions mined in one block from that block, with their nonces in order", async () => {
    const created = await createSafe(chain.node.provider, { version: "1.3.0", flavour: "L1", owners: [ana.address, ben.address, chen.address], threshold: 2, saltNonce: 103n });
    const safe: ScenarioSafe = { version: "1.3.0", flavour: "L1", address: created.address, creationBlock: created.creationBlock, sent: [], relayed: [] };
    await send(chain, 6, safe.address, "0x", parseEther("1"));
    const request = (method: string, params: unknown[] = []) => chain.node.provider.request({ method, params } as never);
    const amounts = Array.from({ length: 8 }, (_, index) => parseEther("0.01") * BigInt(index + 1));
    const signed = await Promise.all(
      amounts.map((amount, index) => signForSafe(chain, safe.address, { to: payeeC, value: amount }, BigInt(index), [{ account: ana, method: "typed" }, { account: chen, method: "eth_sign" }])),
    );
    let nonce = Number(await request("eth_getTransactionCount", [ana.address, "latest"]));
    await request("evm_setAutomine", [false]);
    try {
      for (const { execTransactionData } of signed)
        await request("eth_sendTransaction", [{ from: ana.address, to: safe.address, data: execTransactionData, gas: "0x7a120", nonce: `0x${(nonce++).toString(16)}` }]);
      await request("evm_mine");
    } finally {
      await request("evm_setAutomine", [true]);
    }
    assert.equal(await safeNonce(chain, safe.address), 8n, "all eight executed");

    const proxy = await startRpcProxy(chain.node.url, () => ({ kind: "forward" }));
    try {
      const ctx = await contextFor(safe, "l1-one-block.db", proxy.url);
      await createIndexer({ ctx, progress: "off" }).runOnce();
      const rows = connectionOf(ctx.db).prepare("SELECT nonce, value, executor FROM safe_executions ORDER BY nonce").all();
      assert.deepEqual(rows, amounts.map((amount, index) => ({ nonce: index, value: amount.toString(), executor: ana.address })));
      assert.deepEqual(
        listHistory(ctx.db, { kinds: ["payment"] }).map((entry) => [entry.counterparty, entry.amount]),
        amounts.map((amount) => [payeeC, amount]),
      );
      assert.ok(proxy.calls.some((call) => call.method === "eth_getBlockByNumber" && call.params[1] === true), "the block was read with its transactions");
      assert.equal(proxy.calls.filter((call) => call.method === "eth_getTransactionByHash").length, 0);
    } finally {
      await proxy.close();
    }
  });
});

const moduleManagerAbi = [
  { type: "function", name: "enableModule", stateMutability: "nonpayable", inputs: [{ name: "module", type: "address" }], outputs: [] },
] as const;

/** A MultiSendCallOnly batch (delegatecall) of plain calls. */
function multiSendOf(multiSend: Address, calls: SafeCall[]): SafeCall {
  const packed = calls
    .map((call) => {
      const data = (call.data ?? "0x").slice(2);
      return [
        "00",
        call.to.slice(2).toLowerCase(),
        (call.value ?? 0n).toString(16).padStart(64, "0"),
        (data.length / 2).toString(16).padStart(64, "0"),
        data,
      ].join("");
    })
    .join("");
  const multiSendAbi = [{ type: "function", name: "multiSend", stateMutability: "payable", inputs: [{ name: "transactions", type: "bytes" }], outputs: [] }] as const;
  return { to: multiSend, data: encodeFunctionData({ abi: multiSendAbi, functionName: "multiSend", args: [`0x${packed}`] }), operation: 1 };
}
