import type { Address } from "viem";
import type { ChainClient } from "../core/chain.ts";
import { TreasuryError } from "../core/errors.ts";
import { storedBlockRange } from "../db/chain-mirror/read.ts";
import { emptyChainMirror } from "../db/chain-mirror/write.ts";
import type { TreasuryDatabase } from "../db/handle.ts";
import { readMeta, writeMeta } from "../db/meta.ts";

export class ChainMismatchError extends TreasuryError {
  override name = "ChainMismatchError";
}

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
  /** The client's chain id, when the caller has just read it. */
  knownChainId?: number,
): Promise<ChainIdentityResult> {
  const chainId = knownChainId ?? (await client.getChainId());
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

  const stored = storedBlockRange(db);
  if (!stored) return { status: "same" };
  const { lowest: earliest, highest: latest } = stored;
  const head = await client.getBlockNumber();
  const onChain = BigInt(latest.number) <= head ? await client.getBlock({ blockNumber: BigInt(latest.number) }) : undefined;
  if (onChain && onChain.hash === latest.hash) return { status: "same" };
  // Only the top changed (a reorg, not another chain): the indexer rolls back to the common ancestor itself.
  if (earliest.number !== latest.number && BigInt(earliest.number) <= head) {
    const stillThere = await client.getBlock({ blockNumber: BigInt(earliest.number) });
    if (stillThere.hash === earliest.hash) return { status: "same" };
  }

  const reason = onChain
    ? `block ${latest.number} has hash ${onChain.hash} on the chain but ${latest.hash} in ${databasePath}`
    : `${databasePath} has block ${latest.number} but the chain ends at block ${head}`;
  // Re-indexing replays events that were announced on the old chain: keep the outbox quiet up to here.
  emptyChainMirror(db, latest.number);
  return { status: "rebuilt", reason };
}
