import { zeroHash, type Hex } from "viem";
import type { BlockHeader } from "../db/chain-mirror/records.ts";

/**
 * Whether `child`'s header links it to the block whose hash is `parentHash`.
 * An all-zero parent hash names no parent: Hardhat's `hardhat_mine` reports the
 * blocks it reserves that way (no real chain does, past genesis). Such a link
 * counts as unproven, not as broken, so it neither stops the indexer nor looks
 * like a reorganisation; a real one is still caught by the block hashes the
 * logs carry, by the checkpoint's hash, re-read before every batch, and by the
 * next block that does name its parent.
 */
export function linksTo(child: BlockHeader | undefined, parentHash: Hex | undefined): boolean {
  if (!child || !parentHash) return false;
  return child.parentHash === parentHash || child.parentHash === zeroHash;
}
