import { getAddress, type Address } from "viem";
import { listIndexedTokens } from "../../db/chain-mirror/read.ts";
import type { TreasuryContext } from "../context.ts";
import { nativeToken, type Erc20Token, type Token } from "../tokens.ts";
import { UnknownTokenError } from "./errors.ts";

/** The ERC-20 tokens the treasury knows: those known up front, then any the indexer has recorded (first one wins per address). */
export function knownErc20Tokens(ctx: Pick<TreasuryContext, "db" | "tokens">): Erc20Token[] {
  const tokens: Erc20Token[] = ctx.tokens.map((token) => ({ ...token, address: getAddress(token.address) }));
  for (const row of listIndexedTokens(ctx.db)) {
    const address = getAddress(row.address);
    if (!tokens.some((token) => token.address === address)) tokens.push({ ...row, address });
  }
  return tokens;
}

/** The chain's native coin, named as the chain names it (ETH, XDAI, POL...; ETH where the chain's facts are not at hand). */
export function nativeTokenOf(ctx: Pick<TreasuryContext, "chainFacts">): Token {
  const facts = ctx.chainFacts?.nativeToken;
  return facts ? { address: null, symbol: facts.symbol, name: facts.name, decimals: facts.decimals } : nativeToken;
}

/** The chain's native coin, then every ERC-20 token the treasury knows. */
export function knownTokens(ctx: Pick<TreasuryContext, "db" | "tokens" | "chainFacts">): Token[] {
  return [nativeTokenOf(ctx), ...knownErc20Tokens(ctx)];
}

/** Finds a token by symbol (case-insensitive) or address. Throws `UnknownTokenError` listing the known ones. */
export function resolveToken(ctx: Pick<TreasuryContext, "db" | "tokens" | "chainFacts">, text: string): Token {
  const wanted = text.trim().toLowerCase();
  const tokens = knownTokens(ctx);
  const found = tokens.find((token) => token.symbol.toLowerCase() === wanted || token.address?.toLowerCase() === wanted);
  if (!found)
    throw new UnknownTokenError(
      `Unknown token "${text.trim()}"; this treasury knows ${tokens.map((token) => token.symbol).join(", ")}.`,
    );
  return found;
}

/** The token at an address (null = ETH); a token nobody recorded shows as its address with 18 decimals unknown. */
export function tokenByAddress(ctx: Pick<TreasuryContext, "db" | "tokens" | "chainFacts">, address: Address | null): Token {
  if (address === null) return nativeTokenOf(ctx);
  const checksummed = getAddress(address);
  return (
    knownTokens(ctx).find((token) => token.address === checksummed) ?? {
      address: checksummed,
      symbol: `${checksummed.slice(0, 6)}…`,
      name: "Unknown token",
      decimals: 18,
    }
  );
}
