import { createPublicClient, getAddress, http, type Address } from "viem";
import { closeDatabase } from "../db/open.ts";
import type { TreasuryDatabase } from "../db/handle.ts";
import { createChainClient } from "../core/chain.ts";
import { loadChainFacts } from "../core/chain-facts.ts";
import { systemClock, type Clock } from "../core/clock.ts";
import type { TreasuryContext } from "../core/context.ts";
import type { Deployment } from "../core/deployment.ts";
import { databaseLabel } from "../core/config.ts";
import { ConfigError, RetryableError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import { createCreationSearchProgress } from "../core/safe/creation-progress.ts";
import { describeTreasurySafe } from "../core/safe/setup.ts";
import type { SafeCode } from "../core/safe/versions.ts";
import { readSafeChainRecord, recordSafeCode, recordSafeCreationBlock, type RecordedSafeCode } from "../db/safe-chain-record.ts";
import { findSafeOnChain, forSafe, listSafes, registerSafe, type RegisteredSafe } from "../db/safes.ts";
import { checkChainIdentity } from "../indexer/chain-identity.ts";
import type { Config } from "./config.ts";

export type ConnectTreasuryParameters = {
  config: Config;
  logger: Logger;
  /** The open database, bound to no Safe (it is closed if the connection is refused). */
  db: TreasuryDatabase;
  /** The registered Safe to run (`--safe`); default: SAFE_ADDRESS, or the embedded chain's own. */
  safe?: RegisteredSafe;
  /** Registers the Safe when it is not yet (`treasury safes add`); otherwise only a database with no Safe yet registers its first. */
  addSafe?: { name?: string };
  /** Close the database when the connection is refused (default); false for a further Safe of a running service. */
  closeOnFailure?: boolean;
  rpcUrl: string;
  /** What the embedded chain's set-up deployed, when there is such a record: its Safe and test tokens. */
  deployment?: Deployment;
  now?: Clock;
  /** How the chain id of an RPC is read (default: asked each time); Safes connecting together on one RPC may share one answer. */
  readChainId?: (rpcUrl: string) => Promise<number>;
};

/**
 * Makes the context one Safe runs on, with `db` bound to that Safe (it is
 * registered in the database's `safes` the first time): the Safe is SAFE_ADDRESS (or the
 * embedded chain's own), the chain answers with the chain id the
 * configuration expects, the address is a Safe of a supported version (its
 * version, flavour, helper contracts and creation block are read from the
 * chain; a creation block found once is kept in the database), and the database holds this chain and Safe (a rebuilt chain under it
 * is logged and its mirror emptied). Throws a `TreasuryError` whose short
 * message says what to fix; the database is closed then.
 */
export async function connectTreasury({ config, logger, db: database, rpcUrl, deployment, safe: chosen, addSafe, closeOnFailure = true, now = systemClock, readChainId }: ConnectTreasuryParameters): Promise<TreasuryContext> {
  try {
    const safeAddress: Address | undefined = chosen?.address ?? config.SAFE_ADDRESS ?? deployment?.safe.address;
    if (!safeAddress) throw new ConfigError("Set SAFE_ADDRESS to the Safe this treasury runs (and RPC_URL to its chain's JSON-RPC).");
    let chainId: number;
    try {
      chainId = await (readChainId ? readChainId(rpcUrl) : askChainId(rpcUrl));
    } catch (cause) {
      throw new RetryableError(`No chain answers at ${rpcUrl}${config.RPC_URL ? "" : ": start the service with `npm start`, or set RPC_URL"}.`, { cause });
    }
    if (chosen && chosen.chainId !== chainId)
      throw new ConfigError(`The Safe "${chosen.name}" is on chain ${chosen.chainId}, but the RPC at ${rpcUrl} serves chain ${chainId}.`);
    // CHAIN_ID names RPC_URL's chain: a Safe read through its own RPC may be on another.
    if (config.CHAIN_ID !== undefined && config.CHAIN_ID !== chainId && !chosen?.rpcUrl)
      throw new ConfigError(`CHAIN_ID is ${config.CHAIN_ID} but the RPC at ${rpcUrl} serves chain ${chainId}.`);
    // The deployment record describes the embedded chain only: another chain, or another Safe, takes nothing from it.
    const record = deployment && deployment.chainId === chainId ? deployment : undefined;
    if (deployment && !record && !config.SAFE_ADDRESS)
      throw new ConfigError(`${config.DEPLOYMENT_FILE} is for chain ${deployment.chainId}, but the RPC serves chain ${chainId}; set SAFE_ADDRESS to the Safe to run there.`);
    // The Safe is registered (once) and everything below reads and writes its rows only.
    // Processes starting together on an empty database may all get here at once: registerSafe gives them all the one row.
    const registerFirst = (): RegisteredSafe => {
      const safes = listSafes(database);
      // Registered by another process since the look-up: the list has it.
      const meanwhile = safes.find((safe) => safe.chainId === chainId && safe.address === getAddress(safeAddress));
      if (meanwhile) return meanwhile;
      if (!addSafe && safes.length > 0) refuseUnregistered(safes, chainId, safeAddress, databaseLabel(config));
      return registerSafe(database, { chainId, address: safeAddress, name: addSafe?.name, rpcUrl: rpcUrl === config.RPC_URL ? undefined : rpcUrlToKeep(rpcUrl, record), now: now() });
    };
    const registered = findSafeOnChain(database, chainId, safeAddress) ?? registerFirst();
    const db = forSafe(database, registered.id);
    const client = createChainClient({ rpcUrl, chainId });
    const ownSafe = record && record.safe.address === safeAddress ? record : undefined;
    const onProgress = createCreationSearchProgress({ logger, mode: process.stderr.isTTY ? "bar" : "log" });
    // What the chain said of this Safe before: a start confirms it instead of asking again.
    const kept = readSafeChainRecord(db, { chainId, safeAddress });
    const recorded = ownSafe?.safe.creationBlock ?? kept.creationBlock;
    let safe = await describeTreasurySafe(client, safeAddress, { creationBlock: recorded, onProgress, chainId, earlier: kept.code });
    const identity = await checkChainIdentity(db, client, safeAddress, databaseLabel(config), chainId);
    if (identity.status === "rebuilt") {
      logger.warn({ reason: identity.reason }, "the chain under the database is not the one it indexed; rebuilding the chain mirror");
      // What was kept belonged to the chain that is gone (the embedded chain's deployment record is of this one).
      if (kept.code || (!ownSafe && recorded !== undefined))
        safe = await describeTreasurySafe(client, safeAddress, { creationBlock: ownSafe?.safe.creationBlock, onProgress, chainId });
    }
    if (!ownSafe && safe.creationBlock !== kept.creationBlock) recordSafeCreationBlock(db, safe.creationBlock);
    if (!sameCode(safe.code, kept.code)) recordSafeCode(db, safe.code);
    const chainFacts = await loadChainFacts(chainId);
    if (!chainFacts.known)
      logger.warn({ chainId }, "the treasury has no facts about this chain: its coin is called \"native coin\" (18 decimals), with no explorer links; set EXPLORER_URL and CONFIRMATIONS");
    return { config, chainId, rpcUrl, safeAddress, client, db, safe, chainFacts, tokens: record?.tokens ?? [], logger, now };
  } catch (error) {
    if (closeOnFailure) closeDatabase(database);
    throw error;
  }
}

/** The chain id the RPC at `rpcUrl` serves, asked with one retry. */
export function askChainId(rpcUrl: string): Promise<number> {
  return createPublicClient({ transport: http(rpcUrl, { retryCount: 1, timeout: 15_000 }) }).getChainId();
}

function sameCode(read: SafeCode, kept: RecordedSafeCode | undefined): boolean {
  return (
    kept !== undefined &&
    kept.singleton === read.singleton &&
    kept.version === read.version &&
    kept.flavour === read.flavour &&
    kept.deployedHelpers.join() === read.deployedHelpers.join()
  );
}

/** A Safe the database does not run was asked for (SAFE_ADDRESS changed, or another chain): said with what to do. */
function refuseUnregistered(safes: RegisteredSafe[], chainId: number, safeAddress: Address, path: string): never {
  if (safes.length === 1 && safes[0].chainId !== chainId)
    throw new ConfigError(`${path} holds chain ${safes[0].chainId}, but the RPC serves chain ${chainId}; use another DATABASE_PATH (or add this Safe with \`treasury safes add\`).`);
  if (safes.length === 1)
    throw new ConfigError(`${path} holds Safe ${safes[0].address}, not ${safeAddress}; use another DATABASE_PATH, or add it with \`treasury safes add ${safeAddress}\`.`);
  throw new ConfigError(`${safeAddress} on chain ${chainId} is not one of the Safes of ${path} (${safes.map((safe) => safe.name).join(", ")}); add it with \`treasury safes add ${safeAddress}\`.`);
}

/** The RPC a Safe read through something other than RPC_URL is registered with: none for the embedded chain (its port is the config's). */
function rpcUrlToKeep(rpcUrl: string, embedded: Deployment | undefined): string | undefined {
  return embedded ? undefined : rpcUrl;
}
