import { parseAbi } from "viem";

/** The ERC-20 functions and events the treasury reads and decodes. */
export const erc20Abi = parseAbi([
  "function name() view returns (string)",
  "function symbol() view returns (string)",
  "function decimals() view returns (uint8)",
  "function balanceOf(address owner) view returns (uint256)",
  "function transfer(address to, uint256 amount) returns (bool)",
  "function mint(address to, uint256 amount)",
  "event Transfer(address indexed from, address indexed to, uint256 value)",
]);

/** A token the treasury knows. `address` null is the chain's native coin. */
export type Token = {
  address: `0x${string}` | null;
  symbol: string;
  name: string;
  decimals: number;
};

/** An ERC-20 token the treasury knows up front (the embedded chain's test tokens, or tokens named in configuration). */
export type Erc20Token = { address: `0x${string}`; symbol: string; name: string; decimals: number };

export const nativeToken: Token = { address: null, symbol: "ETH", name: "Ether", decimals: 18 };
