import { getAddress, isAddress, type Address } from "viem";
import { explorerAddressUrl } from "../../../core/chain-facts.ts";
import { InvalidInputError } from "../../../core/errors.ts";
import { createLogger } from "../../../core/logger.ts";
import { createCreationSearchProgress } from "../../../core/safe/creation-progress.ts";
import { inspectSafe } from "../../../core/safe/inspect.ts";
import { fail, printJson } from "../output.ts";

export type AttachOptions = { rpc?: string; json?: boolean };

/** Reads an address as typed (any case); anything else is refused with one line. */
export function parseSafeAddress(text: string | undefined): Address {
  if (text === undefined || text.trim() === "") throw new InvalidInputError("Give the Safe's address: treasury attach 0x… [--rpc URL] (or set SAFE_ADDRESS).");
  const trimmed = text.trim();
  if (!isAddress(trimmed, { strict: false })) throw new InvalidInputError(`"${trimmed.slice(0, 60)}" is not an address (0x and 40 hex digits).`);
  return getAddress(trimmed);
}

/**
 * `treasury attach <address> [--rpc URL] [--json]`: checks that the treasury
 * can run an existing Safe, and prints what it is. Needs only the chain's
 * JSON-RPC (--rpc, or RPC_URL): no deployment file, no database, no service.
 */
export async function attachCommand(addressText: string | undefined, options: AttachOptions): Promise<void> {
  try {
    const address = parseSafeAddress(addressText ?? process.env.SAFE_ADDRESS);
    const rpcUrl = options.rpc ?? process.env.RPC_URL;
    if (!rpcUrl) throw new InvalidInputError("Give the chain's JSON-RPC address with --rpc URL (or set RPC_URL).");
    const logger = createLogger(process.env.LOG_LEVEL ?? "info", process.stderr as never);
    const onProgress = createCreationSearchProgress({ logger, mode: process.stderr.isTTY ? "bar" : options.json ? "off" : "log" });
    const safe = await inspectSafe({ rpcUrl, address, onProgress });
    if (options.json) {
      printJson(safe);
      return;
    }
    const singletonName = safe.version === "1.3.0" ? (safe.flavour === "L2" ? "GnosisSafeL2" : "GnosisSafe") : safe.flavour === "L2" ? "SafeL2" : "Safe";
    const lines: [string, string][] = [
      ["Safe", safe.address],
      ["Chain", `${safe.chain.name} (chain ${safe.chainId})${safe.chain.known ? "" : "; its coin is shown as \"native coin\", with no explorer links"}`],
      ["Version", `${safe.version} ${safe.flavour} (${singletonName} at ${safe.singleton})`],
      ["Threshold", `${safe.threshold} of ${safe.owners.length} owners`],
      ["Nonce", String(safe.nonce)],
      ["Created in", `block ${safe.creationBlock} (${safe.creationBlockFrom === "event" ? "the proxy factory's ProxyCreation event" : "a search on the code"})`],
    ];
    for (const [label, value] of lines) console.log(`${label.padEnd(11)}${value}`);
    console.log("Owners");
    for (const owner of safe.owners) console.log(`  ${owner}`);
    const explorer = explorerAddressUrl(safe.chain, safe.address);
    if (explorer) console.log(`Explorer   ${explorer}`);
    console.log(`\nThe treasury can run this Safe. Set RPC_URL=${rpcUrl} and SAFE_ADDRESS=${safe.address}, then run \`npm start\` or \`treasury index\`.`);
  } catch (error) {
    fail(error);
  }
}
