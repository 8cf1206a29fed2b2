import type { Command } from "commander";
import { addAddressBookEntry } from "../../../core/people/address-book.ts";
import { listAddressBook } from "../../../db/people.ts";
import { printJson, printTable } from "../output.ts";
import { withTreasury } from "../session.ts";
import { cliMember } from "./proposal-output.ts";

/** `treasury addressbook add <label> <address> [--category c]` and `treasury addressbook list [--json]`. */
export function registerAddressBook(program: Command): void {
  const book = program.command("addressbook").description("the payees the treasury knows by name");
  book
    .command("add")
    .description("add a payee")
    .argument("<label>")
    .argument("<address>")
    .option("--category <name>")
    .option("--kind <kind>", "vendor, contributor, grant, ...")
    .action(async (label: string, address: string, options: { category?: string; kind?: string }) =>
      withTreasury(async (ctx) => {
        const entry = addAddressBookEntry(ctx, { label, address, category: options.category, kind: options.kind, addedBy: cliMember() });
        console.log(`Added ${entry.label}: ${entry.address}${entry.category ? ` (${entry.category})` : ""}`);
      }),
    );
  book
    .command("list")
    .description("list the address book")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) =>
      withTreasury(async (ctx) => {
        const entries = listAddressBook(ctx.db);
        if (options.json) return printJson(entries);
        if (entries.length === 0) return console.log("The address book is empty. Add a payee with: treasury addressbook add <label> <address>");
        printTable([["LABEL", "ADDRESS", "CATEGORY", "KIND", "ADDED BY"], ...entries.map((entry) => [entry.label, entry.address, entry.category ?? "-", entry.kind ?? "-", entry.addedBy])]);
      }),
    );
}
