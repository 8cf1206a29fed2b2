import { provideConnections } from "../adapters/cli/connections.ts";
import { runCli } from "../adapters/cli/main.ts";
import { cliConnections } from "./cli-connections.ts";

/** The `treasury` command: the command line, given its connections to the treasury. */
provideConnections(cliConnections);
await runCli(process.argv);
