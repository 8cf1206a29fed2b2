import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalNode, type LocalNode } from "../../devchain/node.ts";
import { bundledFixture, loadFixture, type Fixture } from "../../demo/fixture.ts";
import { replayGenesisDate } from "../../demo/plan.ts";
import { replayFixture, type ReplayFixtureReturnType } from "../../demo/replay.ts";
import { closeDatabase } from "../../db/open.ts";
import { openDatabase } from "./database.ts";
import { createLogger } from "../../core/logger.ts";

export type ReplayedFixture = ReplayFixtureReturnType & {
  fixture: Fixture;
  /**
   * The replay's chain, still running (until the mocha process exits) for tests
   * that compare with the chain. Answers must not need it: `treasury history` and
   * `treasury ask` work from the database alone, as after `npm run seed`.
   */
  rpcUrl: string;
  /** The folder holding the database and the deployment file. */
  dir: string;
  dbPath: string;
  deploymentFile: string;
};

let replayed: Promise<ReplayedFixture> | undefined;

/**
 * The bundled fixture (demo/fixtures/lighthouse-2026.json) replayed into a
 * temporary database, once per mocha run: every caller gets the same result
 * (about 10 s the first time). The database holds the whole indexed history and
 * the search rows; tests should only read it (open it read-only, or copy it
 * before writing). Use: `const replay = await replayedFixture()` in a `before`
 * hook with `this.timeout(120_000)`.
 */
export function replayedFixture(): Promise<ReplayedFixture> {
  replayed ??= replayOnce().catch((error) => {
    replayed = undefined;
    throw error;
  });
  return replayed;
}

export type FreshReplay = {
  summary: ReplayFixtureReturnType;
  /** The replay's chain, still running: the caller stops it. */
  node: LocalNode;
  dir: string;
  dbPath: string;
  deploymentFile: string;
};

/** Replays `fixture` onto a fresh local chain, into a new temporary folder. Stops the chain if the replay fails. */
export async function replayOnFreshChain(fixture: Fixture, folderPrefix = "treasury-fixture-"): Promise<FreshReplay> {
  const dir = mkdtempSync(join(tmpdir(), folderPrefix));
  const dbPath = join(dir, "treasury.db");
  const deploymentFile = join(dir, "deployment.json");
  const node = await startLocalNode({ port: 0, initialDate: replayGenesisDate(fixture) });
  try {
    const db = openDatabase({ path: dbPath });
    const summary = await replayFixture({
      fixture,
      provider: node.provider,
      rpcUrl: node.url,
      db,
      databasePath: dbPath,
      deploymentFile,
      logger: createLogger("silent"),
    }).finally(() => closeDatabase(db));
    return { summary, node, dir, dbPath, deploymentFile };
  } catch (error) {
    await node.stop();
    throw error;
  }
}

async function replayOnce(): Promise<ReplayedFixture> {
  const fixture = loadFixture(bundledFixture);
  const { summary, node, dir, dbPath, deploymentFile } = await replayOnFreshChain(fixture);
  console.log(`      (fixture replayed in ${(summary.elapsedMs / 1000).toFixed(1)} s into ${dbPath})`);
  return { ...summary, fixture, dir, dbPath, deploymentFile, rpcUrl: node.url };
}
