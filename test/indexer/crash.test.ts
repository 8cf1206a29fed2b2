import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createIndexer } from "../../indexer/indexer.ts";
import { closeDatabase } from "../../db/open.ts";
import { openDatabase, databaseEnvironment } from "../helpers/database.ts";
import { readCheckpoint } from "../../db/chain-mirror/read.ts";
import { generateSafeHistory } from "../../scripts/bench/indexer-history.ts";
import { startTestChain, type TestChain } from "../helpers/chain.ts";
import { createTestContext } from "../helpers/context.ts";
import { dumpMirror } from "./dump.ts";
import { connectionOf } from "../../db/connection.ts";
import { onlySafe } from "../helpers/safe-database.ts";

type Kill = { afterBatches: number; delayMs: number };

/**
 * Runs the indexer in a child process. With `kill`, sends SIGKILL `delayMs`
 * after it commits `afterBatches` batches (0: after it starts indexing), so
 * the kill lands anywhere in a batch: fetching, decoding, or inside the write.
 */
function runChild(chain: TestChain, databasePath: string, kill: Kill | undefined): Promise<{ finished: boolean; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", join("test", "indexer", "crash-child.ts")], {
      env: {
        ...process.env,
        RPC_URL: chain.node.url,
        ...databaseEnvironment(databasePath),
        DEPLOYMENT_FILE: chain.deploymentFile,
        INDEXER_RANGE: "2",
        LOG_LEVEL: "silent",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
      const batches = output.split("\n").filter((line) => line.startsWith("batch")).length;
      if (kill && output.includes("indexing") && batches >= kill.afterBatches) {
        setTimeout(() => child.kill("SIGKILL"), kill.delayMs);
        kill = undefined;
      }
    });
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", fail);
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL") return done({ finished: false, output });
      if (code !== 0) return fail(new Error(`the indexer exited with ${code}: ${output}`));
      done({ finished: true, output });
    });
  });
}

describe("indexer crash safety (SIGKILL at random points)", function () {
  this.timeout(180_000);
  let chain: TestChain;

  before(async () => {
    chain = await startTestChain();
    // A backfill of a few seconds in small batches: 360 Safe executions and 360 deposits over 120 blocks
    // (long enough for a dozen kills now that the indexer reads ranges ahead).
    await generateSafeHistory({ provider: chain.node.provider, deployment: chain.deployment, executions: 360, deposits: 360, perBlock: 3 });
  });
  after(() => chain?.stop());

  it("never loses or duplicates a row: after each kill the database is a prefix of a clean index, and the end is equal", async () => {
    const reference = createTestContext(chain, { databaseFile: "reference.db" });
    await createIndexer({ ctx: reference, progress: "off" }).runOnce();
    const head = readCheckpoint(reference.db)!.blockNumber;

    const databasePath = join(chain.dir, "crashed.db");
    const checkpoints: number[] = [];
    let kills = 0;
    for (let round = 0; kills < 12 && round < 40; round++) {
      // At least one batch per run, so the kills spread over the whole backfill (0 could land before
      // any commit every time on a slow machine); the random delay puts each kill anywhere in the next batch.
      const kill = { afterBatches: 1 + Math.floor(Math.random() * 2), delayMs: Math.floor(Math.random() * 40) };
      const { finished } = await runChild(chain, databasePath, kill);
      if (finished) break;
      kills++;
      const db = onlySafe(openDatabase({ path: databasePath }));
      try {
        const checkpoint = readCheckpoint(db)?.blockNumber ?? -1;
        checkpoints.push(checkpoint);
        assert.deepEqual(dumpMirror(db, checkpoint), dumpMirror(reference.db, checkpoint), `after kill ${kills} at checkpoint ${checkpoint}`);
        // Nothing above the checkpoint: a batch is all in, or not in at all.
        assert.deepEqual(
          connectionOf(db).prepare("SELECT count(*) AS n FROM safe_executions WHERE block_number > ?").get(checkpoint),
          { n: 0 },
        );
      } finally {
        closeDatabase(db);
      }
    }
    assert.ok(kills >= 10, `only ${kills} kills before the backfill finished`);
    const partial = checkpoints.filter((checkpoint) => checkpoint > 0 && checkpoint < head);
    assert.ok(new Set(partial).size >= 5, `kills landed mid-backfill at ${checkpoints.join(", ")}`);

    const last = await runChild(chain, databasePath, undefined);
    assert.ok(last.finished);
    const db = onlySafe(openDatabase({ path: databasePath }));
    try {
      assert.deepEqual(dumpMirror(db), dumpMirror(reference.db));
    } finally {
      closeDatabase(db);
      closeDatabase(reference.db);
    }
  });
});
