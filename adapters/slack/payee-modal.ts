import { InvalidInputError, shortMessageOf } from "../../core/errors.ts";
import type { TreasuryContext } from "../../core/context.ts";
import { escapeText } from "./card.ts";
import type { PaymentRequest } from "./commands/parse.ts";
import { parseAddressInput, resolvePayee } from "../../core/people/address-book.ts";
import { findAddressBookEntry } from "../../db/people.ts";
import { categoryBlocks, fieldValue, readCategory } from "./form-fields.ts";

export const payeeModalCallbackId = "treasury_payee_add";
/** The button that opens the payee form (in a `/treasury pay` answer and in the payment form). */
export const addPayeeActionId = "payee_add";

const maxLabel = 80;
/** Slack's limits: a button value holds 2000 characters, `private_metadata` 3000. */
const maxButtonValue = 2000;

/** A payment waiting for its payee: proposed once the payee is added. */
export type PendingPayment = { payments: PaymentRequest[]; memo?: string };

/** What the payee form carries in `private_metadata`. */
export type PayeeModalOrigin = { channelId: string; userId: string; pending?: PendingPayment };

/** What an "Add a payee" button carries in its value: the name typed, and the payment to propose after. */
export type AddPayeeButtonValue = { label?: string; pending?: PendingPayment };

/** A button that opens the payee form, pre-filled with `label`; it carries `pending` when that fits in a button. */
export function addPayeeButton(text: string, value: AddPayeeButtonValue): Record<string, unknown> {
  let encoded = JSON.stringify(value);
  if (encoded.length > maxButtonValue) encoded = JSON.stringify({ label: value.label?.slice(0, maxLabel) });
  return { type: "button", action_id: addPayeeActionId, text: { type: "plain_text", text: text.slice(0, 75) }, value: encoded };
}

/** Reads a button's value; anything unreadable is an empty form. */
export function readAddPayeeButton(value: unknown): AddPayeeButtonValue {
  try {
    const parsed = JSON.parse(String(value ?? ""));
    if (!parsed || typeof parsed !== "object") return {};
    const label = typeof parsed.label === "string" ? parsed.label.slice(0, maxLabel) : undefined;
    const pending = isPendingPayment(parsed.pending) ? parsed.pending : undefined;
    return { label, pending };
  } catch {
    return {};
  }
}

function isPendingPayment(value: any): value is PendingPayment {
  return (
    value &&
    Array.isArray(value.payments) &&
    value.payments.length > 0 &&
    value.payments.every((payment: any) => ["amount", "token", "payee"].every((key) => typeof payment?.[key] === "string")) &&
    (value.memo === undefined || typeof value.memo === "string")
  );
}

/**
 * The form that adds a payee to the address book: name, address and
 * category. Categories are the ones the treasury already uses (a select), or
 * a new one typed beside it.
 */
export function buildPayeeModal({ categories, label, origin }: { categories: string[]; label?: string; origin: PayeeModalOrigin }): Record<string, unknown> {
  const blocks: unknown[] = [
    {
      type: "input",
      block_id: "label",
      label: { type: "plain_text", text: "Name" },
      hint: { type: "plain_text", text: "How people will write it in /treasury pay, e.g. Acme Design Studio" },
      element: { type: "plain_text_input", action_id: "value", max_length: maxLabel, ...(label ? { initial_value: label.slice(0, maxLabel) } : {}) },
    },
    {
      type: "input",
      block_id: "address",
      label: { type: "plain_text", text: "Address" },
      hint: { type: "plain_text", text: "Copy it from an invoice or a message you trust, and check it with the payee" },
      element: { type: "plain_text_input", action_id: "value", min_length: 42, max_length: 42, placeholder: { type: "plain_text", text: "0x…" } },
    },
  ];
  blocks.push(...categoryBlocks(categories));
  if (origin.pending) {
    const what = origin.pending.payments.map((payment) => `${payment.amount} ${payment.token} to ${payment.payee}`).join(", ");
    blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: escapeText(`Once it is added, I'll propose ${what}.`, 1900) }] });
  }
  return {
    type: "modal",
    callback_id: payeeModalCallbackId,
    private_metadata: fitMetadata(origin),
    title: { type: "plain_text", text: "Add a payee" },
    submit: { type: "plain_text", text: "Add" },
    close: { type: "plain_text", text: "Cancel" },
    blocks,
  };
}

function fitMetadata(origin: PayeeModalOrigin): string {
  const full = JSON.stringify(origin);
  return full.length <= 3000 ? full : JSON.stringify({ channelId: origin.channelId, userId: origin.userId });
}

export type PayeeSubmission = { label: string; address: `0x${string}`; category: string | null; origin: PayeeModalOrigin };

export type ReadPayeeSubmissionResult = { ok: true; submission: PayeeSubmission } | { ok: false; errors: Record<string, string> };

/**
 * Reads a submission of the payee form and checks it against the address
 * book (reads only): every problem is named beside its field. Nothing is stored.
 */
export function readPayeeSubmission(ctx: Pick<TreasuryContext, "db">, view: Record<string, any>): ReadPayeeSubmissionResult {
  const values = view?.state?.values ?? {};
  const errors: Record<string, string> = {};
  const label = fieldValue(values, "label");
  const addressText = fieldValue(values, "address");

  if (!label) errors.label = "Give the payee a name.";
  else if (label.length > maxLabel) errors.label = `The name is longer than ${maxLabel} characters.`;
  else if (/^0x[0-9a-f]*$/i.test(label)) errors.label = "That looks like an address; give a name here and the address below.";
  else {
    try {
      const existing = resolvePayee(ctx, label);
      errors.label = `“${existing.label ?? label}” is already in the address book, for ${existing.address}.`;
    } catch {
      // not known yet: good
    }
  }

  let address: `0x${string}` | undefined;
  if (!addressText) errors.address = "Give the payee's 0x address.";
  else {
    try {
      address = parseAddressInput(addressText);
      const known = findAddressBookEntry(ctx.db, address)?.label ?? null;
      if (known) errors.address = `This address is already in the address book as “${known}”.`;
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      errors.address = shortMessageOf(error);
    }
  }

  const category = readCategory(values, errors);

  let origin: PayeeModalOrigin | undefined;
  try {
    const parsed = JSON.parse(String(view?.private_metadata ?? ""));
    if (typeof parsed?.channelId === "string" && typeof parsed?.userId === "string")
      origin = { channelId: parsed.channelId, userId: parsed.userId, ...(isPendingPayment(parsed.pending) ? { pending: parsed.pending } : {}) };
  } catch {
    // reported below
  }
  if (!origin) errors.label ??= "This form lost track of its channel; close it and run /treasury again.";
  if (Object.keys(errors).length > 0 || !origin || !label || !address) return { ok: false, errors };
  return { ok: true, submission: { label, address, category: category ?? null, origin } };
}
