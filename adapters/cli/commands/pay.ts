import { readFileSync } from "node:fs";
import { CsvError, parse, type InfoRecord } from "csv-parse/sync";
import { InvalidInputError } from "../../../core/errors.ts";
import { proposePayment, type PaymentInput } from "../../../core/proposals/propose.ts";
import { printJson } from "../output.ts";
import { withTreasury } from "../session.ts";
import { cliMember, printProposal } from "./proposal-output.ts";

/**
 * Reads a CSV of payments: a header with amount, token and payee columns (any
 * order), then one payment a line. Quoted cells may hold commas ("Acme, LLC");
 * lines starting with # are skipped. A malformed file is refused with the line.
 */
export function readPaymentsCsv(text: string): PaymentInput[] {
  let rows: Array<{ record: string[]; info: InfoRecord }>;
  try {
    // With `info`, each record comes with where it was read (its line); csv-parse's types do not model that option.
    const options = { bom: true, trim: true, skip_empty_lines: true, comment: "#", comment_no_infix: true, relax_column_count: true, info: true };
    rows = parse(text, options) as unknown as typeof rows;
  } catch (cause) {
    const where = cause instanceof CsvError && cause.lines ? ` near line ${cause.lines}` : "";
    throw new InvalidInputError(`The CSV is malformed${where} (a quote that does not close?).`, { cause });
  }
  if (rows.length < 2) throw new InvalidInputError("The CSV needs a header (amount,token,payee) and at least one payment.");
  const header = rows[0].record.map((cell) => cell.toLowerCase());
  const column = (name: string) => {
    const index = header.indexOf(name);
    if (index < 0) throw new InvalidInputError(`The CSV header has no "${name}" column (expected amount,token,payee).`);
    return index;
  };
  const [amount, token, payee] = [column("amount"), column("token"), column("payee")];
  return rows.slice(1).map(({ record, info }) => {
    if (record.length !== header.length)
      throw new InvalidInputError(
        `CSV line ${info.lines} has ${record.length} cells, the header ${header.length} (amounts use a dot, never a comma; quote a payee that has one).`,
      );
    return { amount: record[amount], token: record[token], payee: record[payee] };
  });
}

/** Parses `<amount> <token> to <payee words...>`. */
export function parsePayWords(words: string[]): PaymentInput {
  const [amount, token, to, ...payee] = words;
  if (!amount || !token || to?.toLowerCase() !== "to" || payee.length === 0)
    throw new InvalidInputError("Write it as: treasury pay <amount> <token> to <payee>, for example: treasury pay 250 USDC to \"Acme Design Studio\".");
  return { amount, token, payee: payee.join(" ") };
}

export type PayOptions = { memo?: string; category?: string; csv?: string; nonce?: string; json?: boolean };

/** `treasury pay 250 USDC to Acme [--memo ...] [--category ...]` and `treasury pay --csv FILE`. */
export function payCommand(words: string[], options: PayOptions): Promise<void> {
  return withTreasury(async (ctx) => {
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
  });
}
