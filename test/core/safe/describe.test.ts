import assert from "node:assert/strict";
import { encodeMultiSendData } from "@safe-global/protocol-kit";
import { encodeFunctionData, getAddress, parseAbi, zeroAddress, type Address, type Hex } from "viem";
import { describeSafeTx } from "../../../core/safe/describe.ts";
import { decodeMultiSend } from "../../../core/safe/multisend.ts";

// The calls are encoded from human-readable signatures and protocol-kit's MultiSend encoder, not from the code under test.
const safeFunctions = parseAbi([
  "function addOwnerWithThreshold(address owner, uint256 _threshold)",
  "function removeOwner(address prevOwner, address owner, uint256 _threshold)",
  "function swapOwner(address prevOwner, address oldOwner, address newOwner)",
  "function changeThreshold(uint256 _threshold)",
  "function enableModule(address module)",
  "function setGuard(address guard)",
]);
const transferAbi = parseAbi(["function transfer(address to, uint256 amount) returns (bool)"]);

const safe = getAddress("0x5afe5afe5afe5afe5afe5afe5afe5afe5afe5afe");
const multiSend = getAddress("0x38869bf66a61cf6bdb996a6ae40d5853fd43b526");
const multiSendCallOnly = getAddress("0x9641d764fc13c8b624c04430c7356c1c7c8102e2");
const usdc = getAddress("0x00000000000000000000000000000000000c0de1");
const acme = getAddress("0xd0d87b91703ca512f7c4ad24fda3b97130c3367d");
const dana = getAddress("0x15d34aaf54267db7d7c367839aaf71a00a2c6a65");
const chen = getAddress("0x90f79bf6eb2c4f870365e785982e1f101e93b906");
const sentinel = getAddress("0x0000000000000000000000000000000000000001");

const describe_ = (call: { to: Address; value?: bigint; data?: Hex; operation?: number }) =>
  describeSafeTx({
    safeAddress: safe,
    multiSendAddresses: [multiSend, multiSendCallOnly],
    call: { to: call.to, value: call.value ?? 0n, data: call.data ?? "0x", operation: call.operation ?? 0 },
  });

type BatchCall = { to: Address; value?: bigint; data?: Hex; operation?: 0 | 1 };
const packed = (calls: BatchCall[]) =>
  encodeMultiSendData(calls.map((call) => ({ to: call.to, value: String(call.value ?? 0n), data: call.data ?? "0x", operation: call.operation ?? 0 }))) as Hex;
const multiSendCall = (transactions: Hex): Hex =>
  encodeFunctionData({ abi: parseAbi(["function multiSend(bytes transactions)"]), functionName: "multiSend", args: [transactions] });
const batch = (calls: BatchCall[]): Hex => multiSendCall(packed(calls));
/** A batch whose last entry is one byte short of what its length says. */
const truncatedBatch = (calls: BatchCall[]): Hex => multiSendCall(packed(calls).slice(0, -2) as Hex);

describe("what a SafeTx does (core/safe/describe)", () => {
  it("names the Safe's own rejection: a zero-value call to itself with no data", () => {
    assert.deepEqual(describe_({ to: safe }), { kind: "rejection", actions: [] });
    // A call to itself with value, or with data, is not a rejection.
    assert.notEqual(describe_({ to: safe, value: 1n }).kind, "rejection");
    assert.notEqual(describe_({ to: safe, data: encodeFunctionData({ abi: safeFunctions, functionName: "changeThreshold", args: [1n] }) }).kind, "rejection");
  });

  it("names owner additions, removals, swaps and threshold changes", () => {
    assert.deepEqual(describe_({ to: safe, data: encodeFunctionData({ abi: safeFunctions, functionName: "addOwnerWithThreshold", args: [dana, 2n] }) }), {
      kind: "owner_change",
      actions: [{ kind: "owner_added", owner: dana, threshold: 2 }],
    });
    assert.deepEqual(describe_({ to: safe, data: encodeFunctionData({ abi: safeFunctions, functionName: "removeOwner", args: [sentinel, chen, 1n] }) }).actions, [
      { kind: "owner_removed", owner: chen, threshold: 1 },
    ]);
    assert.deepEqual(describe_({ to: safe, data: encodeFunctionData({ abi: safeFunctions, functionName: "swapOwner", args: [sentinel, chen, dana] }) }).actions, [
      { kind: "owner_replaced", oldOwner: chen, newOwner: dana },
    ]);
    assert.deepEqual(describe_({ to: safe, data: encodeFunctionData({ abi: safeFunctions, functionName: "changeThreshold", args: [3n] }) }), {
      kind: "owner_change",
      actions: [{ kind: "threshold_changed", threshold: 3 }],
    });
  });

  it("names payments in ETH and ERC-20", () => {
    assert.deepEqual(describe_({ to: acme, value: 10n ** 18n }), { kind: "payment", actions: [{ kind: "payment", token: null, to: acme, amount: 10n ** 18n }] });
    assert.deepEqual(describe_({ to: usdc, data: encodeFunctionData({ abi: transferAbi, functionName: "transfer", args: [acme, 250_000_000n] }) }), {
      kind: "payment",
      actions: [{ kind: "payment", token: usdc, to: acme, amount: 250_000_000n }],
    });
  });

  it("describes each call of a MultiSend batch that mixes an owner removal and a payment", () => {
    const data = batch([
      { to: safe, data: encodeFunctionData({ abi: safeFunctions, functionName: "removeOwner", args: [sentinel, chen, 2n] }) },
      { to: usdc, data: encodeFunctionData({ abi: transferAbi, functionName: "transfer", args: [acme, 12_500_000n] }) },
      { to: acme, value: 5n },
    ]);
    assert.deepEqual(describe_({ to: multiSendCallOnly, data, operation: 1 }), {
      kind: "mixed",
      actions: [
        { kind: "owner_removed", owner: chen, threshold: 2 },
        { kind: "payment", token: usdc, to: acme, amount: 12_500_000n },
        { kind: "payment", token: null, to: acme, amount: 5n },
      ],
    });
    // Two owner changes in one batch are one owner change.
    const owners = batch([
      { to: safe, data: encodeFunctionData({ abi: safeFunctions, functionName: "addOwnerWithThreshold", args: [dana, 2n] }) },
      { to: safe, data: encodeFunctionData({ abi: safeFunctions, functionName: "changeThreshold", args: [3n] }) },
    ]);
    assert.equal(describe_({ to: multiSend, data: owners, operation: 1 }).kind, "owner_change");
  });

  it("names settings and calls it cannot read, including a delegatecall that is no known batch", () => {
    const module = getAddress("0x00000000000000000000000000000000000e0e0e");
    assert.deepEqual(describe_({ to: safe, data: encodeFunctionData({ abi: safeFunctions, functionName: "enableModule", args: [module] }) }), {
      kind: "safe_setting",
      actions: [{ kind: "safe_setting", setting: "module_enabled", address: module }],
    });
    assert.deepEqual(describe_({ to: safe, data: encodeFunctionData({ abi: safeFunctions, functionName: "setGuard", args: [zeroAddress] }) }).actions, [
      { kind: "safe_setting", setting: "guard_removed", address: null },
    ]);
    assert.deepEqual(describe_({ to: acme, data: "0xdeadbeef00" }), {
      kind: "contract_call",
      actions: [{ kind: "contract_call", to: acme, value: 0n, selector: "0xdeadbeef", delegate: false }],
    });
    // A delegatecall to an unknown contract is never unpacked as a batch, even with multiSend calldata.
    const disguised = batch([{ to: acme, value: 5n }]);
    assert.deepEqual(describe_({ to: acme, data: disguised, operation: 1 }).actions, [
      { kind: "contract_call", to: acme, value: 0n, selector: disguised.slice(0, 10), delegate: true },
    ]);
    // A truncated batch is a call it cannot read, not a guess.
    const truncated = truncatedBatch([{ to: safe, data: encodeFunctionData({ abi: safeFunctions, functionName: "changeThreshold", args: [1n] }) }]);
    assert.deepEqual(describe_({ to: multiSend, data: truncated, operation: 1 }).actions, [
      { kind: "contract_call", to: multiSend, value: 0n, selector: truncated.slice(0, 10), delegate: true },
    ]);
  });
});

describe("MultiSend batches (core/safe/multisend)", () => {
  it("reads back what protocol-kit encodes, and refuses a truncated batch", () => {
    const calls = [
      { to: acme, value: 7n, data: "0x" as Hex, operation: 0 },
      { to: usdc, value: 0n, data: encodeFunctionData({ abi: transferAbi, functionName: "transfer", args: [dana, 1n] }), operation: 0 },
    ];
    const data = batch(calls.map((call) => ({ ...call, operation: 0 as const })));
    assert.deepEqual(decodeMultiSend(data), calls);
    assert.equal(decodeMultiSend(truncatedBatch(calls.map((call) => ({ ...call, operation: 0 as const })))), undefined);
    assert.equal(decodeMultiSend("0x12345678"), undefined);
  });
});
