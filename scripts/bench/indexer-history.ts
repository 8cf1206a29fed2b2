import {
  concatHex,
  encodeFunctionData,
  hashTypedData,
  pad,
  zeroAddress,
  type Address,
  type EIP1193Provider,
  type Hex,
} from "viem";
import { sign } from "viem/accounts";
import type { Deployment } from "../../core/deployment.ts";
import { safeAbi } from "../../core/safe/artifacts.ts";
import { erc20Abi } from "../../core/tokens.ts";
import { developmentAccount, developmentPrivateKey } from "../../devchain/accounts.ts";
import { encodeMultiSend, safeTxTypes } from "../../core/safe/safe-tx.ts";

export type GenerateSafeHistoryParameters = {
  provider: EIP1193Provider;
  deployment: Deployment;
  /** Safe executions to make: each a real execTransaction paying 1 base unit of the first token, signed by two owners. */
  executions: number;
  /** Incoming ERC-20 transfers to make (mints of the first token to the Safe). */
  deposits: number;
  /** Transactions of each kind per block (blocks are mined by hand, with automine off). */
  perBlock: number;
  /**
   * Payments per execution (default 1: a plain ERC-20 transfer). Above 1, each execution is a MultiSendCallOnly batch
   * of that many transfers (a payroll run): many events per transaction, so a large history is quick to make.
   */
  paymentsPerExecution?: number;
  onProgress?: (done: { executions: number; deposits: number; blocks: number }) => void;
};


const privateKeyOf = developmentPrivateKey;

/**
 * Writes a long, honest Safe history on a local chain: independent
 * transactions, many per block (automine off, then evm_mine). Each Safe
 * execution is a separate execTransaction sent by owner 1 (its own approval is
 * msg.sender) with owner 2's EIP-712 signature made here with viem; each
 * deposit is a separate token mint to the Safe. Needs the Safe's owners to be
 * development accounts 1..3 with threshold 2, and the Safe to hold the token.
 *
 * Every transaction carries its own fees (from the latest block's base fee):
 * without them, Hardhat prices each one by asking the node, and with automine
 * off that costs time in proportion to the transactions already pending, which
 * made a block of large batches slower to fill the fuller it was.
 */
export async function generateSafeHistory(parameters: GenerateSafeHistoryParameters): Promise<{ blocks: number }> {
  const { provider, deployment, executions, deposits, perBlock, onProgress, paymentsPerExecution = 1 } = parameters;
  const request = (method: string, params: unknown[] = []) => provider.request({ method, params } as never) as Promise<unknown>;
  const safe = deployment.safe.address;
  const token = deployment.tokens[0].address;
  const executor = developmentAccount(1);
  const cosigner = privateKeyOf(2);
  const cosignerAddress = developmentAccount(2).address;
  const minter = developmentAccount(0).address;
  const domain = { chainId: deployment.chainId, verifyingContract: safe } as const;
  let safeNonce = BigInt((await request("eth_call", [{ to: safe, data: encodeFunctionData({ abi: safeAbi, functionName: "nonce" }) }, "latest"])) as Hex);
  let executorNonce = Number(await request("eth_getTransactionCount", [executor.address, "latest"]));
  let minterNonce = Number(await request("eth_getTransactionCount", [minter, "latest"]));
  const executorApproval = concatHex([pad(executor.address, { size: 32 }), pad("0x00", { size: 32 }), "0x01"]);

  await request("evm_setAutomine", [false]);
  let made = { executions: 0, deposits: 0, blocks: 0 };
  try {
    while (made.executions < executions || made.deposits < deposits) {
      const sends: Promise<unknown>[] = [];
      const fees = await nextBlockFees(request);
      for (let index = 0; index < perBlock && made.executions < executions; index++, made.executions++) {
        const payee = `0x${(0x1000 + (made.executions % 500)).toString(16).padStart(40, "0")}` as Address;
        const transfer = (to: Address) => encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [to, 1n] });
        const batched = paymentsPerExecution > 1;
        const payees = Array.from({ length: paymentsPerExecution }, (_, offset) => `0x${(0x1000 + ((made.executions + offset) % 500)).toString(16).padStart(40, "0")}` as Address);
        const message = {
          to: batched ? deployment.contracts.multiSendCallOnly : token,
          value: 0n,
          data: batched ? encodeMultiSend(payees.map((to) => ({ to: token, value: 0n, data: transfer(to) }))) : transfer(payee),
          operation: batched ? 1 : 0,
          safeTxGas: 0n,
          baseGas: 0n,
          gasPrice: 0n,
          gasToken: zeroAddress,
          refundReceiver: zeroAddress,
          nonce: safeNonce++,
        } as const;
        const hash = hashTypedData({ domain, types: safeTxTypes, primaryType: "SafeTx", message });
        const signature = await sign({ hash, privateKey: cosigner, to: "hex" });
        const parts = [
          { owner: executor.address, part: executorApproval },
          { owner: cosignerAddress, part: signature },
        ].sort((a, b) => (a.owner.toLowerCase() < b.owner.toLowerCase() ? -1 : 1));
        const data = encodeFunctionData({
          abi: safeAbi,
          functionName: "execTransaction",
          args: [message.to, 0n, message.data, message.operation, 0n, 0n, 0n, zeroAddress, zeroAddress, concatHex(parts.map((p) => p.part))],
        });
        sends.push(request("eth_sendTransaction", [{ from: executor.address, to: safe, data, gas: `0x${(200_000 + 40_000 * (paymentsPerExecution - 1)).toString(16)}`, nonce: `0x${(executorNonce++).toString(16)}`, ...fees }]));
      }
      for (let index = 0; index < perBlock && made.deposits < deposits; index++, made.deposits++) {
        const data = encodeFunctionData({ abi: erc20Abi, functionName: "mint", args: [safe, 1_000_000n + BigInt(made.deposits)] });
        sends.push(request("eth_sendTransaction", [{ from: minter, to: token, data, gas: "0x186a0", nonce: `0x${(minterNonce++).toString(16)}`, ...fees }]));
      }
      await Promise.all(sends);
      await request("evm_mine");
      made = { ...made, blocks: made.blocks + 1 };
      onProgress?.(made);
    }
  } finally {
    await request("evm_setAutomine", [true]);
  }
  // Every transaction must have made it in (none left pending, none reverted).
  const pending = Number(await request("eth_getTransactionCount", [executor.address, "pending"]));
  const mined = Number(await request("eth_getTransactionCount", [executor.address, "latest"]));
  if (pending !== mined) throw new Error(`${pending - mined} transactions were not mined`);
  const onChainNonce = BigInt((await request("eth_call", [{ to: safe, data: encodeFunctionData({ abi: safeAbi, functionName: "nonce" }) }, "latest"])) as Hex);
  if (onChainNonce !== safeNonce) throw new Error(`the Safe's nonce is ${onChainNonce}, expected ${safeNonce}: some executions reverted`);
  return { blocks: made.blocks };
}

/**
 * Fees that get a transaction into the next block: twice the latest base fee
 * (a base fee rises by at most 1/8 per block) and a tip of 1 wei.
 */
async function nextBlockFees(request: (method: string, params?: unknown[]) => Promise<unknown>): Promise<{ maxFeePerGas: Hex; maxPriorityFeePerGas: Hex }> {
  const latest = (await request("eth_getBlockByNumber", ["latest", false])) as { baseFeePerGas?: Hex };
  const baseFee = BigInt(latest.baseFeePerGas ?? "0x0");
  return { maxFeePerGas: `0x${(2n * baseFee + 1n).toString(16)}`, maxPriorityFeePerGas: "0x1" };
}
