import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { EIP1193Provider } from "viem";
import { TreasuryError } from "../core/errors.ts";

export class ChainJournalError extends TreasuryError {
  override name = "ChainJournalError";
}

/** Methods that change the chain; everything else is a read and is not journaled. */
const journaledMethods = new Set([
  "eth_sendRawTransaction",
  "eth_sendTransaction",
  "evm_mine",
  "hardhat_mine",
  "evm_setAutomine",
  "hardhat_setBalance",
  "hardhat_setCode",
  "hardhat_setStorageAt",
  "hardhat_setNonce",
]);

type JournalHeader = { journal: "treasury-chain"; version: 1; chainId: number; genesisTimestamp: number };
type JournalEntry = { method: string; params: unknown; minedTimestamps?: number[] };

export type ChainJournal = {
  /** The provider to use instead of the raw one: it records every change. */
  provider: EIP1193Provider;
  /** Entries recorded so far (replayed ones included). */
  size: () => number;
};

type Request = { method: string; params?: unknown };

/** Reads the journal's header, or undefined when the file does not exist or is empty. */
export function readJournalHeader(file: string): JournalHeader | undefined {
  if (!existsSync(file)) return undefined;
  const [first] = readFileSync(file, "utf8").split("\n", 1);
  if (!first) return undefined;
  try {
    const header = JSON.parse(first) as JournalHeader;
    if (header.journal !== "treasury-chain" || header.version !== 1) throw new Error("not a journal");
    return header;
  } catch (cause) {
    throw new ChainJournalError(`${file} is not a chain journal; move it away to start a new chain.`, { cause });
  }
}

/**
 * Makes the embedded chain outlive its process. Every change sent through the
 * returned provider is appended to `file` with the timestamps of the blocks it
 * mined; on the next start, `openChainJournal` replays the file onto the fresh
 * chain (started with the recorded genesis time) before anything else runs, so
 * the same blocks, with the same hashes, come back. Snapshots and reverts
 * truncate the journal to match.
 */
export async function openChainJournal(provider: EIP1193Provider, file: string): Promise<ChainJournal> {
  const request = provider.request.bind(provider) as (args: Request) => Promise<unknown>;
  const chainId = Number(await request({ method: "eth_chainId" }));
  const genesis = (await request({ method: "eth_getBlockByNumber", params: ["0x0", false] })) as { timestamp: string };
  const genesisTimestamp = Number(genesis.timestamp);

  let entries: JournalEntry[] = [];
  const header = readJournalHeader(file);
  if (header) {
    if (header.chainId !== chainId || header.genesisTimestamp !== genesisTimestamp)
      throw new ChainJournalError(
        `${file} was recorded on another chain (chain ${header.chainId}, genesis ${header.genesisTimestamp}); move it away to start a new chain.`,
      );
    entries = readFileSync(file, "utf8")
      .split("\n")
      .slice(1)
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as JournalEntry);
    await replay(request, entries, file);
    await resumeWallClock(request);
  } else {
    mkdirSync(dirname(file), { recursive: true });
    const newHeader: JournalHeader = { journal: "treasury-chain", version: 1, chainId, genesisTimestamp };
    writeFileSync(file, `${JSON.stringify(newHeader)}\n`);
  }

  const snapshots = new Map<string, number>();
  let queue: Promise<unknown> = Promise.resolve();
  const serialised = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  const rewrite = () => {
    const text = [readFileSync(file, "utf8").split("\n", 1)[0], ...entries.map((entry) => JSON.stringify(entry))].join("\n");
    writeFileSync(file, `${text}\n`);
  };

  const journaled = async (args: Request): Promise<unknown> => {
    if (args.method === "evm_snapshot")
      return serialised(async () => {
        const id = (await request(args)) as string;
        snapshots.set(id, entries.length);
        return id;
      });
    if (args.method === "evm_revert")
      return serialised(async () => {
        const reverted = await request(args);
        const id = (args.params as string[])[0];
        const length = snapshots.get(id);
        if (reverted && length !== undefined) {
          entries = entries.slice(0, length);
          for (const [other, otherLength] of snapshots) if (otherLength > length) snapshots.delete(other);
          snapshots.delete(id);
          rewrite();
        }
        return reverted;
      });
    if (!journaledMethods.has(args.method)) return request(args);
    return serialised(async () => {
      const before = Number(await request({ method: "eth_blockNumber" }));
      const result = await request(args);
      const after = Number(await request({ method: "eth_blockNumber" }));
      const minedTimestamps: number[] = [];
      for (let number = before + 1; number <= after; number++) {
        const block = (await request({ method: "eth_getBlockByNumber", params: [`0x${number.toString(16)}`, false] })) as {
          timestamp: string;
        };
        minedTimestamps.push(Number(block.timestamp));
      }
      const entry: JournalEntry = { method: args.method, params: args.params ?? [], ...(minedTimestamps.length ? { minedTimestamps } : {}) };
      entries.push(entry);
      appendFileSync(file, `${JSON.stringify(entry)}\n`);
      return result;
    });
  };

  return {
    provider: { request: journaled } as unknown as EIP1193Provider,
    size: () => entries.length,
  };
}

/**
 * After a replay, the chain's clock stands at the last replayed block's time
 * (each entry pinned its block's recorded time): new blocks would be dated as
 * far in the past as the chain was down. This moves the clock forward so the
 * next blocks carry the wall-clock time; replayed blocks keep their times and
 * hashes. A chain whose last block is ahead of the wall clock (a scenario
 * dated in the future) stays ahead: block times never go backwards.
 */
async function resumeWallClock(request: (args: Request) => Promise<unknown>): Promise<void> {
  const latest = (await request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as { timestamp: string };
  const behind = Math.floor(Date.now() / 1000) - Number(latest.timestamp);
  if (behind > 0) await request({ method: "evm_increaseTime", params: [behind] });
}

async function replay(request: (args: Request) => Promise<unknown>, entries: JournalEntry[], file: string): Promise<void> {
  for (const [index, entry] of entries.entries()) {
    try {
      // One entry mines at most its recorded blocks; pin the first one's time (hardhat_mine of many blocks spaces the rest itself).
      if (entry.minedTimestamps?.length)
        await request({ method: "evm_setNextBlockTimestamp", params: [`0x${entry.minedTimestamps[0].toString(16)}`] });
      await request({ method: entry.method, params: entry.params });
    } catch (cause) {
      throw new ChainJournalError(
        `Replaying ${file} failed at entry ${index + 1} (${entry.method}); move the file away to start a new chain.`,
        { cause, details: String((cause as Error).message ?? cause) },
      );
    }
  }
}
