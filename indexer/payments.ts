import { decodeFunctionData, hexToBigInt, slice, type Address, type Hex } from "viem";
import { multiSendAbi } from "../core/safe/artifacts.ts";
import { checksumAddress } from "./addresses.ts";
import type { DecodedPayment } from "../db/chain-mirror/records.ts";

/** One transfer out of the Safe, as an executed SafeTx asked for it. `token` null = the native coin. */

export type SafeCall = { to: Address; value: bigint; data: Hex; operation: number };

const transferSelector = "0xa9059cbb";
const multiSendSelector = "0x8d80ff0a";

/**
 * The transfers an executed SafeTx makes: its native value, an ERC-20
 * `transfer(to, amount)` call, or each such call of a MultiSend /
 * MultiSendCallOnly batch (delegatecall to a known MultiSend), in batch order.
 * Calls that move no money (owner changes, approvals, contract calls) give none.
 */
export function decodePayments(call: SafeCall, multiSendAddresses: ReadonlySet<string>): DecodedPayment[] {
  const calls =
    call.operation === 1 && multiSendAddresses.has(call.to.toLowerCase()) && call.data.startsWith(multiSendSelector)
      ? unpackMultiSend(call.data)
      : call.operation === 0
        ? [call]
        : [];
  const payments: DecodedPayment[] = [];
  for (const inner of calls) {
    if (inner.operation !== 0) continue; // a nested delegatecall moves nothing we can read from calldata
    if (inner.value > 0n) payments.push({ batchIndex: payments.length, token: null, to: inner.to, amount: inner.value });
    const transfer = decodeTransfer(inner.data);
    if (transfer) payments.push({ batchIndex: payments.length, token: inner.to, to: transfer.to, amount: transfer.amount });
  }
  return payments;
}

/** `transfer(to, amount)` calldata, or undefined for any other call. */
export function decodeTransfer(data: Hex): { to: Address; amount: bigint } | undefined {
  // Read by hand (this runs for every payment): selector, a clean address word, an amount word.
  if (data.length !== 138 || !data.toLowerCase().startsWith(transferSelector) || !/^0{24}$/.test(data.slice(10, 34))) return undefined;
  return { to: checksumAddress(`0x${data.slice(34, 74)}`), amount: BigInt(`0x${data.slice(74, 138)}`) };
}

/** The calls of a `multiSend(bytes)` payload: operation (1 byte), to (20), value (32), data length (32), data. */
export function unpackMultiSend(data: Hex): SafeCall[] {
  let packed: Hex;
  try {
    packed = decodeFunctionData({ abi: multiSendAbi, data }).args?.[0] as Hex;
  } catch {
    return [];
  }
  const calls: SafeCall[] = [];
  const bytes = (packed.length - 2) / 2;
  let offset = 0;
  while (offset + 85 <= bytes) {
    const operation = Number.parseInt(packed.slice(2 + offset * 2, 4 + offset * 2), 16);
    const to = checksumAddress(slice(packed, offset + 1, offset + 21));
    const value = hexToBigInt(slice(packed, offset + 21, offset + 53));
    const length = Number(hexToBigInt(slice(packed, offset + 53, offset + 85)));
    if (offset + 85 + length > bytes) break; // malformed tail: the Safe would have reverted
    const inner = length === 0 ? "0x" : slice(packed, offset + 85, offset + 85 + length);
    calls.push({ to, value, data: inner, operation });
    offset += 85 + length;
  }
  return calls;
}
