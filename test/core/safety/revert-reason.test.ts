import assert from "node:assert/strict";
import { encodeErrorResult, parseAbi, toFunctionSelector } from "viem";
import { decodeRevert, describeRevert } from "../../../core/safety/revert-reason.ts";

/** Errors as contracts in the wild declare them, written here independently of the product's list. */
const abi = parseAbi([
  "error Error(string)",
  "error Panic(uint256)",
  "error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)",
  "error InsufficientBalance()",
  "error SomethingNobodyKnows(uint256 code)",
]);
const sender = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

describe("revert reasons (core/safety/revert-reason.ts)", () => {
  it("decodes Error(string), and names the Safe's GSxxx codes", () => {
    const plain = encodeErrorResult({ abi, errorName: "Error", args: ["ERC20: transfer amount exceeds balance"] });
    assert.deepEqual(decodeRevert(plain), { kind: "error", message: "ERC20: transfer amount exceeds balance" });
    assert.equal(describeRevert(plain), 'reverted: "ERC20: transfer amount exceeds balance"');
    const safe = encodeErrorResult({ abi, errorName: "Error", args: ["GS026"] });
    assert.equal(describeRevert(safe), "the Safe refused with GS026 (Invalid owner provided)");
  });

  it("decodes a panic into words with its code", () => {
    const overflow = encodeErrorResult({ abi, errorName: "Panic", args: [0x11n] });
    assert.deepEqual(decodeRevert(overflow), { kind: "panic", code: 0x11n });
    assert.equal(describeRevert(overflow), "panicked: an arithmetic overflow or underflow (panic code 0x11)");
  });

  it("names known custom errors with their arguments, not their raw selector", () => {
    const bare = encodeErrorResult({ abi, errorName: "InsufficientBalance" });
    assert.equal(bare, toFunctionSelector("InsufficientBalance()"));
    assert.match(describeRevert(bare), /^reverted with InsufficientBalance\(\): the sender's token balance is too low$/);
    assert.ok(!describeRevert(bare).includes(bare));
    const detailed = encodeErrorResult({ abi, errorName: "ERC20InsufficientBalance", args: [sender, 5n, 7n] });
    assert.equal(describeRevert(detailed), `reverted with ERC20InsufficientBalance(sender ${sender}, balance 5, needed 7): the sender's token balance is too low`);
  });

  it("says when there is no reason, and gives only the selector of an error nobody can name", () => {
    assert.equal(describeRevert("0x"), "the call reverted without a reason");
    const unknown = encodeErrorResult({ abi, errorName: "SomethingNobodyKnows", args: [3n] });
    assert.deepEqual(decodeRevert(unknown), { kind: "unknown", selector: toFunctionSelector("SomethingNobodyKnows(uint256)") });
    assert.match(describeRevert(unknown), /cannot name \(selector 0x[0-9a-f]{8}\)/);
  });
});
