import { pad, type Address, type Hex } from "viem";
import type { BlockHeader } from "../db/chain-mirror/records.ts";
import { transferTopic } from "./decode.ts";
import type { IndexerRpc, RawLog } from "./rpc.ts";

/**
 * The reads that the indexers of one process (one per Safe) make together, so that following many Safes costs about
 * what following one does (reads are shared between indexers of the same RPC only):
 * - they poll the head at the same moments (`nextPoll`), so their reads line up;
 * - the same head or block header asked for while a request for it is in flight is answered by that request;
 * - the logs of several Safes over the same block range, asked for in the same turn of the event loop, come from
 *   three eth_getLogs for all of them (their addresses, and transfers to or from any of them), split by Safe.
 *
 * Guarantees: each Safe gets exactly the logs its own three requests would return, in the same order; nothing is
 * kept once its request is answered (no cache: a reorg is seen as soon as without sharing); a failed read fails
 * every Safe that waited on it, each of which handles it as its own (a refused range makes each ask for fewer blocks).
 */
export type SharedChainReads = {
  /** Resolves at the next poll of every indexer sharing these reads, or at once when `signal` aborts. */
  nextPoll(signal: AbortSignal): Promise<void>;
  blockNumber(rpc: IndexerRpc): Promise<number>;
  blockHeader(rpc: IndexerRpc, number: number): Promise<BlockHeader | undefined>;
  /** The Safe's own logs, then the ERC-20 transfers to it, then those from it, in `fromBlock..toBlock`. */
  safeLogs(rpc: IndexerRpc, safe: Address, fromBlock: number, toBlock: number): Promise<RawLog[]>;
};

export type CreateSharedChainReadsParameters = {
  /** Milliseconds between polls once the indexers follow the head (default 1,000). */
  pollIntervalMs?: number;
};

type Waiting = { safe: string; done: (logs: RawLog[]) => void; fail: (error: unknown) => void };
type RangeGroup = { rpc: IndexerRpc; fromBlock: number; toBlock: number; waiting: Waiting[] };

export function createSharedChainReads({ pollIntervalMs = 1_000 }: CreateSharedChainReadsParameters = {}): SharedChainReads {
  let poll: Promise<void> | undefined;
  const inFlight = new Map<string, Promise<unknown>>();
  const ranges = new Map<string, RangeGroup>();
  let flushing = false;

  function once<T>(key: string, read: () => Promise<T>): Promise<T> {
    const known = inFlight.get(key);
    if (known) return known as Promise<T>;
    const started = read().finally(() => inFlight.delete(key));
    inFlight.set(key, started);
    return started;
  }

  function flush(): void {
    flushing = false;
    const groups = [...ranges.values()];
    ranges.clear();
    for (const group of groups) void readRange(group);
  }

  async function readRange({ rpc, fromBlock, toBlock, waiting }: RangeGroup): Promise<void> {
    const safes = [...new Set(waiting.map((entry) => entry.safe))];
    const topics = safes.map(topicOf);
    const one = <T>(values: T[]): T | T[] => (values.length === 1 ? values[0]! : values);
    try {
      const [own, incoming, outgoing] = await Promise.all([
        rpc.getLogs({ address: one(safes) as Address | Address[], topics: [], fromBlock, toBlock }),
        rpc.getLogs({ topics: [transferTopic, null, one(topics)], fromBlock, toBlock }),
        rpc.getLogs({ topics: [transferTopic, one(topics)], fromBlock, toBlock }),
      ]);
      const ownOf = bucket(own, (log) => log.address.toLowerCase());
      const toOf = bucket(incoming, (log) => log.topics[2]?.toLowerCase());
      const fromOf = bucket(outgoing, (log) => log.topics[1]?.toLowerCase());
      for (const entry of waiting) {
        const topic = topicOf(entry.safe);
        entry.done([...(ownOf.get(entry.safe) ?? []), ...(toOf.get(topic) ?? []), ...(fromOf.get(topic) ?? [])]);
      }
    } catch (error) {
      for (const entry of waiting) entry.fail(error);
    }
  }

  return {
    nextPoll(signal) {
      poll ??= new Promise<void>((done) =>
        setTimeout(() => {
          poll = undefined;
          done();
        }, pollIntervalMs),
      );
      if (signal.aborted) return Promise.resolve();
      return new Promise<void>((done) => {
        const stop = () => done();
        signal.addEventListener("abort", stop, { once: true });
        void poll!.then(() => {
          signal.removeEventListener("abort", stop);
          done();
        });
      });
    },
    blockNumber: (rpc) => once(`${rpc.url} head`, () => rpc.getBlockNumber()),
    blockHeader: (rpc, number) => once(`${rpc.url} block ${number}`, () => rpc.getBlockHeader(number)),
    safeLogs(rpc, safe, fromBlock, toBlock) {
      return new Promise<RawLog[]>((done, fail) => {
        const key = `${rpc.url} ${fromBlock}-${toBlock}`;
        let group = ranges.get(key);
        if (!group) ranges.set(key, (group = { rpc, fromBlock, toBlock, waiting: [] }));
        group.waiting.push({ safe: safe.toLowerCase(), done, fail });
        // Every indexer whose reads of this turn line up with this one's joins the group before it is sent.
        if (!flushing) {
          flushing = true;
          setImmediate(flush);
        }
      });
    },
  };
}

const topicOf = (address: string): Hex => pad(address.toLowerCase() as Hex, { size: 32 });

function bucket(logs: RawLog[], keyOf: (log: RawLog) => string | undefined): Map<string, RawLog[]> {
  const buckets = new Map<string, RawLog[]>();
  for (const log of logs) {
    const key = keyOf(log);
    if (key === undefined) continue;
    const list = buckets.get(key);
    if (list) list.push(log);
    else buckets.set(key, [log]);
  }
  return buckets;
}
