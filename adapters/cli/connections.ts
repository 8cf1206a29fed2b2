import type { AssistantContext } from "../../assistant/context.ts";
import type { TreasuryContext } from "../../core/context.ts";
import type { ReadableDatabase, TreasuryDatabase } from "../../db/handle.ts";

/**
 * How the command line reaches the treasury. The program's entry point (the
 * composition root, which knows the configuration and how the parts are put
 * together) gives them once, before any command runs; commands only ask.
 */
export type CliConnections = {
  /** The treasury a running service serves (or RPC_URL and SAFE_ADDRESS): chain, Safe and database checked together. */
  openTreasury(selection?: SafeSelection): Promise<{ ctx: TreasuryContext; close(): Promise<void> }>;
  /** The assistant over the database alone (no chain needed), reading through a connection that cannot write. */
  openAssistant(selection?: SafeSelection): Promise<{ ctx: AssistantContext; close(): void }>;
  /** The database alone, for reading (history and export need no chain), bound to the Safe selected. */
  openDatabaseForReading(selection?: SafeSelection): Promise<ReadableDatabase>;
  /** The database (bound to no Safe) to list and add Safes, and the RPC a Safe is read through by default (RPC_URL, or the embedded chain's). */
  openRegistry(): Promise<{ db: TreasuryDatabase; defaultRpcUrl?: string; close(): void }>;
};

/**
 * Which Safe a command acts on (`--safe <name|address>`): optional with one
 * Safe; with several, a command that acts on one stops with the names when
 * none is given, and an unknown name is never replaced by another Safe.
 */
export type SafeSelection = { safe?: string };

let selection: SafeSelection = {};

/** Records the global `--safe` (the program calls it before each command runs). */
export function selectSafe(safe: string | undefined): void {
  selection = { safe };
}

/** The `--safe` given to this run. */
export function selectedSafe(): SafeSelection {
  return selection;
}

let given: CliConnections | undefined;

/** Gives the command line its connections (called once by the entry point). */
export function provideConnections(connections: CliConnections): void {
  given = connections;
}

/** The connections the entry point gave; throws if none were given (a wiring mistake, not a user's). */
export function connections(): CliConnections {
  if (!given) throw new Error("The command line was started without its connections (see app/cli.ts).");
  return given;
}
