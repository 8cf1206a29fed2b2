import assert from "node:assert/strict";
import { CommandSyntaxError, parsePayText, parseTreasuryCommand } from "../../../../adapters/slack/commands/parse.ts";

describe("/treasury command text (adapters/slack/commands/parse)", () => {
  it("reads one payment with a memo", () => {
    assert.deepEqual(parseTreasuryCommand("pay 250 USDC to Acme Design Studio for invoice INV-7"), {
      kind: "pay",
      payments: [{ amount: "250", token: "USDC", payee: "Acme Design Studio" }],
      memo: "invoice INV-7",
    });
  });

  it("reads a batch joined with `and`, keeping `and` inside payee names", () => {
    assert.deepEqual(parsePayText("100 USDC to Smith and Sons and 0.5 ETH to 0xd0D87b91703CA512f7c4aD24FDA3B97130c3367d for March"), {
      payments: [
        { amount: "100", token: "USDC", payee: "Smith and Sons" },
        { amount: "0.5", token: "ETH", payee: "0xd0D87b91703CA512f7c4aD24FDA3B97130c3367d" },
      ],
      memo: "March",
    });
  });

  it("opens the form with no arguments", () => {
    assert.deepEqual(parseTreasuryCommand(""), { kind: "modal" });
    assert.deepEqual(parseTreasuryCommand("pay"), { kind: "modal" });
  });

  it("names what is wrong", () => {
    assert.throws(() => parseTreasuryCommand("pay 250 USDC"), CommandSyntaxError);
    assert.throws(() => parseTreasuryCommand("ask"), /Ask a question/);
    assert.throws(() => parseTreasuryCommand("x".repeat(2000)), /limit is 1500/);
    assert.throws(() => parseTreasuryCommand("pay abc"), /not of the form/);
  });
});
