import assert from "node:assert/strict";
import { InvalidAmountError } from "../../core/errors.ts";
import { formatAmount, formatAmountForPeople, parseAmount } from "../../core/money.ts";

describe("money", () => {
  it("parses human amounts into exact base units", () => {
    assert.equal(parseAmount("250", 6), 250_000_000n);
    assert.equal(parseAmount("1.5", 18), 1_500_000_000_000_000_000n);
    assert.equal(parseAmount("0.25", 18), 250_000_000_000_000_000n);
    assert.equal(parseAmount("0.000001", 6), 1n);
    assert.equal(parseAmount(".5", 6), 500_000n);
    assert.equal(parseAmount(" 180.00 ", 6), 180_000_000n);
    // Beyond float precision, still exact.
    assert.equal(parseAmount("123456789012345678.123456789012345678", 18), 123456789012345678123456789012345678n);
  });

  const refusals: Array<[string, number, RegExp]> = [
    ["-5", 6, /negative/],
    ["0", 6, /zero/],
    ["0.000", 6, /zero/],
    ["1e30", 18, /exponent/],
    ["1.0000001", 6, /7 decimals; USDC has only 6/],
    ["abc", 6, /not an amount/],
    ["1,5", 6, /comma/],
    ["", 6, /empty/],
    ["1.2.3", 6, /not an amount/],
    ["0x10", 6, /not an amount/],
    ["1" + "0".repeat(80), 0, /too large/],
  ];
  for (const [input, decimals, reason] of refusals) {
    it(`refuses ${JSON.stringify(input)} with a message naming the problem`, () => {
      assert.throws(() => parseAmount(input, decimals, "USDC"), (error: unknown) => {
        assert.ok(error instanceof InvalidAmountError);
        assert.match(error.shortMessage, reason);
        return true;
      });
    });
  }

  it("formats base units with the token's decimals, exactly", () => {
    assert.equal(formatAmount(250_000_000n, 6), "250");
    assert.equal(formatAmount(1n, 6), "0.000001");
    assert.equal(formatAmount(1_500_000_000_000_000_000n, 18), "1.5");
    assert.equal(formatAmount(-3_500_000n, 6), "-3.5");
    assert.equal(formatAmount(42n, 0), "42");
    assert.equal(formatAmountForPeople(40_000_000_000n, 6), "40,000");
    assert.equal(formatAmountForPeople(1_234_567_500_000n, 6), "1,234,567.5");
  });

  it("round-trips", () => {
    for (const text of ["1", "0.1", "99999.999999", "1750"]) assert.equal(formatAmount(parseAmount(text, 6), 6), text);
  });
});
