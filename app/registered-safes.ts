import type { TreasuryContext } from "../core/context.ts";
import type { Deployment } from "../core/deployment.ts";
import { shortMessageOf } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import type { TreasuryDatabase } from "../db/handle.ts";
import { boundSafeId, listSafes, type RegisteredSafe } from "../db/safes.ts";
import type { Config } from "./config.ts";
import { askChainId, connectTreasury } from "./connect.ts";

export type ConnectRegisteredSafesParameters = {
  config: Config;
  logger: Logger;
  /** The database, bound to no Safe. */
  db: TreasuryDatabase;
  /** The deployment's own Safe, already connected (SAFE_ADDRESS, or the embedded chain's). */
  main: TreasuryContext;
  /** RPC_URL, or the embedded chain's: where a Safe registered without an RPC of its own is read. */
  rpcUrl: string;
  deployment?: Deployment;
};

export type ConnectRegisteredSafesReturnType = {
  /** One context per Safe that connected, the deployment's own first. */
  contexts: TreasuryContext[];
  /** Safes that could not be connected (their RPC down, another chain there), with why: reported, not run. */
  unreachable: { safe: RegisteredSafe; reason: string }[];
};

/**
 * Connects every Safe registered besides the deployment's own (`treasury
 * safes add`), each through its own RPC or RPC_URL, each with its context and
 * database handle bound to it, several at a time. The contexts come in the
 * registry's order whatever order they connected in. A Safe that cannot be
 * connected does not stop the others: it is logged and returned in
 * `unreachable`.
 */
export async function connectRegisteredSafes({ config, logger, db, main, rpcUrl, deployment }: ConnectRegisteredSafesParameters): Promise<ConnectRegisteredSafesReturnType> {
  const mainId = boundSafeId(main.db);
  const others = listSafes(db).filter((safe) => safe.id !== mainId);
  // Each Safe asks its chain a few questions one after another: several Safes at once overlap those waits.
  const readChainId = chainIdAskedOnce();
  const outcomes: Array<{ ctx: TreasuryContext } | { error: unknown }> = [];
  let next = 0;
  const connectNext = async () => {
    while (next < others.length) {
      const index = next++;
      const safe = others[index]!;
      outcomes[index] = await connectTreasury({ config, logger, db, rpcUrl: safe.rpcUrl ?? rpcUrl, deployment, safe, closeOnFailure: false, readChainId }).then(
        (ctx) => ({ ctx }),
        (error: unknown) => ({ error }),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(connectedAtOnce, others.length) }, connectNext));
  const contexts: TreasuryContext[] = [main];
  const unreachable: ConnectRegisteredSafesReturnType["unreachable"] = [];
  others.forEach((safe, index) => {
    const outcome = outcomes[index]!;
    if ("ctx" in outcome) return void contexts.push(outcome.ctx);
    const reason = shortMessageOf(outcome.error);
    logger.error({ safe: safe.name, chainId: safe.chainId, address: safe.address, err: reason }, "a Safe of this treasury cannot be connected; it is not indexed until the next start");
    unreachable.push({ safe, reason });
  });
  return { contexts, unreachable };
}

/** The chain id of each RPC, asked once for all the Safes read through it in one round of connections. */
function chainIdAskedOnce(): (rpcUrl: string) => Promise<number> {
  const asked = new Map<string, Promise<number>>();
  return (rpcUrl) => {
    let answer = asked.get(rpcUrl);
    if (!answer) asked.set(rpcUrl, (answer = askChainId(rpcUrl)));
    return answer;
  };
}

/** How many registered Safes a starting process connects at a time. */
const connectedAtOnce = 8;

export type FollowRegisteredSafesParameters = Omit<ConnectRegisteredSafesParameters, "main"> &
  ConnectRegisteredSafesReturnType & {
    /** How often the registry is read for Safes added since (`treasury safes add`, in any process). */
    everyMs: number;
    /** Called once for each Safe connected after the start, after it is added to `contexts`. */
    onConnected: (ctx: TreasuryContext) => void;
  };

/**
 * Serves Safes registered while the process runs: every `everyMs` it reads the
 * registry, connects each Safe not in `contexts` (and tries the unreachable
 * ones again), adds it to `contexts` (removing it from `unreachable`) and calls
 * `onConnected`. One round at a time; a Safe that still cannot be connected is
 * logged when its reason changes, not every round.
 */
export function followRegisteredSafes(parameters: FollowRegisteredSafesParameters): { stop: () => void } {
  const { config, logger, db, rpcUrl, deployment, contexts, unreachable, everyMs, onConnected } = parameters;
  let round: Promise<void> | undefined;
  let stopped = false;
  const lastReason = new Map<number, string>(unreachable.map(({ safe, reason }) => [safe.id, reason]));
  const connectNew = async () => {
    const served = new Set(contexts.map((ctx) => boundSafeId(ctx.db)));
    const readChainId = chainIdAskedOnce();
    for (const safe of listSafes(db)) {
      if (stopped) return;
      if (served.has(safe.id)) continue;
      try {
        const ctx = await connectTreasury({ config, logger, db, rpcUrl: safe.rpcUrl ?? rpcUrl, deployment, safe, closeOnFailure: false, readChainId });
        if (stopped) return;
        contexts.push(ctx);
        const waiting = unreachable.findIndex((entry) => entry.safe.id === safe.id);
        if (waiting >= 0) unreachable.splice(waiting, 1);
        lastReason.delete(safe.id);
        logger.info({ safe: safe.name, chainId: safe.chainId, address: safe.address, workspace: safe.workspace || undefined }, "a Safe registered since the start is served now");
        onConnected(ctx);
      } catch (error) {
        const reason = shortMessageOf(error);
        if (lastReason.get(safe.id) !== reason) logger.error({ safe: safe.name, chainId: safe.chainId, address: safe.address, err: reason }, "a registered Safe cannot be connected; trying again");
        lastReason.set(safe.id, reason);
        if (!unreachable.some((entry) => entry.safe.id === safe.id)) unreachable.push({ safe, reason });
      }
    }
  };
  const timer = setInterval(() => {
    if (round || stopped) return;
    round = connectNew()
      .catch((error) => logger.warn({ err: shortMessageOf(error) }, "could not read the registered Safes; trying again"))
      .finally(() => (round = undefined));
  }, everyMs);
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
