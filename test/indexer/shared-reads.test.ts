import assert from "node:assert/strict";
import { pad, type Address, type Hex } from "viem";
import { transferTopic } from "../../indexer/decode.ts";
import type { IndexerRpc, RawLog } from "../../indexer/rpc.ts";
import { createSharedChainReads } from "../../indexer/shared-reads.ts";

const safeA = "0x00000000000000000000000000000000000000aa" as Address;
const safeB = "0x00000000000000000000000000000000000000Bb" as Address;
const stranger = "0x00000000000000000000000000000000000000cc" as Address;
const token = "0x00000000000000000000000000000000000000dd" as Address;
const topic = (address: Address) => pad(address.toLowerCase() as Hex, { size: 32 });

let nextIndex = 0;
const log = (address: Address, topics: Hex[], blockNumber: number): RawLog => ({
  address,
  topics,
  data: "0x",
  blockNumber,
  blockHash: `0x${"ab".repeat(32)}`,
  transactionHash: `0x${"cd".repeat(32)}`,
  transactionIndex: 0,
  logIndex: nextIndex++,
});

/** The chain's logs in blocks 1..9: the Safes' own events and transfers between them and others. */
const chainLogs: RawLog[] = [
  log(safeA, [`0x${"01".repeat(32)}`], 1),
  log(token, [transferTopic, topic(stranger), topic(safeA)], 2),
  log(token, [transferTopic, topic(safeA), topic(safeB)], 3), // A pays B: A's outgoing, B's incoming
  log(safeB, [`0x${"02".repeat(32)}`], 4),
  log(token, [transferTopic, topic(safeB), topic(stranger)], 5),
  log(token, [transferTopic, topic(stranger), topic(stranger)], 6), // nobody's
  log(stranger, [`0x${"03".repeat(32)}`], 7),
];

type Filter = Parameters<IndexerRpc["getLogs"]>[0];
const matches = (wanted: Hex | Hex[] | null | undefined, value: string | undefined) =>
  wanted === null || wanted === undefined || (Array.isArray(wanted) ? wanted.map((w) => w.toLowerCase()) : [wanted.toLowerCase()]).includes(String(value).toLowerCase());

/** An RPC over `chainLogs` that answers eth_getLogs as a node does (address and topic lists match any) and records every call. */
function recordingRpc(failWith?: Error) {
  const calls: { method: string; filter?: Filter }[] = [];
  let head = 9;
  const rpc = {
    url: "http://chain.test",
    async getBlockNumber() {
      calls.push({ method: "eth_blockNumber" });
      await new Promise((done) => setTimeout(done, 5));
      return head++;
    },
    async getBlockHeader(number: number) {
      calls.push({ method: `block ${number}` });
      await new Promise((done) => setTimeout(done, 5));
      return { number, hash: `0x${"ef".repeat(32)}` as Hex, parentHash: `0x${"00".repeat(32)}` as Hex, timestamp: 1_000 + number };
    },
    async getLogs(filter: Filter) {
      calls.push({ method: "eth_getLogs", filter });
      if (failWith) throw failWith;
      const addresses = filter.address === undefined ? undefined : (Array.isArray(filter.address) ? filter.address : [filter.address]).map((a) => a.toLowerCase());
      return chainLogs.filter(
        (entry) =>
          entry.blockNumber >= filter.fromBlock &&
          entry.blockNumber <= filter.toBlock &&
          (!addresses || addresses.includes(entry.address.toLowerCase())) &&
          filter.topics.every((wanted, index) => matches(wanted, entry.topics[index])),
      );
    },
  };
  return { rpc: rpc as unknown as IndexerRpc, calls };
}

/** What one Safe's own three requests return (the indexer's reads without sharing). */
const alone = (safe: Address, fromBlock: number, toBlock: number) => {
  const inRange = chainLogs.filter((entry) => entry.blockNumber >= fromBlock && entry.blockNumber <= toBlock);
  return [
    ...inRange.filter((entry) => entry.address.toLowerCase() === safe.toLowerCase()),
    ...inRange.filter((entry) => entry.topics[0] === transferTopic && entry.topics[2] === topic(safe)),
    ...inRange.filter((entry) => entry.topics[0] === transferTopic && entry.topics[1] === topic(safe)),
  ];
};

describe("reads shared by the indexers of one process (indexer/shared-reads.ts)", () => {
  it("gives each Safe exactly its own logs, in its own requests' order, from three requests for all the Safes of a range", async () => {
    const { rpc, calls } = recordingRpc();
    const reads = createSharedChainReads();
    const [a, b] = await Promise.all([reads.safeLogs(rpc, safeA, 1, 9), reads.safeLogs(rpc, safeB, 1, 9)]);
    assert.deepEqual(a, alone(safeA, 1, 9));
    assert.deepEqual(b, alone(safeB, 1, 9));
    assert.equal(a.length + b.length, 6, "the transfer from A to B is in both, the strangers' logs in neither");
    assert.equal(calls.filter((call) => call.method === "eth_getLogs").length, 3);
  });

  it("asks separately for different ranges, and for one Safe exactly as its own indexer would", async () => {
    const { rpc, calls } = recordingRpc();
    const reads = createSharedChainReads();
    const [a, b] = await Promise.all([reads.safeLogs(rpc, safeA, 1, 3), reads.safeLogs(rpc, safeB, 3, 9)]);
    assert.deepEqual(a, alone(safeA, 1, 3));
    assert.deepEqual(b, alone(safeB, 3, 9));
    const filters = calls.map((call) => call.filter!);
    assert.equal(filters.length, 6);
    assert.deepEqual(filters.slice(0, 3), [
      { address: safeA.toLowerCase(), topics: [], fromBlock: 1, toBlock: 3 },
      { topics: [transferTopic, null, topic(safeA)], fromBlock: 1, toBlock: 3 },
      { topics: [transferTopic, topic(safeA)], fromBlock: 1, toBlock: 3 },
    ]);
  });

  it("answers the head and a header asked for while a request for it is in flight from that request, and keeps nothing after", async () => {
    const { rpc, calls } = recordingRpc();
    const reads = createSharedChainReads();
    assert.deepEqual(await Promise.all([reads.blockNumber(rpc), reads.blockNumber(rpc), reads.blockNumber(rpc)]), [9, 9, 9]);
    assert.equal(await reads.blockNumber(rpc), 10, "a later ask is a new request");
    const [one, again] = await Promise.all([reads.blockHeader(rpc, 4), reads.blockHeader(rpc, 4)]);
    assert.equal(one, again);
    assert.deepEqual(calls.map((call) => call.method), ["eth_blockNumber", "eth_blockNumber", "block 4"]);
  });

  it("fails every Safe that waited on a failed read", async () => {
    const { rpc } = recordingRpc(new Error("the node is down"));
    const reads = createSharedChainReads();
    const results = await Promise.allSettled([reads.safeLogs(rpc, safeA, 1, 9), reads.safeLogs(rpc, safeB, 1, 9)]);
    assert.deepEqual(results.map((result) => result.status), ["rejected", "rejected"]);
  });

  it("wakes every indexer at the same poll, and one that stops at once", async () => {
    const reads = createSharedChainReads({ pollIntervalMs: 50 });
    const first = reads.nextPoll(new AbortController().signal);
    await new Promise((done) => setTimeout(done, 20));
    const second = reads.nextPoll(new AbortController().signal);
    const stopping = new AbortController();
    const stopped = reads.nextPoll(stopping.signal);
    stopping.abort();
    assert.equal(await Promise.race([stopped.then(() => "stopped"), first.then(() => "polled")]), "stopped", "an aborted wait ends before the poll");
    await first;
    // The one asked for later wakes in the same turn as the first: one poll, not one 50 ms after its own ask.
    const sameTurn = await Promise.race([second.then(() => true), new Promise<boolean>((done) => setImmediate(() => done(false)))]);
    assert.equal(sameTurn, true);
  });
});
