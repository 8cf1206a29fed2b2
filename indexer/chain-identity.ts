import type { Address } from "viem";
import type { ChainClient } from "../core/chain.ts";
import { TreasuryError } from "../core/errors.ts";
import { readMeta, writeMeta, type TreasuryDatabase } from "../db/database.ts";

export class ChainMismatchError extends TreasuryError {
  override name = "ChainMismatchError";
}

/** Tables the indexer owns: emptied when the chain under the database is another one. */
export const chainMirrorTables = [
  "blocks",
  "checkpoint",
  "safe_executions",
  "execution_signers",
  "approved_hashes",
  "payments",
  "transfers",
  "owner_changes",
  "module_events",
] as const;

export type ChainIdentityResult =
  | { status: "new" }
  | { status: "same" }
  | { status: "rebuilt"; reason: string };

/**
 * Makes sure the database never mixes two chains. A database for another chain
 * id or another Safe is refused with a `ChainMismatchError`. A database whose
 * stored block hashes no longer match the chain (a local chain started again)
 * has its chain mirror emptied, so the indexer rebuilds it; the workflow
 * (proposals, signatures, address book) is kept, and what was already announced
 * is not announced again.
 */
export async function checkChainIdentity(
  db: TreasuryDatabase,
  client: ChainClient,
  safeAddress: Address,
  databasePath = "the database",
): Promise<ChainIdentityResult> {
  const chainId = await client.getChainId();
  const storedChainId = readMeta(db, "chain_id");
  const storedSafe = readMeta(db, "safe_address");
  if (storedChainId === undefined) {
    writeMeta(db, "chain_id", String(chainId));
    writeMeta(db, "safe_address", safeAddress);
    return { status: "new" };
  }
  if (Number(storedChainId) !== chainId)
    throw new ChainMismatchError(
      `${databasePath} holds chain ${storedChainId}, but the RPC serves chain ${chainId}; use another DATABASE_PATH.`,
    );
  if (storedSafe && storedSafe.toLowerCase() !== safeAddress.toLowerCase())
    throw new ChainMismatchError(`${databasePath} holds Safe ${storedSafe}, not ${safeAddress}; use another DATABASE_PATH.`);

  const latest = db.prepare("SELECT number, hash FROM blocks ORDER BY number DESC LIMIT 1").get() as
    | { number: number; hash: string }
    | undefined;
  if (!latest) return { status: "same" };
  const head = await client.getBlockNumber();
  const onChain = BigInt(latest.number) <= head ? await client.getBlock({ blockNumber: BigInt(latest.number) }) : undefined;
  if (onChain && onChain.hash === latest.hash) return { status: "same" };
  // Only the top changed (a reorg, not another chain): the indexer rolls back to the common ancestor itself.
  const earliest = db.prepare("SELECT number, hash FROM blocks ORDER BY number ASC LIMIT 1").get() as { number: number; hash: string };
  if (earliest.number !== latest.number && BigInt(earliest.number) <= head) {
    const stillThere = await client.getBlock({ blockNumber: BigInt(earliest.number) });
    if (stillThere.hash === earliest.hash) return { status: "same" };
  }

  const reason = onChain
    ? `block ${latest.number} has hash ${onChain.hash} on the chain but ${latest.hash} in ${databasePath}`
    : `${databasePath} has block ${latest.number} but the chain ends at block ${head}`;
  db.transaction(() => {
    for (const table of chainMirrorTables) db.prepare(`DELETE FROM ${table}`).run();
    // Re-indexing replays events that were announced on the old chain: keep the outbox quiet up to here.
    writeMeta(db, "announce_after_block", String(latest.number));
  })();
  return { status: "rebuilt", reason };
}
