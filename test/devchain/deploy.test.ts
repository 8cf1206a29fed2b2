import assert from "node:assert/strict";
import { SigningMethod } from "@safe-global/types-kit";
import { encodeFunctionData, getAddress, parseEther, parseUnits, type Address } from "viem";
import { developmentAccount, developmentPrivateKey } from "../../devchain/accounts.ts";
import { ensureDeployment } from "../../devchain/ensure-deployment.ts";
import { connectSafe } from "../../core/safe/protocol-kit.ts";
import { readSafeState } from "../../core/safe/read-state.ts";
import { erc20Abi } from "../../core/tokens.ts";
import { startTestChain, type TestChain } from "../helpers/chain.ts";
import { canonicalAddress } from "../helpers/safe-deployments.ts";

const [ana, ben, chen] = [1, 2, 3].map((index) => developmentAccount(index));
const payee: Address = "0xd0D87b91703CA512f7c4aD24FDA3B97130c3367d";

describe("local chain with a real Safe", () => {
  let chain: TestChain;

  before(async () => {
    chain = await startTestChain({
      owners: [ana.address, ben.address, chen.address],
      threshold: 2,
      initialFunds: { eth: parseEther("10"), tokens: { USDC: parseUnits("5000", 6) } },
    });
  });
  after(() => chain?.stop());

  it("records Safe v1.4.1's canonical contracts, deploys the tokens and a funded 2-of-3 SafeL2 v1.4.1", async () => {
    const { deployment, client } = chain;
    const canonical = (name: string) => canonicalAddress("1.4.1", name);
    assert.deepEqual(deployment.contracts, {
      safeSingleton: canonical("SafeL2"),
      safeProxyFactory: canonical("SafeProxyFactory"),
      multiSend: canonical("MultiSend"),
      multiSendCallOnly: canonical("MultiSendCallOnly"),
      fallbackHandler: canonical("CompatibilityFallbackHandler"),
      signMessageLib: canonical("SignMessageLib"),
      createCall: canonical("CreateCall"),
      simulateTxAccessor: canonical("SimulateTxAccessor"),
    });
    for (const [name, address] of Object.entries(deployment.contracts)) {
      const code = await client.getCode({ address });
      assert.ok(code && code.length > 2, `${name} has no code`);
    }
    const singleton = await client.getStorageAt({ address: deployment.safe.address, slot: "0x0" });
    assert.equal(getAddress(`0x${singleton!.slice(-40)}`), canonical("SafeL2"));
    assert.deepEqual(
      deployment.tokens.map((token) => [token.symbol, token.decimals]),
      [["USDC", 6], ["DAI", 18]],
    );
    const state = await readSafeState(client, deployment.safe.address, deployment.tokens);
    assert.deepEqual(state.owners, [ana.address, ben.address, chen.address]);
    assert.equal(state.threshold, 2);
    assert.equal(state.nonce, 0);
    assert.equal(state.balances[0].amount, parseEther("10"));
    assert.equal(state.balances[1].amount, parseUnits("5000", 6));
    assert.equal(state.balances[1].formatted, "5000");
  });

  it("reuses what it deployed when run twice, sending no transaction", async () => {
    const before = await chain.client.getBlockNumber();
    const again = await ensureDeployment({
      provider: chain.node.provider,
      file: chain.deploymentFile,
      owners: [ana.address, ben.address, chen.address],
      threshold: 2,
    });
    assert.equal(again.deployed, false);
    assert.equal(again.deployment.safe.address, chain.deployment.safe.address);
    assert.equal(await chain.client.getBlockNumber(), before);
  });

  it("executes a 1 ETH payment and a USDC payment, each signed by two owners", async () => {
    const { deployment, node, client } = chain;
    const usdc = deployment.tokens[0];
    const safeAddress = deployment.safe.address;
    const connect = (index: number) =>
      connectSafe({ rpcUrl: node.url, safeAddress, signer: developmentPrivateKey(index) });

    const payments = [
      { to: payee, value: parseEther("1").toString(), data: "0x" as const },
      {
        to: usdc.address,
        value: "0",
        data: encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [payee, parseUnits("250", 6)] }),
      },
    ];
    for (const [nonce, payment] of payments.entries()) {
      const anaSafe = await connect(1);
      const benSafe = await connect(2);
      let transaction = await anaSafe.createTransaction({ transactions: [payment], options: { nonce } });
      transaction = await anaSafe.signTransaction(transaction, SigningMethod.ETH_SIGN_TYPED_DATA_V4);
      transaction = await benSafe.signTransaction(transaction, SigningMethod.ETH_SIGN_TYPED_DATA_V4);
      assert.equal(transaction.signatures.size, 2);
      const result = await benSafe.executeTransaction(transaction);
      const receipt = await client.waitForTransactionReceipt({ hash: result.hash as `0x${string}` });
      assert.equal(receipt.status, "success");
    }

    assert.equal(await client.getBalance({ address: payee }), parseEther("1"));
    const state = await readSafeState(client, safeAddress, deployment.tokens);
    assert.equal(state.nonce, 2);
    assert.equal(state.balances[0].amount, parseEther("9"));
    assert.equal(state.balances[1].amount, parseUnits("4750", 6));
    const payeeUsdc = await client.readContract({ address: usdc.address, abi: erc20Abi, functionName: "balanceOf", args: [payee] });
    assert.equal(payeeUsdc, parseUnits("250", 6));
  });
});
