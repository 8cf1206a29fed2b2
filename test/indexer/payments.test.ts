import assert from "node:assert/strict";
import { concat, encodeFunctionData, encodePacked, getAddress, pad, parseAbi, size, toHex, type Address, type Hex } from "viem";
import { decodePayments, unpackMultiSend } from "../../indexer/payments.ts";

// The MultiSend ABI and packing written out here, independently of the product's encoder (core/safe/safe-tx.ts).
const multiSendAbi = parseAbi(["function multiSend(bytes transactions)"]);
const transferAbi = parseAbi(["function transfer(address to, uint256 amount)"]);
type Call = { operation: number; to: Address; value: bigint; data: Hex };
const pack = (calls: Call[]): Hex =>
  concat(calls.map((call) => encodePacked(["uint8", "address", "uint256", "uint256", "bytes"], [call.operation, call.to, call.value, BigInt(size(call.data)), call.data])));

const token = getAddress("0x5fbdb2315678afecb367f032d93f642f64180aa3");
const payee = (index: number) => getAddress(`0x${(0xabc000 + index).toString(16).padStart(40, "0")}`);
const calls: Call[] = [
  ...Array.from({ length: 120 }, (_, index) => ({
    operation: 0,
    to: token,
    value: 0n,
    data: encodeFunctionData({ abi: transferAbi, functionName: "transfer", args: [payee(index), 10n ** 18n + BigInt(index)] }),
  })),
  { operation: 0, to: payee(500), value: 7n, data: "0x" },
  { operation: 1, to: payee(501), value: 0n, data: "0xdeadbeef" },
];
const multiSend = "0x998739BFdAAdde7C933B942a68053933098f9EDa" as Address;

describe("payments of a MultiSend batch (indexer/payments)", () => {
  it("unpacks every call of a large batch, in order", () => {
    const data = encodeFunctionData({ abi: multiSendAbi, functionName: "multiSend", args: [pack(calls)] });
    assert.deepEqual(unpackMultiSend(data), calls.map(({ operation, to, value, data }) => ({ operation, to, value, data })));
  });

  it("reads the same calls from calldata whose bytes sit at another offset", () => {
    const packed = pack(calls.slice(0, 3));
    // Offset 64 (a spare word before the length): valid ABI encoding, not the one Solidity writes.
    const data = concat(["0x8d80ff0a", pad(toHex(64)), pad("0x"), pad(toHex(size(packed))), packed, "0x000000"]);
    assert.deepEqual(unpackMultiSend(data), calls.slice(0, 3));
  });

  it("gives nothing for calldata cut short, and stops at a call cut short", () => {
    const full = encodeFunctionData({ abi: multiSendAbi, functionName: "multiSend", args: [pack(calls.slice(0, 2))] });
    assert.deepEqual(unpackMultiSend(full.slice(0, full.length - 70) as Hex), []);
    const cutCall = pack(calls.slice(0, 2)).slice(0, -20) as Hex;
    const data = encodeFunctionData({ abi: multiSendAbi, functionName: "multiSend", args: [cutCall] });
    assert.deepEqual(unpackMultiSend(data), calls.slice(0, 1));
  });

  it("turns the batch into payments: each transfer and each native value, numbered in batch order", () => {
    const data = encodeFunctionData({ abi: multiSendAbi, functionName: "multiSend", args: [pack(calls)] });
    const payments = decodePayments({ to: multiSend, value: 0n, data, operation: 1 }, new Set([multiSend.toLowerCase()]));
    const expected = [
      ...Array.from({ length: 120 }, (_, index) => ({ batchIndex: index, token, to: payee(index), amount: 10n ** 18n + BigInt(index) })),
      { batchIndex: 120, token: null, to: payee(500), amount: 7n },
    ];
    assert.deepEqual(payments, expected);
  });
});
