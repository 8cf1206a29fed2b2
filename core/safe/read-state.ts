import type { Address } from "viem";
import type { ChainClient } from "../chain.ts";
import type { Erc20Token } from "../tokens.ts";
import { formatAmount } from "../money.ts";
import { erc20Abi } from "../tokens.ts";
import { safeAbi } from "./artifacts.ts";

export type SafeBalance = {
  symbol: string;
  token: Address | null;
  decimals: number;
  /** Base units. */
  amount: bigint;
  /** The same, formatted with the token's decimals. */
  formatted: string;
};

export type SafeState = {
  chainId: number;
  safeAddress: Address;
  owners: Address[];
  threshold: number;
  nonce: number;
  blockNumber: bigint;
  balances: SafeBalance[];
};

/** Reads owners, threshold, nonce and balances live from the chain, all at one block. */
export async function readSafeState(
  client: ChainClient,
  safeAddress: Address,
  tokens: readonly Erc20Token[],
  /** The chain's native coin (see `ChainFacts`); ETH by default. */
  native: { symbol: string; decimals: number } = { symbol: "ETH", decimals: 18 },
): Promise<SafeState> {
  const blockNumber = await client.getBlockNumber();
  const at = { address: safeAddress, abi: safeAbi, blockNumber } as const;
  const [owners, threshold, nonce, ethBalance, chainId] = await Promise.all([
    client.readContract({ ...at, functionName: "getOwners" }) as Promise<Address[]>,
    client.readContract({ ...at, functionName: "getThreshold" }) as Promise<bigint>,
    client.readContract({ ...at, functionName: "nonce" }) as Promise<bigint>,
    client.getBalance({ address: safeAddress, blockNumber }),
    client.getChainId(),
  ]);
  const tokenBalances = await Promise.all(
    tokens.map((token) =>
      client.readContract({ address: token.address, abi: erc20Abi, functionName: "balanceOf", args: [safeAddress], blockNumber }),
    ),
  );
  const balances: SafeBalance[] = [
    { symbol: native.symbol, token: null, decimals: native.decimals, amount: ethBalance, formatted: formatAmount(ethBalance, native.decimals) },
    ...tokens.map((token, index) => ({
      symbol: token.symbol,
      token: token.address,
      decimals: token.decimals,
      amount: tokenBalances[index],
      formatted: formatAmount(tokenBalances[index], token.decimals),
    })),
  ];
  return { chainId, safeAddress, owners: [...owners], threshold: Number(threshold), nonce: Number(nonce), blockNumber, balances };
}
