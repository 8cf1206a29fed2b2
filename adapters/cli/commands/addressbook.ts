import { addAddressBookEntry } from "../../../core/people/address-book.ts";
import { listAddressBook } from "../../../db/people.ts";
import { printJson, printTable } from "../output.ts";
import { withTreasury } from "../session.ts";
import { cliMember } from "./proposal-output.ts";

export type AddPayeeOptions = { category?: string; kind?: string };

/** `treasury addressbook add <label> <address> [--category c] [--kind k]`. */
export function addPayeeCommand(label: string, address: string, options: AddPayeeOptions): Promise<void> {
  return withTreasury(async (ctx) => {
    const entry = addAddressBookEntry(ctx, { label, address, category: options.category, kind: options.kind, addedBy: cliMember() });
    console.log(`Added ${entry.label}: ${entry.address}${entry.category ? ` (${entry.category})` : ""}`);
  });
}

export type ListPayeesOptions = { json?: boolean };

/** `treasury addressbook list [--json]`. */
export function listPayeesCommand(options: ListPayeesOptions): Promise<void> {
  return withTreasury(async (ctx) => {
    const entries = listAddressBook(ctx.db);
    if (options.json) return printJson(entries);
    if (entries.length === 0) return console.log("The address book is empty. Add a payee with: treasury addressbook add <label> <address>");
    printTable([["LABEL", "ADDRESS", "CATEGORY", "KIND", "ADDED BY"], ...entries.map((entry) => [entry.label, entry.address, entry.category ?? "-", entry.kind ?? "-", entry.addedBy])]);
  });
}
