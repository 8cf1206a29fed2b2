import type { Command } from "commander";
import { InvalidInputError } from "../../core/errors.ts";

/**
 * Every `treasury` command: its name, arguments, options and help, and where its
 * implementation lives. An implementation (and what it needs: the chain client,
 * the database, the assistant) is loaded only when its command runs, so
 * `treasury --help` and a mistyped command answer at once.
 */
export function defineCommands(program: Command): void {
  program
    .command("status")
    .description("show the Safe's owners, threshold, nonce and balances, read live from the chain")
    .option("--json", "print JSON")
    .action(lazy(async () => (await import("./commands/status.ts")).statusCommand));

  program
    .command("attach")
    .description("check that the treasury can run an existing Safe, and show its version, owners, threshold, nonce and creation block (needs only the chain's RPC)")
    .argument("[address]", "the Safe's address (default: SAFE_ADDRESS)")
    .option("--rpc <url>", "the chain's JSON-RPC address (default: RPC_URL)")
    .option("--json", "print JSON")
    .action(lazy(async () => (await import("./commands/attach.ts")).attachCommand));

  const safes = program
    .command("safes")
    .description("list the Safes this treasury runs: name, workspace, chain, address, version and how far each is indexed")
    .option("--json", "print JSON")
    .action(lazy(async () => (await import("./commands/safes.ts")).listSafesCommand));
  safes
    .command("list")
    .description("the same list: each Safe's name, workspace, chain, address, version and how far it is indexed")
    .option("--json", "print JSON")
    .action(withParentOptions(lazy(async () => (await import("./commands/safes.ts")).listSafesCommand)));
  safes
    .command("add")
    .description("check an existing Safe (as `attach` does) and add it to this treasury, with its own indexer over the same database")
    .argument("<address>", "the Safe's address")
    .option("--rpc <url>", "its chain's JSON-RPC address (default: RPC_URL); kept with the Safe when it differs")
    .option("--name <name>", "what to call it with --safe, unique in its workspace (default: main, else from its address)")
    .option("--workspace <team>", "the Slack workspace it belongs to: a team id (or name) that installed the app, or home (default)")
    .option("--json", "print JSON")
    .action(withParentOptions(lazy(async () => (await import("./commands/safes.ts")).addSafeCommand)));
  safes
    .command("assign")
    .description("give a registered Safe to another Slack workspace: only that workspace then lists, binds and asks about it")
    .argument("<safe>", "the Safe's name or address")
    .requiredOption("--workspace <team>", "a team id (or name) that installed the app, or home")
    .option("--json", "print JSON")
    .action(withParentOptions(lazy(async () => (await import("./commands/safes.ts")).assignSafeCommand)));

  program
    .command("workspaces")
    .description("list the Slack workspaces this treasury serves (team id, name, when installed) with their Safes; never a token")
    .option("--json", "print JSON")
    .action(lazy(async () => (await import("./commands/workspaces.ts")).workspacesCommand));

  program
    .command("pay")
    .description("propose a payment (or a batch from a CSV with columns amount,token,payee)")
    .argument("[words...]", "<amount> <token> to <payee>")
    .option("--memo <text>", "what it is for (an invoice number helps spot duplicates)")
    .option("--category <name>", "a budget category")
    .option("--csv <file>", "propose one batch with every payment in this CSV file")
    .option("--nonce <n>", "replace the pending proposal on this nonce")
    .option("--json", "print JSON")
    .action(lazy(async () => (await import("./commands/pay.ts")).payCommand));

  const proposals = program
    .command("proposals")
    .description("list proposals, newest nonce first, with approvals and warnings")
    .option("--status <status>", "only this status (pending, executed, failed, rejected, cancelled, replaced)")
    .option("--json", "print JSON")
    .action(lazy(async () => (await import("./commands/proposals.ts")).proposalsCommand));
  proposals
    .command("show")
    .description("show one proposal in full: transfers, approvals, warnings, hashes")
    .argument("<proposal>", "its number (41 or #41), or its safeTxHash or the start of it (0x4f2a91)")
    .option("--json", "print JSON")
    .action(lazy(async () => (await import("./commands/proposals.ts")).showProposalCommand));

  program
    .command("sign")
    .description("show a proposal as its review page does, then approve it with an owner key read from a file (or a hidden prompt)")
    .argument("<proposal>", "its number (41 or #41), or its safeTxHash or the start of it (0x4f2a91)")
    .option("--key-file <file>", "a file holding the owner's private key")
    .option("--accept-warnings", "sign even though the proposal has warnings (needed to sign past a warning without a terminal)")
    .action(lazy(async () => (await import("./commands/sign.ts")).signCommand));

  program
    .command("execute")
    .description("execute a proposal that has enough approvals (the relayer pays gas)")
    .argument("<proposal>", "its number (41 or #41), or its safeTxHash or the start of it (0x4f2a91)")
    .option("--print-call", "print the execTransaction call for an owner to send from their own wallet instead")
    .action(lazy(async () => (await import("./commands/execute.ts")).executeCommand));

  program
    .command("reject")
    .description("cancel a proposal nobody approved (its proposer or an owner; no gas), or, as an owner, propose the Safe's on-chain rejection of an approved one")
    .argument("<proposal>", "its number (41 or #41), or its safeTxHash or the start of it (0x4f2a91)")
    .action(lazy(async () => (await import("./commands/reject.ts")).rejectCommand));

  const book = program.command("addressbook").description("the payees the treasury knows by name");
  book
    .command("add")
    .description("add a payee")
    .argument("<label>")
    .argument("<address>")
    .option("--category <name>")
    .option("--kind <kind>", "vendor, contributor, grant, ...")
    .action(lazy(async () => (await import("./commands/addressbook.ts")).addPayeeCommand));
  book
    .command("list")
    .description("list the address book")
    .option("--json", "print JSON")
    .action(lazy(async () => (await import("./commands/addressbook.ts")).listPayeesCommand));

  program
    .command("ask")
    .description("ask the treasury assistant a question (works from the database; no chain needed)")
    .argument("[question...]", 'the question, e.g. "How much did we pay Acme this year?"')
    .option("--json", "print { answer, citations } as JSON")
    .option("--no-llm", "answer with the built-in rules even when an LLM is configured")
    .action(lazy(async () => (await import("./commands/ask.ts")).askCommand));

  program
    .command("search")
    .description("search the treasury's activity (payments, deposits, proposals, discussion)")
    .argument("[text...]", "what to look for")
    .option("--json", "print JSON")
    .option("--limit <n>", "how many results", "10")
    .action(lazy(async () => (await import("./commands/search.ts")).searchCommand));

  program
    .command("index")
    .description("mirror the Safe's history from the chain into the database: backfill, then follow new blocks")
    .option("--once", "stop when caught up with the head")
    .option("--max-range <blocks>", "most blocks per eth_getLogs request (for providers that refuse large ranges)", wholeNumber("--max-range", 1))
    .option("--confirmations <blocks>", "blocks under the head before rows count as confirmed (default: CONFIRMATIONS)", wholeNumber("--confirmations", 0))
    .action(lazy(async () => (await import("./commands/index.ts")).indexCommand));

  program
    .command("history")
    .description("list executed payments, deposits, owner changes and rejections in time order (from the database; no chain needed)")
    .option("--since <date>", "from this day (YYYY-MM-DD, UTC)")
    .option("--until <date>", "up to and including this day (YYYY-MM-DD, UTC)")
    .option("--json", "print JSON")
    .action(lazy(async () => (await import("./commands/history.ts")).historyCommand));

  program
    .command("export")
    .description("print payments out, deposits in and rejections as CSV for accounting (from the database; no chain needed)")
    .option("--csv", "CSV: date, direction, kind, counterparty, token, amount, category, proposal, memo, tx hash, safeTxHash")
    .option("--since <date>", "from this day (YYYY-MM-DD, UTC)")
    .option("--until <date>", "up to and including this day (YYYY-MM-DD, UTC)")
    .action(lazy(async () => (await import("./commands/export.ts")).exportCommand));
}

/** A commander action that loads its implementation when the command runs, then hands it commander's arguments. */
function lazy<Args extends unknown[]>(load: () => Promise<(...args: Args) => Promise<void> | void>): (...args: Args) => Promise<void> {
  return async (...args) => {
    const run = await load();
    await run(...args);
  };
}

/**
 * A subcommand's action that also gets the options commander gave its parent:
 * `safes list --json` parses `--json` as the `safes` command's own option (it
 * has one), so the subcommand would not see it otherwise.
 */
function withParentOptions<Args extends unknown[]>(action: (...args: Args) => Promise<void>): (...args: Args) => Promise<void> {
  return (...args) => {
    const command = args.at(-1) as Command;
    const options = args.at(-2) as Record<string, unknown>;
    args[args.length - 2] = { ...command.parent?.opts(), ...options };
    return action(...args);
  };
}

/** An option parser for a whole number of at least `min`; anything else is refused with one line. */
function wholeNumber(option: string, min: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new InvalidInputError(`${option} "${text}" is not a whole number of at least ${min}.`);
    return value;
  };
}
