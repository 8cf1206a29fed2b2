import { Command } from "commander";
import { defineCommands } from "./command-table.ts";
import { selectSafe } from "./connections.ts";

/**
 * The `treasury` command line. `command-table.ts` declares every command; each
 * loads its implementation from `commands/` when it runs. The caller has given
 * the connections first (`provideConnections`).
 */
export async function runCli(argv: readonly string[]): Promise<void> {
  const program = new Command()
    .name("treasury")
    .description("A shared treasury for groups: a Safe multisig, its proposals, history and assistant.")
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) })
    .option("--safe <name|address>", "the Safe to act on, when the treasury runs several (see `treasury safes`)")
    .hook("preAction", (command) => selectSafe(command.opts<{ safe?: string }>().safe));
  defineCommands(program);
  await program.parseAsync(argv);
}
