import assert from "node:assert/strict";
import { readPaymentsCsv } from "../../../../adapters/cli/commands/pay.ts";

/** `treasury pay --csv FILE`: the batch file as a spreadsheet writes it. */
describe("treasury pay --csv: reading the batch file (adapters/cli/commands/pay.ts)", () => {
  it("keeps a quoted payee whole when it holds a comma, and quotes inside quotes", () => {
    const csv = 'amount,token,payee\n250,USDC,"Acme, LLC"\n12.5,DAI,"The ""Night Owl"" Café, Berlin"\n0.01,ETH,0x9999aaaa2222bbbb3333cccc4444dddd5555ffff\n';
    assert.deepEqual(readPaymentsCsv(csv), [
      { amount: "250", token: "USDC", payee: "Acme, LLC" },
      { amount: "12.5", token: "DAI", payee: 'The "Night Owl" Café, Berlin' },
      { amount: "0.01", token: "ETH", payee: "0x9999aaaa2222bbbb3333cccc4444dddd5555ffff" },
    ]);
  });

  it("reads columns in any order and case, Windows line ends, a byte-order mark, blank lines and # comment lines", () => {
    const csv = '\uFEFFPayee , Token, AMOUNT\r\n# March payouts\r\n\r\n"Acme, LLC", USDC ,250\r\nPixel #2 Studio,DAI,5\r\n';
    assert.deepEqual(readPaymentsCsv(csv), [
      { amount: "250", token: "USDC", payee: "Acme, LLC" },
      { amount: "5", token: "DAI", payee: "Pixel #2 Studio" },
    ]);
  });

  it("refuses what it cannot read as payments, naming the line", () => {
    assert.throws(() => readPaymentsCsv("amount,token,payee\n"), /needs a header \(amount,token,payee\) and at least one payment/);
    assert.throws(() => readPaymentsCsv("amount,token,to\n5,USDC,Acme\n"), /has no "payee" column/);
    // An unquoted comma in a payee (or a decimal comma) makes a cell too many.
    assert.throws(() => readPaymentsCsv("amount,token,payee\n5,USDC,Acme\n5,USDC,Acme, LLC\n"), /CSV line 3 has 4 cells, the header 3/);
    assert.throws(() => readPaymentsCsv('amount,token,payee\n5,USDC,"Acme\n'), /The CSV is malformed/);
  });
});
