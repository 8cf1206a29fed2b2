// The ceiling for the indexer bench: fetch exactly what the indexer needs from
// the RPC, and nothing else. No decoding, no checks, no storage.
import { pad, toEventSelector, type Address, type Hex } from "viem";

export type CeilingParameters = {
  url: string;
  safe: Address;
  fromBlock: number;
  toBlock: number;
  /** Blocks per eth_getLogs range (the bench picks it from the chain it generated). */
  blocksPerRange: number;
  /** Ranges read at the same time. */
  inFlight: number;
};

export type CeilingResult = { ms: number; logs: number; headers: number; requests: number };

const transferTopic = toEventSelector("Transfer(address,address,uint256)");

/**
 * Reads the Safe's logs, the ERC-20 Transfers to and from it, and the header of
 * every block that has one of them, `inFlight` ranges at a time, with headers
 * in JSON-RPC batches of 100, all batches of a range at once. Returns the wall time.
 */
export async function fetchCeiling(parameters: CeilingParameters): Promise<CeilingResult> {
  const { url, safe, fromBlock, toBlock, blocksPerRange, inFlight } = parameters;
  const safeTopic = pad(safe.toLowerCase() as Hex, { size: 32 });
  let id = 0;
  let requests = 0;
  const post = async (body: unknown): Promise<unknown> => {
    requests++;
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
    return response.json();
  };
  const call = async (method: string, params: unknown[]): Promise<unknown> => {
    const answer = (await post({ jsonrpc: "2.0", id: ++id, method, params })) as { result?: unknown; error?: { message: string } };
    if (answer.error) throw new Error(`${method}: ${answer.error.message}`);
    return answer.result;
  };
  const quantity = (n: number) => `0x${n.toString(16)}`;

  let logs = 0;
  let headers = 0;
  async function readRange(from: number, to: number): Promise<void> {
    const range = { fromBlock: quantity(from), toBlock: quantity(to) };
    const lists = (await Promise.all([
      call("eth_getLogs", [{ ...range, address: safe, topics: [] }]),
      call("eth_getLogs", [{ ...range, topics: [transferTopic, null, safeTopic] }]),
      call("eth_getLogs", [{ ...range, topics: [transferTopic, safeTopic] }]),
    ])) as { blockNumber: Hex }[][];
    const blocks = new Set<string>();
    for (const list of lists) for (const log of list) blocks.add(log.blockNumber);
    logs += lists.reduce((sum, list) => sum + list.length, 0);
    const numbers = [...blocks];
    const batches: Promise<unknown>[] = [];
    for (let index = 0; index < numbers.length; index += 100)
      batches.push(post(numbers.slice(index, index + 100).map((number) => ({ jsonrpc: "2.0", id: ++id, method: "eth_getBlockByNumber", params: [number, false] }))));
    for (const answers of (await Promise.all(batches)) as { result: unknown }[][]) headers += answers.filter((answer) => answer.result).length;
  }

  const started = performance.now();
  let next = fromBlock;
  const worker = async () => {
    while (next <= toBlock) {
      const from = next;
      const to = Math.min(toBlock, from + blocksPerRange - 1);
      next = to + 1;
      await readRange(from, to);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { ms: performance.now() - started, logs, headers, requests };
}
