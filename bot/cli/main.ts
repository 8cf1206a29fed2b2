import { Command } from "commander";
import { registerStatus } from "./commands/status.ts";

/** The `treasury` command line. Each command lives in `commands/` and registers itself here. */
const program = new Command()
  .name("treasury")
  .description("A shared treasury for groups: a Safe multisig, its proposals, history and assistant.")
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

registerStatus(program);

await program.parseAsync(process.argv);
