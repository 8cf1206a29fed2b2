import { decodeFunctionData, getAddress, hexToBigInt, slice, type Address, type Hex } from "viem";
import { multiSendAbi } from "./artifacts.ts";

/** One call inside a MultiSend batch, as the batch encodes it. */
export type MultiSendEntry = { operation: number; to: Address; value: bigint; data: Hex };

/**
 * The calls of a `multiSend(bytes)` payload (the inverse of `encodeMultiSend`),
 * in batch order, or undefined when the data is not a well-formed batch (the
 * MultiSend contract would revert on it).
 */
export function decodeMultiSend(data: Hex): MultiSendEntry[] | undefined {
  let packed: Hex;
  try {
    const decoded = decodeFunctionData({ abi: multiSendAbi, data });
    if (decoded.functionName !== "multiSend") return undefined;
    packed = decoded.args?.[0] as Hex;
  } catch {
    return undefined;
  }
  const entries: MultiSendEntry[] = [];
  const bytes = (packed.length - 2) / 2;
  let offset = 0;
  // Each entry: operation (1 byte), to (20), value (32), data length (32), data.
  while (offset < bytes) {
    if (offset + 85 > bytes) return undefined;
    const operation = Number(hexToBigInt(slice(packed, offset, offset + 1)));
    const to = getAddress(slice(packed, offset + 1, offset + 21));
    const value = hexToBigInt(slice(packed, offset + 21, offset + 53));
    const length = hexToBigInt(slice(packed, offset + 53, offset + 85));
    if (BigInt(offset + 85) + length > BigInt(bytes)) return undefined;
    const end = offset + 85 + Number(length);
    entries.push({ operation, to, value, data: length === 0n ? "0x" : slice(packed, offset + 85, end) });
    offset = end;
  }
  return entries;
}
