import type { Token } from "../../../core/tokens.ts";
import { InvalidInputError } from "../../../core/errors.ts";
import { parseAmount } from "../../../core/money.ts";

/** The longest `/treasury` text we read (Slack allows far more; nobody types this much on purpose). */
export const maxCommandLength = 1500;

export type PaymentRequest = { amount: string; token: string; payee: string };

export type TreasuryCommand =
  | { kind: "modal" }
  | { kind: "pay"; payments: PaymentRequest[]; memo?: string }
  | { kind: "ask"; question: string }
  | { kind: "proposals" }
  | { kind: "balance" }
  | { kind: "link" }
  /** `safe`: the registered name (or address) of the Safe to bind to; omitted: the only one. */
  | { kind: "bind"; safe?: string }
  | { kind: "help" };

export class CommandSyntaxError extends InvalidInputError {
  override name = "CommandSyntaxError";
}

export const commandHelp = [
  "*/treasury pay 250 USDC to Acme Design Studio for invoice INV-7* – propose a payment (join several with *and* for a batch)",
  "*/treasury pay* or */treasury* – open the payment form",
  "*/treasury ask* how much did we pay Acme this year? – ask the treasury assistant",
  "*/treasury proposals* – proposals waiting for approvals",
  "*/treasury balance* – what the Safe holds, its owners and threshold",
  "*/treasury link* – link your wallet to your Slack account (owners need this to approve)",
  "*/treasury bind* [Safe name] – (owners) make this channel speak for that Safe (the name is needed when the treasury runs several)",
  "*/treasury help* – this list",
].join("\n");

const onePayment = /^(?<amount>[^\s]+)\s+(?<token>[^\s]+)\s+to\s+(?<payee>.+)$/i;

/**
 * Reads the text after `/treasury`. Throws `CommandSyntaxError` naming what is
 * wrong; amounts, tokens and payees are checked later by the core.
 */
export function parseTreasuryCommand(text: string): TreasuryCommand {
  if (text.length > maxCommandLength)
    throw new CommandSyntaxError(`That command is ${text.length} characters long; the limit is ${maxCommandLength}.`);
  const trimmed = text.replace(/\s+/g, " ").trim();
  if (trimmed === "") return { kind: "modal" };
  const [word, ...rest] = trimmed.split(" ");
  const argument = rest.join(" ");
  switch (word.toLowerCase()) {
    case "pay":
    case "propose":
      return argument === "" ? { kind: "modal" } : { kind: "pay", ...parsePayText(argument) };
    case "ask":
      if (argument === "") throw new CommandSyntaxError("Ask a question after `ask`, for example `/treasury ask how much did we pay Acme this year?`");
      return { kind: "ask", question: argument };
    case "proposals":
    case "pending":
      return { kind: "proposals" };
    case "balance":
    case "balances":
    case "status":
      return { kind: "balance" };
    case "link":
      return { kind: "link" };
    case "bind":
      return argument === "" ? { kind: "bind" } : { kind: "bind", safe: argument };
    case "help":
      return { kind: "help" };
    default:
      throw new CommandSyntaxError(`I don't know \`${word.slice(0, 40)}\`. Try \`/treasury help\`.`);
  }
}

/**
 * Reads `<amount> <token> to <payee> [and <amount> <token> to <payee> ...] [for <memo>]`.
 * The memo starts at the first " for " after the last payee's " to ".
 */
export function parsePayText(text: string): { payments: PaymentRequest[]; memo?: string } {
  let body = text.trim();
  let memo: string | undefined;
  const lastTo = body.search(/\sto\s(?!.*\sto\s)/i);
  if (lastTo >= 0) {
    const forAt = body.slice(lastTo).search(/\sfor\s/i);
    if (forAt >= 0) {
      memo = body.slice(lastTo + forAt).replace(/^\sfor\s/i, "").trim();
      body = body.slice(0, lastTo + forAt).trim();
    }
  }
  const parts = body.split(/\s+and\s+(?=\S+\s+\S+\s+to\s)/i);
  const payments = parts.map((part, index) => {
    const match = onePayment.exec(part.trim());
    const which = parts.length > 1 ? `Payment ${index + 1} (“${part.trim().slice(0, 60)}”)` : `“${part.trim().slice(0, 60)}”`;
    if (!match?.groups)
      throw new CommandSyntaxError(`${which} is not of the form \`<amount> <token> to <payee>\`, e.g. \`250 USDC to Acme Design Studio\`.`);
    const { amount, token, payee } = match.groups;
    return { amount, token, payee: payee.trim() };
  });
  if (payments.length > 20) throw new CommandSyntaxError(`A batch can hold at most 20 payments; this one has ${payments.length}.`);
  if (memo !== undefined && memo.length === 0) throw new CommandSyntaxError("Write the memo after `for`, or leave `for` out.");
  return { payments, memo };
}

/**
 * Checks each amount against its token's decimals (the tokens the treasury knows),
 * so a typo is answered at once. Throws `InvalidAmountError` naming the payment.
 * Tokens it does not know are left for the core to judge.
 */
export function checkAmounts(tokens: readonly Token[], payments: PaymentRequest[]): void {
  for (const [index, payment] of payments.entries()) {
    const wanted = payment.token.toLowerCase();
    const token = tokens.find((known) => known.symbol.toLowerCase() === wanted || known.address?.toLowerCase() === wanted);
    if (!token) continue;
    try {
      parseAmount(payment.amount, token.decimals, token.symbol);
    } catch (error) {
      if (payments.length > 1 && error instanceof InvalidInputError)
        throw new CommandSyntaxError(`Payment ${index + 1}: ${error.shortMessage}`);
      throw error;
    }
  }
}
