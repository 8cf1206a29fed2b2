import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  concatHex,
  encodeFunctionData,
  getAddress,
  hashTypedData,
  pad,
  zeroAddress,
  type Abi,
  type Address,
  type Hex,
  type HDAccount,
} from "viem";
import { safeAbi } from "../../core/safe/artifacts.ts";
import { safeTxTypes } from "../../core/safe/safe-tx.ts";
import type { TestChain } from "../helpers/chain.ts";
import { safeTxMessage, wallet, type SafeCall, type SignerSpec } from "./safe-helpers.ts";

/** Helpers for a Safe other than the test chain's own (any version and flavour): signing and executing SafeTxs. */

export type SignedSafeTx = { safeTxHash: Hex; nonce: bigint; execTransactionData: Hex };

/** Signs `call` at `nonce` for the Safe at `safe` the ways owners can (sorted by owner) and returns the execTransaction calldata. */
export async function signForSafe(chain: TestChain, safe: Address, call: SafeCall, nonce: bigint, signers: SignerSpec[]): Promise<SignedSafeTx> {
  const message = safeTxMessage(call, nonce);
  const domain = { chainId: chain.deployment.chainId, verifyingContract: safe } as const;
  const safeTxHash = hashTypedData({ domain, types: safeTxTypes, primaryType: "SafeTx", message });
  const parts: { owner: Address; signature: Hex }[] = [];
  for (const { account, method } of signers as { account: HDAccount; method: SignerSpec["method"] }[]) {
    if (method === "typed") {
      parts.push({ owner: account.address, signature: await account.signTypedData({ domain, types: safeTxTypes, primaryType: "SafeTx", message }) });
    } else if (method === "eth_sign") {
      const signature = await account.signMessage({ message: { raw: safeTxHash } });
      const v = Number.parseInt(signature.slice(130), 16) + 4;
      parts.push({ owner: account.address, signature: `${signature.slice(0, 130)}${v.toString(16)}` as Hex });
    } else {
      parts.push({ owner: account.address, signature: concatHex([pad(account.address, { size: 32 }), pad("0x00", { size: 32 }), "0x01"]) });
    }
  }
  parts.sort((a, b) => (a.owner.toLowerCase() < b.owner.toLowerCase() ? -1 : 1));
  const execTransactionData = encodeFunctionData({
    abi: safeAbi,
    functionName: "execTransaction",
    args: [message.to, message.value, message.data, message.operation, 0n, 0n, 0n, zeroAddress, zeroAddress, concatHex(parts.map((part) => part.signature))],
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
