import type { TreasuryContext } from "../../core/context.ts";
import { knownTokens } from "../../core/proposals/tokens.ts";
import type { Token } from "../../core/tokens.ts";
import { InvalidAmountError, InvalidInputError, shortMessageOf } from "../../core/errors.ts";
import { escapeText } from "./card.ts";
import { checkAmounts, type PaymentRequest } from "./commands/parse.ts";
import { InvalidPayeeError, UnknownPayeeError } from "../../core/proposals/errors.ts";
import { resolvePayments } from "../../core/proposals/propose.ts";
import { addPayeeButton } from "./payee-modal.ts";
import { categoryBlocks, fieldValue, readCategory } from "./form-fields.ts";

export const paymentModalCallbackId = "treasury_pay";
const rows = 3;

/** What the modal carries back in `private_metadata`. */
export type PaymentModalOrigin = { channelId: string; userId: string };

/**
 * The payment form: a button to add a payee first, up to three payees with
 * amount and token, a memo and a category – one the treasury already uses
 * (`categories`, from the database) or a new one typed beside it.
 */
export function buildPaymentModal(tokens: readonly Token[], origin: PaymentModalOrigin, categories: string[] = []): Record<string, unknown> {
  const tokenOptions = tokens.map((token) => token.symbol).map((symbol) => ({
    text: { type: "plain_text", text: symbol },
    value: symbol,
  }));
  const blocks: unknown[] = [
    {
      type: "section",
      block_id: "add_payee",
      text: { type: "mrkdwn", text: "Paying someone new? Add them to the address book first." },
      accessory: addPayeeButton("Add a payee", {}),
    },
  ];
  for (let row = 1; row <= rows; row += 1) {
    const optional = row > 1;
    blocks.push(
      {
        type: "input",
        block_id: `payee_${row}`,
        optional,
        label: { type: "plain_text", text: row === 1 ? "Payee" : `Payee ${row} (optional)` },
        hint: row === 1 ? { type: "plain_text", text: "An address-book name (e.g. Acme Design Studio) or a 0x address" } : undefined,
        element: { type: "plain_text_input", action_id: "value", max_length: 200 },
      },
      {
        type: "input",
        block_id: `amount_${row}`,
        optional,
        label: { type: "plain_text", text: row === 1 ? "Amount" : `Amount ${row}` },
        element: { type: "plain_text_input", action_id: "value", max_length: 80, placeholder: { type: "plain_text", text: "250" } },
      },
      {
        type: "input",
        block_id: `token_${row}`,
        optional,
        label: { type: "plain_text", text: row === 1 ? "Token" : `Token ${row}` },
        element: { type: "static_select", action_id: "value", options: tokenOptions, ...(row === 1 ? { initial_option: tokenOptions[Math.min(1, tokenOptions.length - 1)] } : {}) },
      },
    );
  }
  blocks.push(
    {
      type: "input",
      block_id: "memo",
      optional: true,
      label: { type: "plain_text", text: "Memo" },
      element: { type: "plain_text_input", action_id: "value", multiline: true, max_length: 1000, placeholder: { type: "plain_text", text: "invoice INV-7" } },
    },
  );
  blocks.push(...categoryBlocks(categories));
  return {
    type: "modal",
    callback_id: paymentModalCallbackId,
    private_metadata: JSON.stringify(origin),
    title: { type: "plain_text", text: "Propose a payment" },
    submit: { type: "plain_text", text: "Propose" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: blocks.map((block) => JSON.parse(JSON.stringify(block))),
  };
}

export type PaymentSubmission = { payments: PaymentRequest[]; memo?: string; category?: string; origin: PaymentModalOrigin };

/** The modal's answer: the payments, or the errors to show beside the fields (`response_action: "errors"`). */
export type ReadSubmissionResult = { ok: true; submission: PaymentSubmission } | { ok: false; errors: Record<string, string> };

/**
 * Reads a view_submission of the payment modal and checks each payment
 * against the database (amount, token, payee; no chain). Every problem is
 * named beside its field; nothing is stored.
 */
export function readPaymentSubmission(ctx: Pick<TreasuryContext, "db" | "tokens" | "safeAddress">, view: Record<string, any>): ReadSubmissionResult {
  const tokens = knownTokens(ctx);
  const values = view?.state?.values ?? {};
  const errors: Record<string, string> = {};
  const payments: PaymentRequest[] = [];
  for (let row = 1; row <= rows; row += 1) {
    const payee = fieldValue(values, `payee_${row}`);
    const amount = fieldValue(values, `amount_${row}`);
    const token = fieldValue(values, `token_${row}`) ?? (row === 1 ? undefined : "USDC");
    if (row > 1 && !payee && !amount) continue;
    if (!payee) errors[`payee_${row}`] = "Who gets paid? Write an address-book name or a 0x address.";
    if (!amount) errors[`amount_${row}`] = "How much? Write an amount such as 250 or 1.5.";
    if (!token) errors[`token_${row}`] = "Pick a token.";
    if (payee && amount && token) {
      try {
        checkAmounts(tokens, [{ payee, amount, token }]);
        resolvePayments(ctx, [{ payee, amount, token }]);
        payments.push({ payee, amount, token });
      } catch (error) {
        if (!(error instanceof InvalidInputError)) throw error;
        if (error instanceof UnknownPayeeError)
          errors[`payee_${row}`] = `“${escapeText(error.payee, 60)}” is not in the address book: add it with “Add a payee” at the top of this form, or write its 0x address.`;
        else if (error instanceof InvalidPayeeError) errors[`payee_${row}`] = shortMessageOf(error);
        else if (error instanceof InvalidAmountError) errors[`amount_${row}`] = shortMessageOf(error);
        else errors[`token_${row}`] = shortMessageOf(error);
      }
    }
  }
  let origin: PaymentModalOrigin | undefined;
  try {
    const parsed = JSON.parse(String(view?.private_metadata ?? ""));
    if (typeof parsed?.channelId === "string" && typeof parsed?.userId === "string") origin = parsed;
  } catch {
    // reported below
  }
  if (!origin) errors.payee_1 ??= "This form lost track of its channel; close it and run /treasury again.";
  if (Object.keys(errors).length > 0 || !origin) return { ok: false, errors };
  const category = readCategory(values, errors);
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, submission: { payments, memo: fieldValue(values, "memo"), category, origin } };
}
