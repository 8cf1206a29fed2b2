import { Command } from "commander";
import { registerStatus } from "./commands/status.ts";
import { registerPay } from "./commands/pay.ts";
import { registerProposals } from "./commands/proposals.ts";
import { registerSign } from "./commands/sign.ts";
import { registerExecute } from "./commands/execute.ts";
import { registerReject } from "./commands/reject.ts";
import { registerAddressBook } from "./commands/addressbook.ts";
import { registerAsk } from "./commands/ask.ts";
import { registerSearch } from "./commands/search.ts";
import { registerIndex } from "./commands/index.ts";
import { registerHistory } from "./commands/history.ts";
import { registerExport } from "./commands/export.ts";

/** The `treasury` command line. Each command lives in `commands/` and registers itself here. */
const program = new Command()
  .name("treasury")
  .description("A shared treasury for groups: a Safe multisig, its proposals, history and assistant.")
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

registerStatus(program);
registerPay(program);
registerProposals(program);
registerSign(program);
registerExecute(program);
registerReject(program);
registerAddressBook(program);
registerAsk(program);
registerSearch(program);
registerIndex(program);
registerHistory(program);
registerExport(program);

await program.parseAsync(process.argv);
