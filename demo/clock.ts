import type { EIP1193Provider } from "viem";

/** Requests that mine a block on an automining development chain. */
const miningMethods = new Set(["eth_sendRawTransaction", "eth_sendTransaction", "evm_mine"]);

export type ChainClock = {
  /**
   * A provider for everything the replay sends: each transaction (or `evm_mine`)
   * is mined in its own block whose time is the time set with `moveTo`, or one
   * second after the previous block when that time is already used.
   */
  provider: EIP1193Provider;
  /** The next blocks are mined at `timestamp` (unix seconds) or just after. */
  moveTo: (timestamp: number) => void;
  /** The time of the last block mined through this clock (or the chain's head when it started). */
  lastBlockTime: () => number;
};

type Request = { method: string; params?: unknown };

/**
 * Controls the time of every block the replay mines, so a replay is
 * deterministic: the same fixture gives the same block times, in the same order,
 * whatever the wall clock says. Times only move forward: each block is at least
 * one second after the one before (several transactions of one fixture event get
 * consecutive seconds). Requests are serialised, so two transactions never race
 * for one timestamp.
 */
export async function createChainClock(provider: EIP1193Provider): Promise<ChainClock> {
  const request = provider.request.bind(provider) as (args: Request) => Promise<unknown>;
  const head = (await request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as { timestamp: string };
  let last = Number(head.timestamp);
  let target = last + 1;
  let queue: Promise<unknown> = Promise.resolve();

  const clocked = (args: Request): Promise<unknown> => {
    if (!miningMethods.has(args.method)) return request(args);
    const work = async () => {
      const time = Math.max(target, last + 1);
      await request({ method: "evm_setNextBlockTimestamp", params: [`0x${time.toString(16)}`] });
      try {
        return await request(args);
      } finally {
        // A refused transaction may still have mined its block (a revert is mined): never reuse its second.
        last = time;
      }
    };
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  return {
    provider: { request: clocked } as unknown as EIP1193Provider,
    moveTo: (timestamp) => {
      target = timestamp;
    },
    lastBlockTime: () => last,
  };
}
