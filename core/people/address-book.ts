import { getAddress, isAddress, zeroAddress, type Address } from "viem";
import type { TreasuryDatabase } from "../../db/database.ts";
import type { TreasuryContext } from "../context.ts";
import { InvalidInputError } from "../errors.ts";
import { InvalidPayeeError, UnknownPayeeError } from "../proposals/errors.ts";

/** A label or address is already in the address book. */
export class AddressBookConflictError extends InvalidInputError {
  override name = "AddressBookConflictError";
}

export type AddressBookEntry = {
  address: Address;
  label: string;
  category: string | null;
  kind: string | null;
  addedBy: string;
  createdAt: number;
};

type AddressBookRow = { address: string; label: string; category: string | null; kind: string | null; added_by: string; created_at: number };

function toEntry(row: AddressBookRow): AddressBookEntry {
  return {
    address: getAddress(row.address),
    label: row.label,
    category: row.category,
    kind: row.kind,
    addedBy: row.added_by,
    createdAt: row.created_at,
  };
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
  addedBy: string;
};

/** Adds a payee. Labels are unique regardless of case; an address appears once. */
export function addAddressBookEntry(ctx: Pick<TreasuryContext, "db">, params: AddAddressBookEntryParameters): AddressBookEntry {
  const label = params.label.trim();
  if (label === "") throw new InvalidInputError("The label is empty; give the payee a name.");
  if (label.length > 80) throw new InvalidInputError("The label is longer than 80 characters.");
  if (/^0x[0-9a-f]*$/i.test(label)) throw new InvalidInputError(`The label "${label}" looks like an address; use a name.`);
  const address = parseAddressInput(params.address);
  if (address === zeroAddress) throw new InvalidPayeeError("The zero address cannot be a payee.");
  const byLabel = ctx.db.prepare("SELECT * FROM address_book WHERE label = ? COLLATE NOCASE").get(label) as AddressBookRow | undefined;
  if (byLabel)
    throw new AddressBookConflictError(`The label "${byLabel.label}" is already used for ${getAddress(byLabel.address)}.`);
  const byAddress = ctx.db.prepare("SELECT * FROM address_book WHERE address = ?").get(address) as AddressBookRow | undefined;
  if (byAddress) throw new AddressBookConflictError(`${address} is already in the address book as "${byAddress.label}".`);
  const createdAt = Math.floor(Date.now() / 1000);
  ctx.db
    .prepare("INSERT INTO address_book (address, label, category, kind, added_by, created_at) VALUES (?, ?, ?, ?, ?, ?)")
    .run(address, label, params.category?.trim() || null, params.kind?.trim() || null, params.addedBy, createdAt);
  return { address, label, category: params.category?.trim() || null, kind: params.kind?.trim() || null, addedBy: params.addedBy, createdAt };
}

/** Every address-book entry, by label. */
export function listAddressBook(db: TreasuryDatabase): AddressBookEntry[] {
  return (db.prepare("SELECT * FROM address_book ORDER BY label COLLATE NOCASE").all() as AddressBookRow[]).map(toEntry);
}

/** The address-book label of an address, or null. */
export function labelForAddress(db: TreasuryDatabase, address: Address): string | null {
  const row = db.prepare("SELECT label FROM address_book WHERE address = ?").get(getAddress(address)) as { label: string } | undefined;
  return row?.label ?? null;
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
    return { address, label: labelForAddress(ctx.db, address) };
  }
  const row = ctx.db.prepare("SELECT * FROM address_book WHERE label = ? COLLATE NOCASE").get(input) as AddressBookRow | undefined;
  if (!row) throw new UnknownPayeeError(input, `"${input}" is not in the address book; give a 0x address, or add it to the address book first.`);
  return { address: getAddress(row.address), label: row.label };
}
