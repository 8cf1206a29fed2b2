import assert from "node:assert/strict";
import { encodeAbiParameters, encodeFunctionData, getAddress, type AbiEvent, type AbiParameter, type Hex } from "viem";
import { decodeSafeMultiSigTransaction } from "../../indexer/decode.ts";
import { decodePayments, decodeTransfer } from "../../indexer/payments.ts";
import { safeAbi } from "../../core/safe/artifacts.ts";
import { erc20Abi } from "../../core/tokens.ts";

const event = safeAbi.find((item) => item.type === "event" && item.name === "SafeMultiSigTransaction") as AbiEvent;
const inputs = event.inputs as AbiParameter[];
const token = getAddress("0x5fbdb2315678afecb367f032d93f642f64180aa3");
const payee = getAddress("0xd0d87b91703ca512f7c4ad24fda3b97130c3367d");

describe("log decoding (indexer/decode, indexer/payments)", () => {
  it("reads SafeMultiSigTransaction by hand exactly as viem's ABI decoder does", () => {
    const cases = [
      [payee, 10n ** 18n, "0x", 0, 0n, 0n, 0n, "0x0000000000000000000000000000000000000000", "0x0000000000000000000000000000000000000000", `0x${"ab".repeat(130)}`, `0x${"00".repeat(96)}`],
      [token, 0n, encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [payee, 5n] }), 1, 100_000n, 7n, 3n, token, payee, "0x", "0x01"],
    ] as const;
    for (const values of cases) {
      const data = encodeAbiParameters(inputs, values as never);
      assert.deepEqual(decodeSafeMultiSigTransaction(data), [...values]);
    }
    assert.equal(decodeSafeMultiSigTransaction("0x1234"), undefined, "not the plain layout: viem decides");
  });

  it("reads ERC-20 transfer calldata, and nothing else, as a payment", () => {
    const data = encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [payee, 1_750_500_000n] });
    assert.deepEqual(decodeTransfer(data), { to: payee, amount: 1_750_500_000n });
    assert.equal(decodeTransfer(encodeFunctionData({ abi: erc20Abi, functionName: "mint", args: [payee, 1n] })), undefined);
    const dirty = `${data.slice(0, 10)}ff${data.slice(12)}` as Hex;
    assert.equal(decodeTransfer(dirty), undefined, "an address word with high bits set would revert in the token");
    assert.deepEqual(decodePayments({ to: token, value: 2n, data, operation: 0 }, new Set()), [
      { batchIndex: 0, token: null, to: token, amount: 2n },
      { batchIndex: 1, token, to: payee, amount: 1_750_500_000n },
    ]);
    assert.deepEqual(decodePayments({ to: token, value: 0n, data, operation: 1 }, new Set()), [], "a delegatecall to an unknown contract pays no one we can tell");
  });
});
