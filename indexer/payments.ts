import { decodeFunctionData, type Address, type Hex } from "viem";
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
  const packed = multiSendBytes(data);
  if (packed === undefined) return [];
  // Read from the hex by hand (a payroll batch has hundreds of calls): hex characters, two per byte.
  const calls: SafeCall[] = [];
  const bytes = (packed.length - 2) / 2;
  const at = (byte: number) => 2 + byte * 2;
  let offset = 0;
  while (offset + 85 <= bytes) {
    const operation = Number.parseInt(packed.slice(at(offset), at(offset + 1)), 16);
    const to = checksumAddress(`0x${packed.slice(at(offset + 1), at(offset + 21))}`);
    const value = BigInt(`0x${packed.slice(at(offset + 21), at(offset + 53))}`);
    const length = Number(BigInt(`0x${packed.slice(at(offset + 53), at(offset + 85))}`));
    if (offset + 85 + length > bytes) break; // malformed tail: the Safe would have reverted
    const inner: Hex = length === 0 ? "0x" : `0x${packed.slice(at(offset + 85), at(offset + 85 + length))}`;
    calls.push({ to, value, data: inner, operation });
    offset += 85 + length;
  }
  return calls;
}

/**
 * The `bytes` argument of `multiSend(bytes)` calldata, or undefined when it
 * does not decode. The plain encoding (offset 32, then the length) is read
 * straight from the hex; any other goes through viem's decoder.
 */
function multiSendBytes(data: Hex): Hex | undefined {
  const hex = data.length;
  if (hex >= 138 && /^0{62}20$/.test(data.slice(10, 74))) {
    const length = Number.parseInt(data.slice(74, 138), 16);
    if (Number.isSafeInteger(length) && 138 + 2 * length <= hex) return `0x${data.slice(138, 138 + 2 * length)}`;
  }
  try {
    return decodeFunctionData({ abi: multiSendAbi, data }).args?.[0] as Hex;
  } catch {
    return undefined;
  }
}
