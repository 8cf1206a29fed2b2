import { listStoredBlocksFromTop } from "../db/chain-mirror/read.ts";
import type { BlockHeader } from "../db/chain-mirror/records.ts";
import type { ReadableDatabase } from "../db/handle.ts";
import type { IndexerRpc } from "./rpc.ts";

/**
 * The highest stored block that is still on the chain (same number, same
 * hash), or undefined when none is. Stored blocks form a hash chain, so once
 * one matches every lower one does: it gallops down from the top, then bisects.
 */
export async function findCommonAncestor(db: ReadableDatabase, rpc: Pick<IndexerRpc, "getBlockHeader">): Promise<BlockHeader | undefined> {
  const stored = listStoredBlocksFromTop(db);
  const cache = new Map<number, BlockHeader | undefined>();
  const onChain = async (index: number): Promise<BlockHeader | undefined> => {
    const block = stored[index];
    if (!cache.has(index)) cache.set(index, await rpc.getBlockHeader(block.number));
    const header = cache.get(index);
    return header && header.hash === block.hash ? header : undefined;
  };
  // Gallop: indexes 0, 1, 3, 7, ... until one matches.
  let mismatch = -1;
  let step = 1;
  let index = 0;
  while (index < stored.length) {
    if (await onChain(index)) break;
    mismatch = index;
    index += step;
    step *= 2;
  }
  if (index >= stored.length) {
    index = stored.length - 1;
    if (index <= mismatch || !(await onChain(index))) return undefined;
  }
  // Bisect between the last mismatch and the first match.
  let low = mismatch + 1;
  let high = index;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (await onChain(middle)) high = middle;
    else low = middle + 1;
  }
  return onChain(high);
}
