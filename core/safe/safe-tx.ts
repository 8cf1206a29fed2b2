import type { StoredSafeTx } from "../../db/proposals.ts";
import {
  concat,
  encodeFunctionData,
  encodePacked,
  getAddress,
  hashDomain,
  hashStruct,
  hashTypedData,
  pad,
  size,
  toHex,
  zeroAddress,
  type Address,
  type Hex,
  type TypedDataDefinition,
} from "viem";
import { multiSendAbi } from "./artifacts.ts";

/** Safe's operation: a plain call (0) or a delegatecall (1, used for MultiSend batches). */
export type SafeOperation = 0 | 1;

/** Every field of a Safe transaction, exactly as the owners sign it (EIP-712 `SafeTx`); stored as is with each proposal. */
export type SafeTx = StoredSafeTx;

/** The EIP-712 domain of a Safe v1.3+: chain id and the Safe's address (no name, no version). */
export const safeDomainTypes = {
  EIP712Domain: [
    { name: "chainId", type: "uint256" },
    { name: "verifyingContract", type: "address" },
  ],
} as const;

/** The EIP-712 types of a Safe v1.3+ transaction (viem adds EIP712Domain from the domain when signing). */
export const safeTxTypes = {
  SafeTx: [
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "data", type: "bytes" },
    { name: "operation", type: "uint8" },
    { name: "safeTxGas", type: "uint256" },
    { name: "baseGas", type: "uint256" },
    { name: "gasPrice", type: "uint256" },
    { name: "gasToken", type: "address" },
    { name: "refundReceiver", type: "address" },
    { name: "nonce", type: "uint256" },
  ],
} as const;

export type SafeTxTypedData = TypedDataDefinition<typeof safeTxTypes, "SafeTx">;

export type SafeTxDomain = { chainId: number; safeAddress: Address };

/** A SafeTx with the gas-refund fields at zero (the relayer or the owner pays gas; the Safe refunds nothing). */
export function buildSafeTx(params: { to: Address; value?: bigint; data?: Hex; operation?: SafeOperation; nonce: bigint | number }): SafeTx {
  return {
    to: getAddress(params.to),
    value: params.value ?? 0n,
    data: params.data ?? "0x",
    operation: params.operation ?? 0,
    safeTxGas: 0n,
    baseGas: 0n,
    gasPrice: 0n,
    gasToken: zeroAddress,
    refundReceiver: zeroAddress,
    nonce: BigInt(params.nonce),
  };
}

/** The typed data a wallet signs with `eth_signTypedData_v4` for this SafeTx on this Safe and chain. */
export function safeTxTypedDataFor({ chainId, safeAddress }: SafeTxDomain, safeTx: SafeTx): SafeTxTypedData {
  return {
    domain: { chainId, verifyingContract: getAddress(safeAddress) },
    types: safeTxTypes,
    primaryType: "SafeTx",
    message: { ...safeTx },
  };
}

export type SafeTxHashes = {
  /** EIP-712 domain separator: what a hardware wallet shows as "domain hash". */
  domainHash: Hex;
  /** The SafeTx struct hash: what a hardware wallet shows as "message hash". */
  messageHash: Hex;
  /** keccak256(0x1901 ‖ domainHash ‖ messageHash): the hash the owners sign and the Safe checks. */
  safeTxHash: Hex;
};

/** Computes the three hashes locally (equal to protocol-kit's `getTransactionHash` and the Safe's `getTransactionHash`). */
export function hashSafeTx(domain: SafeTxDomain, safeTx: SafeTx): SafeTxHashes {
  const typedData = safeTxTypedDataFor(domain, safeTx);
  const domainHash = hashDomain({
    domain: { chainId: BigInt(domain.chainId), verifyingContract: getAddress(domain.safeAddress) },
    types: safeDomainTypes,
  });
  const messageHash = hashStruct({ data: typedData.message, primaryType: "SafeTx", types: safeTxTypes });
  const safeTxHash = hashTypedData(typedData);
  return { domainHash, messageHash, safeTxHash };
}

/** One call of a MultiSend batch. */
export type MultiSendCall = { to: Address; value: bigint; data: Hex };

/**
 * Encodes calls for `MultiSendCallOnly.multiSend` (each: operation 0, to, value,
 * data length, data, packed). The Safe runs it with a delegatecall (operation 1).
 */
export function encodeMultiSend(calls: readonly MultiSendCall[]): Hex {
  const packed = concat(
    calls.map((call) =>
      encodePacked(
        ["uint8", "address", "uint256", "uint256", "bytes"],
        [0, getAddress(call.to), call.value, BigInt(size(call.data)), call.data],
      ),
    ),
  );
  return encodeFunctionData({ abi: multiSendAbi, functionName: "multiSend", args: [packed] });
}

/** A signature the Safe accepts, by owner. `approvedHash` ones were approved on-chain with `approveHash`. */
export type OwnerSignature = { owner: Address; signature: Hex; source: "wallet" | "key_file" | "approved_hash" };

/** The Safe's signature for an owner who approved the hash on-chain: r = owner, s = 0, v = 1. */
export function approvedHashSignature(owner: Address): Hex {
  return concat([pad(getAddress(owner), { size: 32 }), toHex(0, { size: 32 }), "0x01"]);
}

/**
 * Concatenates signatures in the order `checkNSignatures` requires: by owner
 * address, ascending. Approved-hash approvals become v = 1 signatures.
 */
export function encodeSafeSignatures(signatures: readonly OwnerSignature[]): Hex {
  const sorted = [...signatures].sort((a, b) => (BigInt(a.owner) < BigInt(b.owner) ? -1 : BigInt(a.owner) > BigInt(b.owner) ? 1 : 0));
  return concat(sorted.map((entry) => (entry.source === "approved_hash" ? approvedHashSignature(entry.owner) : entry.signature)));
}
