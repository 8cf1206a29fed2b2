import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { InvalidInputError } from "../../../core/errors.ts";
import { proposePayment, type PaymentInput } from "../../../core/proposals/propose.ts";
import { printJson } from "../output.ts";
import { withTreasury } from "../session.ts";
import { cliMember, printProposal } from "./proposal-output.ts";

/** Reads a CSV of payments: a header with amount, token and payee columns (any order), one payment a line. */
export function readPaymentsCsv(text: string): PaymentInput[] {
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line && !line.startsWith("#"));
  if (lines.length < 2) throw new InvalidInputError("The CSV needs a header (amount,token,payee) and at least one payment.");
  const split = (line: string) => line.split(",").map((cell) => cell.trim().replace(/^"(.*)"$/, "$1"));
  const header = split(lines[0]).map((cell) => cell.toLowerCase());
  const column = (name: string) => {
    const index = header.indexOf(name);
    if (index < 0) throw new InvalidInputError(`The CSV header has no "${name}" column (expected amount,token,payee).`);
    return index;
  };
  const [amount, token, payee] = [column("amount"), column("token"), column("payee")];
  return lines.slice(1).map((line, index) => {
    const cells = split(line);
    if (cells.length !== header.length)
      throw new InvalidInputError(`CSV line ${index + 2} has ${cells.length} cells, the header ${header.length} (amounts use a dot, never a comma).`);
    return { amount: cells[amount], token: cells[token], payee: cells[payee] };
  });
}

/** Parses `<amount> <token> to <payee words...>`. */
export function parsePayWords(words: string[]): PaymentInput {
  const [amount, token, to, ...payee] = words;
  if (!amount || !token || to?.toLowerCase() !== "to" || payee.length === 0)
    throw new InvalidInputError("Write it as: treasury pay <amount> <token> to <payee>, for example: treasury pay 250 USDC to \"Acme Design Studio\".");
  return { amount, token, payee: payee.join(" ") };
}

/** `treasury pay 250 USDC to Acme [--memo ...] [--category ...]` and `treasury pay --csv FILE`. */
export function registerPay(program: Command): void {
  program
    .command("pay")
    .description("propose a payment (or a batch from a CSV with columns amount,token,payee)")
    .argument("[words...]", "<amount> <token> to <payee>")
    .option("--memo <text>", "what it is for (an invoice number helps spot duplicates)")
    .option("--category <name>", "a budget category")
    .option("--csv <file>", "propose one batch with every payment in this CSV file")
    .option("--nonce <n>", "replace the pending proposal on this nonce")
    .option("--json", "print JSON")
    .action(async (words: string[], options: { memo?: string; category?: string; csv?: string; nonce?: string; json?: boolean }) =>
      withTreasury(async (ctx) => {
        let payments: PaymentInput[];
        if (options.csv) {
          if (words.length > 0) throw new InvalidInputError("Give either a payment or --csv, not both.");
          let text: string;
          try {
            text = readFileSync(options.csv, "utf8");
          } catch {
            throw new InvalidInputError(`Cannot read the CSV file ${options.csv}.`);
          }
          payments = readPaymentsCsv(text);
        } else {
          payments = [parsePayWords(words)];
        }
        const nonce = options.nonce === undefined ? undefined : Number(options.nonce);
        if (nonce !== undefined && !Number.isInteger(nonce)) throw new InvalidInputError(`--nonce "${options.nonce}" is not a whole number.`);
        const proposal = await proposePayment(ctx, { payments, proposer: cliMember(), memo: options.memo, category: options.category, nonce });
        if (options.json) return printJson(proposal);
        printProposal(ctx, proposal);
      }),
    );
}
