import { existsSync, rmSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { SingleBar } from "cli-progress";
import { closeDatabase, deleteDatabase, isPostgresLocation, openDatabase } from "../db/open.ts";
import { nonEmptyTreasuryTable } from "../db/summary.ts";
import { loadConfig } from "../app/config.ts";
import { databaseLabel, databaseLocation } from "../core/config.ts";
import { shortMessageOf } from "../core/errors.ts";
import { createLogger } from "../core/logger.ts";
import { startLocalNode, type LocalNode } from "../devchain/node.ts";
import { bundledFixture, loadFixture } from "../demo/fixture.ts";
import { replayGenesisDate } from "../demo/plan.ts";
import { replayFixture, type ReplayProgress } from "../demo/replay.ts";

const usage = `Usage: npm run seed -- [--fixture <file>] [--force] [--quiet]

Replays a fixture (default: demo/fixtures/lighthouse-2026.json) onto a fresh
in-process local chain through the real proposal flows, then indexes it. The
database (DATABASE_URL, else DATABASE_PATH), deployment file (DEPLOYMENT_FILE) and chain journal
(CHAIN_JOURNAL_FILE) are left behind: \`treasury history\` and \`treasury ask\`
work from the database alone, and \`npm start\` brings the same chain back.

  --fixture <file>  the scenario to replay
  --force           delete an existing database (on PostgreSQL, the schema of
                    DATABASE_URL) and chain journal first
                    (otherwise a database that holds data is refused)
  --quiet           print only the summary`;

/**
 * `npm run seed`: replays a fixture into the configured database. Exits 1 with
 * one line when the fixture, the configuration or a step of the replay is wrong.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      fixture: { type: "string", short: "f" },
      force: { type: "boolean", default: false },
      quiet: { type: "boolean", short: "q", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const config = loadConfig();
  const fixturePath = resolve(values.fixture ?? bundledFixture);
  const fixture = loadFixture(fixturePath);

  const location = databaseLocation(config);
  const journalFile = config.CHAIN_JOURNAL_FILE === "none" ? undefined : config.CHAIN_JOURNAL_FILE;
  const databaseInUse = (isPostgresLocation(location) || (existsSync(location) && statSync(location).size > 0)) && holdsData(location);
  const journalInUse = journalFile !== undefined && existsSync(journalFile) && statSync(journalFile).size > 0;
  if ((databaseInUse || journalInUse) && !values.force)
    throw new Error(
      `${databaseInUse ? databaseLabel(config) : journalFile} already holds a treasury; use --force to delete it and replay, or set ${config.DATABASE_URL ? "DATABASE_URL" : "DATABASE_PATH"} and CHAIN_JOURNAL_FILE.`,
    );
  deleteDatabase({ path: location });
  if (journalFile) rmSync(journalFile, { force: true });

  const logger = createLogger(config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL);
  const genesis = replayGenesisDate(fixture);
  console.log(`Replaying "${fixture.name}" (${fixture.timeline.length} events) on a fresh local chain starting ${genesis.toISOString()}`);
  let node: LocalNode | undefined;
  const bar = process.stdout.isTTY && !values.quiet ? new SingleBar({ format: "{bar} {value}/{total} steps | {elapsed}s | {line}", hideCursor: true }) : undefined;
  try {
    node = await startLocalNode({ port: 0, initialDate: genesis, journalFile });
    bar?.start(1, 0, { line: "deploying", elapsed: "0.0" });
    const onProgress = (progress: ReplayProgress) => {
      const elapsed = (progress.elapsedMs / 1000).toFixed(1);
      if (bar) {
        bar.setTotal(progress.total);
        bar.update(progress.index, { line: progress.description.slice(0, 70), elapsed });
      } else if (!values.quiet && isTimelineEvent(progress)) console.log(`[${elapsed.padStart(5)}s] ${progress.description}`);
    };
    const db = openDatabase({ path: location });
    const summary = await replayFixture({
      fixture,
      provider: node.provider,
      rpcUrl: node.url,
      db,
      databasePath: databaseLabel(config),
      deploymentFile: config.DEPLOYMENT_FILE,
      logger,
      config,
      onProgress,
    }).finally(() => closeDatabase(db));
    bar?.stop();
    const { outcomes } = summary;
    console.log(
      [
        `Done in ${(summary.elapsedMs / 1000).toFixed(1)} s: ${summary.deposits.length} deposits, ${outcomes.executed} executed, ` +
          `${outcomes.rejected} rejected, ${outcomes.cancelled} cancelled, ${outcomes.pending} pending proposals, ${summary.messages} messages; ` +
          `${summary.lastBlock} blocks up to ${new Date(summary.lastBlockTime * 1000).toISOString()}.`,
        `Safe ${summary.safeAddress} on chain ${summary.chainId}.`,
        `Database: ${databaseLabel(config)}  Deployment: ${config.DEPLOYMENT_FILE}`,
        journalFile
          ? `Chain journal: ${journalFile} (\`npm start\` brings this chain back; \`treasury history\` and \`treasury ask\` need only the database).`
          : "The chain stopped with this command; `treasury history` and `treasury ask` read the database.",
      ].join("\n"),
    );
  } finally {
    bar?.stop();
    await node?.stop();
  }
}

function isTimelineEvent(progress: ReplayProgress): boolean {
  return progress.step.kind !== "message" && progress.step.kind !== "approve" && progress.step.kind !== "approve_rejection";
}

function holdsData(path: string): boolean {
  const db = openDatabase({ path });
  try {
    return nonEmptyTreasuryTable(db) !== undefined;
  } finally {
    closeDatabase(db);
  }
}

try {
  await main();
} catch (error) {
  console.error(`seed: ${shortMessageOf(error)}`);
  process.exit(1);
}
