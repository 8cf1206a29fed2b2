import {
  concatHex,
  createWalletClient,
  encodeFunctionData,
  encodePacked,
  hashTypedData,
  http,
  pad,
  size,
  zeroAddress,
  type Address,
  type Hex,
  type HDAccount,
} from "viem";
import { developmentAccount } from "../../devchain/accounts.ts";
import { chainFor } from "../../core/chain.ts";
import { multiSendAbi, safeAbi } from "../../core/safe/artifacts.ts";
import { safeTxTypes } from "../../core/safe/safe-tx.ts";
import { erc20Abi } from "../../core/tokens.ts";
import type { TestChain } from "../helpers/chain.ts";

export type SafeCall = { to: Address; value?: bigint; data?: Hex; operation?: 0 | 1 };
export type SignerSpec = { account: HDAccount; method: "typed" | "eth_sign" | "approved" };

export { safeTxTypes };

export function wallet(chain: TestChain, index: number) {
  const account = developmentAccount(index);
  return createWalletClient({ account, chain: chainFor(chain.deployment.chainId, chain.node.url), transport: http(chain.node.url) });
}

export function safeTxMessage(call: SafeCall, nonce: bigint, safeTxGas = 0n) {
  return {
    to: call.to,
    value: call.value ?? 0n,
    data: call.data ?? "0x",
    operation: call.operation ?? 0,
    safeTxGas,
    baseGas: 0n,
    gasPrice: 0n,
    gasToken: zeroAddress,
    refundReceiver: zeroAddress,
    nonce,
  } as const;
}

/** Signs a SafeTx the ways owners can, sorted by owner as the Safe wants. */
export async function signSafeTx(
  chain: TestChain,
  message: ReturnType<typeof safeTxMessage>,
  signers: SignerSpec[],
  safe: Address = chain.deployment.safe.address,
): Promise<{ safeTxHash: Hex; signatures: Hex }> {
  const domain = { chainId: chain.deployment.chainId, verifyingContract: safe } as const;
  const safeTxHash = hashTypedData({ domain, types: safeTxTypes, primaryType: "SafeTx", message });
  const parts: { owner: Address; signature: Hex }[] = [];
  for (const { account, method } of signers) {
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
  return { safeTxHash, signatures: concatHex(parts.map((part) => part.signature)) };
}

/** Signs and executes a SafeTx; returns its hashes. `executor` is a development account index. */
export async function execSafeTx(
  chain: TestChain,
  call: SafeCall,
  signers: SignerSpec[],
  options: { executor?: number; safeTxGas?: bigint; nonce?: bigint } = {},
): Promise<{ safeTxHash: Hex; txHash: Hex }> {
  const safe = chain.deployment.safe.address;
  const nonce = options.nonce ?? ((await chain.client.readContract({ address: safe, abi: safeAbi, functionName: "nonce" })) as bigint);
  const message = safeTxMessage(call, nonce, options.safeTxGas);
  const { safeTxHash, signatures } = await signSafeTx(chain, message, signers);
  const sender = wallet(chain, options.executor ?? 0);
  const txHash = await sender.writeContract({
    address: safe,
    abi: safeAbi,
    functionName: "execTransaction",
    args: [message.to, message.value, message.data, message.operation, message.safeTxGas, 0n, 0n, zeroAddress, zeroAddress, signatures],
    gas: 1_000_000n,
  });
  const receipt = await chain.client.waitForTransactionReceipt({ hash: txHash });
  if (receipt.status !== "success") throw new Error(`execTransaction ${txHash} reverted`);
  return { safeTxHash, txHash };
}

/** A call from the Safe to itself (owner and module management). */
export function selfCall(chain: TestChain, functionName: string, args: unknown[]): SafeCall {
  return { to: chain.deployment.safe.address, data: encodeFunctionData({ abi: safeAbi, functionName, args } as never) };
}

export function erc20Transfer(token: Address, to: Address, amount: bigint): SafeCall {
  return { to: token, data: encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [to, amount] }) };
}

/** A MultiSend batch (delegatecall) of plain calls. */
export function multiSend(chain: TestChain, calls: SafeCall[]): SafeCall {
  const packed = concatHex(
    calls.map((call) => {
      const data = call.data ?? "0x";
      return encodePacked(["uint8", "address", "uint256", "uint256", "bytes"], [call.operation ?? 0, call.to, call.value ?? 0n, BigInt(size(data)), data]);
    }),
  );
  return {
    to: chain.deployment.contracts.multiSendCallOnly,
    data: encodeFunctionData({ abi: multiSendAbi, functionName: "multiSend", args: [packed] }),
    operation: 1,
  };
}

/** The Safe's owner linked list needs the previous owner for removeOwner / swapOwner. */
export async function previousOwner(chain: TestChain, owner: Address): Promise<Address> {
  const owners = (await chain.client.readContract({ address: chain.deployment.safe.address, abi: safeAbi, functionName: "getOwners" })) as Address[];
  const index = owners.indexOf(owner);
  return index <= 0 ? "0x0000000000000000000000000000000000000001" : owners[index - 1];
}
