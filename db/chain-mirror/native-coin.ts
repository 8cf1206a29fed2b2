import type { ReadableDatabase, TreasuryDatabase } from "../handle.ts";
import { readMeta, writeMeta } from "../meta.ts";

/** The chain's own coin, as rows with no token address are named and formatted. */
export type NativeCoin = { symbol: string; name: string; decimals: number };

/** What a chain whose coin was never recorded pays in: Ether (the embedded chain, and every chain before it was recorded). */
export const ether: NativeCoin = { symbol: "ETH", name: "Ether", decimals: 18 };

/**
 * The native coin of the chain this database mirrors, as the indexer recorded
 * it from the chain's facts (XDAI on Gnosis, POL on Polygon); Ether when none
 * was recorded.
 */
export function readNativeCoin(db: ReadableDatabase): NativeCoin {
  const stored = readMeta(db, "native_coin");
  return stored ? (JSON.parse(stored) as NativeCoin) : ether;
}

/** Records the chain's native coin (the indexer, from the chain's facts). */
export function recordNativeCoin(db: TreasuryDatabase, coin: NativeCoin): void {
  writeMeta(db, "native_coin", JSON.stringify({ symbol: coin.symbol, name: coin.name, decimals: coin.decimals }));
}
