import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  encodeFunctionData,
  getAddress,
  zeroAddress,
  type Abi,
  type Address,
  type Hex,
} from "viem";
import { safeAbi } from "../../core/safe/artifacts.ts";
import type { TestChain } from "../helpers/chain.ts";
import { safeTxMessage, signSafeTx, wallet, type SafeCall, type SignerSpec } from "./safe-helpers.ts";

/** Helpers for a Safe other than the test chain's own (any version and flavour): signing and executing SafeTxs. */

export type SignedSafeTx = { safeTxHash: Hex; nonce: bigint; execTransactionData: Hex };

/** Signs `call` at `nonce` for the Safe at `safe` the ways owners can (sorted by owner) and returns the execTransaction calldata. */
export async function signForSafe(chain: TestChain, safe: Address, call: SafeCall, nonce: bigint, signers: SignerSpec[]): Promise<SignedSafeTx> {
  const message = safeTxMessage(call, nonce);
  const { safeTxHash, signatures } = await signSafeTx(chain, message, signers, safe);
  const execTransactionData = encodeFunctionData({
    abi: safeAbi,
    functionName: "execTransaction",
    args: [message.to, message.value, message.data, message.operation, 0n, 0n, 0n, zeroAddress, zeroAddress, signatures],
  });
  return { safeTxHash, nonce, execTransactionData };
}

export async function safeNonce(chain: TestChain, safe: Address): Promise<bigint> {
  return (await chain.client.readContract({ address: safe, abi: safeAbi, functionName: "nonce" })) as bigint;
}

/** Sends a transaction from development account `from` and waits for it; throws when it reverts. */
export async function send(chain: TestChain, from: number, to: Address, data: Hex, value = 0n): Promise<Hex> {
  const hash = await wallet(chain, from).sendTransaction({ to, data, value, gas: 2_000_000n });
  const receipt = await chain.client.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
  return hash;
}

/** Deploys a contract of contracts/ (compiled into artifacts/) from development account `from`. */
export async function deployTestContract(chain: TestChain, name: string, from = 0): Promise<{ address: Address; abi: Abi }> {
  const artifact = JSON.parse(readFileSync(join(process.cwd(), `artifacts/contracts/${name}.sol/${name}.json`), "utf8")) as { abi: Abi; bytecode: Hex };
  const hash = await wallet(chain, from).deployContract({ abi: artifact.abi, bytecode: artifact.bytecode, args: [] });
  const receipt = await chain.client.waitForTransactionReceipt({ hash });
  return { address: getAddress(receipt.contractAddress!), abi: artifact.abi };
}
