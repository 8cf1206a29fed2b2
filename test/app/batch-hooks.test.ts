import assert from "node:assert/strict";
import type { TreasuryContext } from "../../core/context.ts";
import { createLogger } from "../../core/logger.ts";
import { safeBatchHooks } from "../../app/batch-hooks.ts";
import type { IndexerBatch } from "../../indexer/indexer.ts";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeDatabase } from "../helpers/database.ts";
import { openSafeDatabase, testSafeAddress } from "../helpers/safe-database.ts";

describe("batch hooks: what runs after each committed indexer batch of a Safe (app/batch-hooks.ts)", () => {
  let safe: TreasuryContext;
  before(() => {
    // The Safe's own steps run over an empty database; the test hears the order through `then`.
    safe = { db: openSafeDatabase(join(mkdtempSync(join(tmpdir(), "batch-hooks-")), "treasury.db")), chainId: 31337, safeAddress: testSafeAddress } as TreasuryContext;
  });
  after(() => closeDatabase(safe.db));

  const quiet = (block: number): IndexerBatch => ({ fromBlock: block, toBlock: block, events: 0 });
  const busy = (block: number): IndexerBatch => ({ fromBlock: block, toBlock: block, events: 3 });

  it("runs after every batch by default (the embedded service)", async () => {
    const seen: IndexerBatch[] = [];
    const hook = safeBatchHooks({ safe, logger: createLogger("silent"), then: [(batch) => void seen.push(batch)] });
    for (const batch of [quiet(1), quiet(2), busy(3)]) await hook(batch);
    assert.deepEqual(seen.map((batch) => batch.toBlock), [1, 2, 3]);
  });

  it("with quietBatchEveryMs, skips quiet batches inside the period but never a batch with events or a rollback", async () => {
    const seen: IndexerBatch[] = [];
    const hook = safeBatchHooks({ safe, logger: createLogger("silent"), quietBatchEveryMs: 100, then: [(batch) => void seen.push(batch)] });
    await hook(quiet(1)); // the first runs
    await hook(quiet(2)); // inside the period: skipped
    await hook(busy(3)); // events: runs
    await hook({ fromBlock: 3, toBlock: 2, events: 0, rolledBackTo: 2 }); // a rollback: runs
    await hook(quiet(4)); // skipped
    await new Promise((done) => setTimeout(done, 130));
    await hook(quiet(5)); // the period is over: runs
    assert.deepEqual(seen.map((batch) => batch.toBlock), [1, 3, 2, 5]);
  });
});
