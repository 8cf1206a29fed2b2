import { existsSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import type { EIP1193Provider } from "viem";
import type { TreasuryDatabase } from "../db/handle.ts";
import { readMeta, writeMeta } from "../db/meta.ts";
import { nonEmptyTreasuryTable } from "../db/summary.ts";
import { databaseLocation, type CoreConfig } from "../core/config.ts";
import { deleteDatabase } from "../db/open.ts";
import type { Logger } from "../core/logger.ts";
import type { DevchainConfig } from "../devchain/config.ts";
import { readJournalHeader } from "../devchain/journal.ts";
import type { DemoConfig } from "./config.ts";
import { bundledFixture, loadFixture, type Fixture } from "./fixture.ts";
import { replayGenesisDate } from "./plan.ts";
import { replayFixture, type ReplayFixtureReturnType } from "./replay.ts";

export type DemoPlan = {
  fixture: Fixture;
  fixturePath: string;
  genesis: Date;
};

type PlanDemoConfig = Pick<CoreConfig, "RPC_URL" | "SAFE_ADDRESS" | "DATABASE_PATH"> &
  Pick<DevchainConfig, "SAFE_OWNERS" | "CHAIN_JOURNAL_FILE"> &
  DemoConfig;

/** True when a first run began replaying the demo into this database and stopped before it was done. */
export function demoWasInterrupted(db: TreasuryDatabase): boolean {
  return readMeta(db, "demo_replay") === "started";
}

/**
 * Forgets a half-replayed demo so the next start replays it from scratch: the
 * database (SQLite files, or the PostgreSQL schema) and the chain journal are
 * deleted. Call with the database closed.
 */
export function forgetInterruptedDemo(config: Pick<CoreConfig, "DATABASE_PATH" | "DATABASE_URL"> & Pick<DevchainConfig, "CHAIN_JOURNAL_FILE">): void {
  deleteDatabase({ path: databaseLocation(config) });
  if (config.CHAIN_JOURNAL_FILE !== "none") rmSync(config.CHAIN_JOURNAL_FILE, { force: true });
}

/**
 * Whether this start is a first run that should show the demo treasury: the
 * embedded chain (no RPC_URL), no owners or Safe of one's own, demo not turned
 * off (DEMO_FIXTURE=none), a chain with no history yet (no chain journal) and a
 * database with no data. Returns the fixture to replay and the genesis time to
 * start the chain with, or undefined. When it returns a plan it marks the
 * database, so that a first run interrupted before the demo is done starts
 * over on the next start.
 */
export function planDemo(config: PlanDemoConfig, db: TreasuryDatabase): DemoPlan | undefined {
  if (config.RPC_URL || config.SAFE_OWNERS || config.SAFE_ADDRESS) return undefined;
  const choice = config.DEMO_FIXTURE ?? bundledFixture;
  if (choice.toLowerCase() === "none") return undefined;
  if (config.CHAIN_JOURNAL_FILE !== "none" && existsSync(config.CHAIN_JOURNAL_FILE) && readJournalHeader(config.CHAIN_JOURNAL_FILE)) return undefined;
  if (nonEmptyTreasuryTable(db)) return undefined;
  const fixturePath = resolve(choice);
  const fixture = loadFixture(fixturePath);
  // From here the chain about to start belongs to the demo: if this run stops before the demo is done, the next one starts over.
  writeMeta(db, "demo_replay", "started");
  return { fixture, fixturePath, genesis: replayGenesisDate(fixture) };
}

export type ReplayDemoParameters = {
  demo: DemoPlan;
  db: TreasuryDatabase;
  config: CoreConfig & Pick<DevchainConfig, "DEPLOYMENT_FILE">;
  logger: Logger;
  /** The embedded chain, started at `demo.genesis`. */
  provider: EIP1193Provider;
  rpcUrl: string;
};

/**
 * Replays the demo scenario onto the freshly started embedded chain, into the
 * open database and the configured deployment file, then moves the chain's
 * clock to now (one empty block), so what people do next is dated today, after
 * the demo's history. With a chain journal, the next start brings the same chain back.
 */
export async function replayDemo({ demo, db, config, logger, provider, rpcUrl }: ReplayDemoParameters): Promise<ReplayFixtureReturnType> {
  logger.info({ fixture: demo.fixturePath }, `first run: replaying the demo treasury "${demo.fixture.name}" (DEMO_FIXTURE=none turns this off)`);
  const summary = await replayFixture({
    fixture: demo.fixture,
    provider,
    rpcUrl,
    db,
    databasePath: config.DATABASE_PATH,
    deploymentFile: config.DEPLOYMENT_FILE,
    // The replay's own proposal-by-proposal lines would bury the start-up log: only its warnings show.
    logger: logger.child({ part: "demo" }, { level: logger.isLevelEnabled("debug") ? logger.level : "warn" }),
    config,
  });
  writeMeta(db, "demo_replay", "done");
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
