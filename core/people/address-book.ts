import { getAddress, isAddress, zeroAddress, type Address } from "viem";
import { findAddressBookEntry, findAddressBookEntryByLabel, insertAddressBookEntry, type AddressBookEntry } from "../../db/people.ts";
import type { TreasuryContext } from "../context.ts";
import { InvalidInputError } from "../errors.ts";
import { InvalidPayeeError, UnknownPayeeError } from "../proposals/errors.ts";

/** A label or address is already in the address book. */
export class AddressBookConflictError extends InvalidInputError {
  override name = "AddressBookConflictError";
}

/**
 * Parses an address a person typed. All-lowercase (or all-uppercase) hex is
 * accepted and checksummed; mixed case must carry the right EIP-55 checksum,
 * because a wrong one usually means a typo. Throws `InvalidPayeeError` naming the problem.
 */
export function parseAddressInput(text: string, what = "The address"): Address {
  const input = text.trim();
  if (!/^0x[0-9a-fA-F]{40}$/.test(input)) {
    if (/^0x/i.test(input))
      throw new InvalidPayeeError(`${what} "${input}" is not an address: it needs 0x and exactly 40 hex digits.`);
    throw new InvalidPayeeError(`${what} "${input}" is not an address.`);
  }
  const digits = input.slice(2);
  const singleCase = digits === digits.toLowerCase() || digits === digits.toUpperCase();
  if (!singleCase && !isAddress(input, { strict: true }))
    throw new InvalidPayeeError(
      `${what} "${input}" has a wrong checksum (its upper/lower case letters do not match); check it for a typo.`,
    );
  return getAddress(input.toLowerCase());
}

export type AddAddressBookEntryParameters = {
  label: string;
  address: string;
  category?: string | null;
  kind?: string | null;
  /** What people should know about this payee (data, never an instruction). */
  note?: string | null;
  addedBy: string;
};

/** Adds a payee. Labels are unique regardless of case; an address appears once. */
export function addAddressBookEntry(ctx: Pick<TreasuryContext, "db" | "now">, params: AddAddressBookEntryParameters): AddressBookEntry {
  const label = params.label.trim();
  if (label === "") throw new InvalidInputError("The label is empty; give the payee a name.");
  if (label.length > 80) throw new InvalidInputError("The label is longer than 80 characters.");
  if (/^0x[0-9a-f]*$/i.test(label)) throw new InvalidInputError(`The label "${label}" looks like an address; use a name.`);
  const address = parseAddressInput(params.address);
  if (address === zeroAddress) throw new InvalidPayeeError("The zero address cannot be a payee.");
  const byLabel = findAddressBookEntryByLabel(ctx.db, label);
  if (byLabel) throw new AddressBookConflictError(`The label "${byLabel.label}" is already used for ${byLabel.address}.`);
  const byAddress = findAddressBookEntry(ctx.db, address);
  if (byAddress) throw new AddressBookConflictError(`${address} is already in the address book as "${byAddress.label}".`);
  const entry: AddressBookEntry = {
    address,
    label,
    category: params.category?.trim() || null,
    kind: params.kind?.trim() || null,
    note: params.note?.trim() || null,
    addedBy: params.addedBy,
    createdAt: ctx.now(),
  };
  insertAddressBookEntry(ctx.db, entry);
  return entry;
}

export type ResolvedPayee = { address: Address; label: string | null };

/**
 * Turns what a person typed into a payee: an address (see `parseAddressInput`)
 * or an address-book label, case-insensitively. Throws `InvalidPayeeError`.
 */
export function resolvePayee(ctx: Pick<TreasuryContext, "db">, text: string): ResolvedPayee {
  const input = text.trim();
  if (input === "") throw new InvalidPayeeError("The payee is empty; give an address or an address-book label.");
  if (/^0x/i.test(input) && !input.includes(" ")) {
    const address = parseAddressInput(input, "The payee");
    if (address === zeroAddress) throw new InvalidPayeeError("The zero address cannot be a payee; funds sent there are lost.");
    return { address, label: findAddressBookEntry(ctx.db, address)?.label ?? null };
  }
  const row = findAddressBookEntryByLabel(ctx.db, input);
  if (!row) throw new UnknownPayeeError(input, `"${input}" is not in the address book; give a 0x address, or add it to the address book first.`);
  return { address: row.address, label: row.label };
}
