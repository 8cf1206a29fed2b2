/**
 * What the chain itself says came into each Safe, read straight from its logs
 * (not through the indexer): ETH as the Safe's own `SafeReceived` events, and
 * ERC-20 `Transfer`s to the Safe from any contract. `bench:hosted` compares
 * the indexed deposits of each Safe with this.
 */
import { createPublicClient, http, parseAbiItem, type Address } from "viem";

export type ChainDeposit = { txHash: string; token: string | null; amount: bigint; blockNumber: number };

const safeReceived = parseAbiItem("event SafeReceived(address indexed sender, uint256 value)");
const transfer = parseAbiItem("event Transfer(address indexed from, address indexed to, uint256 value)");

/** Every non-zero deposit into each Safe up to `toBlock`, by Safe address (lower case). */
export async function readChainDeposits(rpcUrl: string, safes: Address[], toBlock: bigint): Promise<Map<string, ChainDeposit[]>> {
  const client = createPublicClient({ transport: http(rpcUrl) });
  const bySafe = new Map<string, ChainDeposit[]>(safes.map((safe) => [safe.toLowerCase(), []]));
  const native = await client.getLogs({ address: safes, event: safeReceived, fromBlock: 0n, toBlock });
  for (const log of native) {
    if (!log.args.value) continue;
    bySafe.get(log.address.toLowerCase())!.push({ txHash: log.transactionHash.toLowerCase(), token: null, amount: log.args.value, blockNumber: Number(log.blockNumber) });
  }
  const tokens = await client.getLogs({ event: transfer, args: { to: safes }, fromBlock: 0n, toBlock, strict: true });
  for (const log of tokens) {
    if (log.topics.length !== 3 || !log.args.value) continue;
    bySafe.get(log.args.to.toLowerCase())?.push({ txHash: log.transactionHash.toLowerCase(), token: log.address.toLowerCase(), amount: log.args.value, blockNumber: Number(log.blockNumber) });
  }
  return bySafe;
}

/** One deposit as a comparable key: the transaction, the token (or the native coin) and the amount in base units. */
export const depositKey = (deposit: { txHash: string; token: string | null; amount: bigint }): string =>
  `${deposit.txHash.toLowerCase()}:${deposit.token?.toLowerCase() ?? "native"}:${deposit.amount}`;
