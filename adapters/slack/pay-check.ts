import type { TreasuryContext } from "../../core/context.ts";
import { InvalidInputError, shortMessageOf } from "../../core/errors.ts";
import { escapeText } from "./card.ts";
import type { PaymentRequest } from "./commands/parse.ts";
import { UnknownPayeeError } from "../../core/proposals/errors.ts";
import { resolvePayments } from "../../core/proposals/propose.ts";
import { addPayeeButton, type PendingPayment } from "./payee-modal.ts";

/** At most this many "Add … to the address book" buttons in one answer. */
const maxPayeeButtons = 5;

export type PaymentCheck =
  | { ok: true }
  /** What is wrong, as an ephemeral answer: text, and blocks with a button per unknown payee. */
  | { ok: false; text: string; blocks: unknown[]; unknownPayees: string[] };

/**
 * Checks a payment typed in Slack against what the database knows – amounts,
 * tokens and payees (an address, or a name in the address book) – without the
 * chain, so it runs before the request is acknowledged. Each payment is checked
 * on its own, so every problem is named at once; an unknown payee comes with a
 * button that opens the form to add it (and then proposes the payment).
 */
export function checkPayments(ctx: Pick<TreasuryContext, "db" | "tokens" | "safeAddress">, pending: PendingPayment): PaymentCheck {
  const problems: Array<{ payment: PaymentRequest; index: number; message: string; unknownPayee?: string }> = [];
  pending.payments.forEach((payment, index) => {
    try {
      resolvePayments(ctx, [payment]);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      problems.push({ payment, index, message: shortMessageOf(error), unknownPayee: error instanceof UnknownPayeeError ? error.payee : undefined });
    }
  });
  if (problems.length === 0) return { ok: true };

  const batch = pending.payments.length > 1;
  const lines = problems.map(({ index, message, unknownPayee, payment }) => {
    const where = batch ? `Payment ${index + 1} (${escapeText(`${payment.amount} ${payment.token} to ${payment.payee}`, 80)}): ` : "";
    const text = unknownPayee
      ? `“${escapeText(unknownPayee, 80)}” is not in the address book. Add it with the button below, or write its 0x address instead.`
      : escapeText(message, 300);
    return `:warning: ${where}${text}`;
  });
  const unknownPayees = [...new Set(problems.flatMap((problem) => (problem.unknownPayee ? [problem.unknownPayee] : [])))];
  const text = `Not proposed yet.\n${lines.join("\n")}`;
  const blocks: unknown[] = [{ type: "section", text: { type: "mrkdwn", text: text.slice(0, 2900) } }];
  if (unknownPayees.length > 0)
    blocks.push({
      type: "actions",
      block_id: "add_payees",
      elements: unknownPayees.slice(0, maxPayeeButtons).map((payee) =>
        // The payment is proposed after the last unknown payee is added: each button carries it.
        addPayeeButton(`Add ${payee} to the address book`, { label: payee, pending }),
      ),
    });
  return { ok: false, text, blocks, unknownPayees };
}
