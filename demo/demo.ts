import { existsSync, rmSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { EIP1193Provider } from "viem";
import { openDatabase, readMeta, writeMeta } from "../db/database.ts";
import type { Config } from "../app/config.ts";
import type { Logger } from "../core/logger.ts";
import { readJournalHeader } from "../devchain/journal.ts";
import { bundledFixture, loadFixture, type Fixture } from "./fixture.ts";
import { replayGenesisDate } from "./plan.ts";
import { replayFixture, type ReplayFixtureReturnType } from "./replay.ts";

export type DemoPlan = {
  fixture: Fixture;
  fixturePath: string;
  genesis: Date;
  /** An earlier first run stopped before its demo was done; it was cleared to start over. */
  restarted: boolean;
};

/**
 * Whether this start is a first run that should show the demo treasury: the
 * embedded chain (no RPC_URL), no owners of one's own (SAFE_OWNERS), demo not
 * turned off (DEMO_FIXTURE=none), a chain with no history yet (no chain
 * journal) and a database with no data. Returns the fixture to replay and the
 * genesis time to start the chain with, or undefined. When it returns a plan it
 * marks the database, so that a first run interrupted before the demo is done
 * starts over (database and chain journal deleted) on the next start.
 */
export function planDemo(config: Config): DemoPlan | undefined {
  if (config.RPC_URL || config.SAFE_OWNERS || config.SAFE_ADDRESS) return undefined;
  const choice = config.DEMO_FIXTURE ?? bundledFixture;
  if (choice.toLowerCase() === "none") return undefined;
  const journal = config.CHAIN_JOURNAL_FILE === "none" ? undefined : config.CHAIN_JOURNAL_FILE;
  const interrupted = demoState(config.DATABASE_PATH) === "started";
  if (interrupted) {
    // A first run stopped halfway through the demo: start it over on a fresh chain rather than keep half a treasury.
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${config.DATABASE_PATH}${suffix}`, { force: true });
    if (journal) rmSync(journal, { force: true });
  }
  if (journal && readJournalHeader(journal)) return undefined;
  if (databaseHoldsData(config.DATABASE_PATH)) return undefined;
  const fixturePath = resolve(choice);
  const fixture = loadFixture(fixturePath);
  // From here the chain about to start belongs to the demo: if this run stops before the demo is done, the next one starts over.
  setDemoState(config.DATABASE_PATH, "started");
  return { fixture, fixturePath, genesis: replayGenesisDate(fixture), restarted: interrupted };
}

export type ReplayDemoParameters = {
  demo: DemoPlan;
  config: Config;
  logger: Logger;
  /** The embedded chain, started at `demo.genesis`. */
  provider: EIP1193Provider;
  rpcUrl: string;
};

/**
 * Replays the demo scenario onto the freshly started embedded chain, into the
 * configured database and deployment file, then moves the chain's clock to now
 * (one empty block), so what people do next is dated today, after the demo's
 * history. With a chain journal, the next start brings the same chain back.
 */
export async function replayDemo({ demo, config, logger, provider, rpcUrl }: ReplayDemoParameters): Promise<ReplayFixtureReturnType> {
  if (demo.restarted) logger.warn("the last start stopped before the demo treasury was ready; starting it over on a fresh chain");
  logger.info({ fixture: demo.fixturePath }, `first run: replaying the demo treasury "${demo.fixture.name}" (DEMO_FIXTURE=none turns this off)`);
  const summary = await replayFixture({
    fixture: demo.fixture,
    provider,
    rpcUrl,
    databasePath: config.DATABASE_PATH,
    deploymentFile: config.DEPLOYMENT_FILE,
    // The replay's own proposal-by-proposal lines would bury the start-up log: only its warnings show.
    logger: logger.child({ part: "demo" }, { level: logger.isLevelEnabled("debug") ? logger.level : "warn" }),
    config,
  });
  setDemoState(config.DATABASE_PATH, "done");
  const now = Math.floor(Date.now() / 1000);
  if (now > summary.lastBlockTime) {
    await provider.request({ method: "evm_setNextBlockTimestamp", params: [`0x${now.toString(16)}`] } as never);
    await provider.request({ method: "evm_mine", params: [] } as never);
  }
  logger.info(
    { safe: summary.safeAddress, ...summary.outcomes, deposits: summary.deposits.length, seconds: Math.round(summary.elapsedMs / 100) / 10 },
    "demo treasury ready",
  );
  return summary;
}

function databaseHoldsData(path: string): boolean {
  if (path === ":memory:" || !existsSync(path) || statSync(path).size === 0) return false;
  const db = openDatabase({ path });
  try {
    return ["proposals", "blocks", "members", "address_book", "transfers"].some(
      (table) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n > 0,
    );
  } finally {
    db.close();
  }
}

/** Whether a demo replay began ("started") or finished ("done") in this database; kept in `meta.demo_replay`. */
function demoState(path: string): string | undefined {
  if (path === ":memory:" || !existsSync(path) || statSync(path).size === 0) return undefined;
  const db = openDatabase({ path });
  try {
    return readMeta(db, "demo_replay");
  } finally {
    db.close();
  }
}

function setDemoState(path: string, state: "started" | "done"): void {
  const db = openDatabase({ path });
  try {
    writeMeta(db, "demo_replay", state);
  } finally {
    db.close();
  }
}
