import type { TreasuryDatabase } from "../db/handle.ts";
import { isDatabaseOpen } from "../db/open.ts";
import { embeddingBacklog, listRowsToEmbed } from "../db/vectors.ts";
import { storeVectors, useVectorModel } from "./vectors.ts";
import { shortMessageOf } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import { embeddingText } from "./activity.ts";
import type { Embedder } from "./embedder.ts";

export type CreateEmbeddingWorkerParameters = {
  db: TreasuryDatabase;
  embedder: Embedder;
  logger?: Logger;
  /** Texts per embedding call (default 32). */
  batchSize?: number;
  /** Pause between polls when there is nothing to do, and after a failure (default 2 s). */
  intervalMs?: number;
};

export type EmbeddingWorker = {
  /** Starts the background loop (idempotent). */
  start(): void;
  /** Stops the loop; resolves after the batch in flight is written. */
  stop(): Promise<void>;
  /** Embeds until nothing is left, then resolves with how many rows it embedded. Throws if the model fails. */
  drain(): Promise<number>;
  /** Rows still waiting for a vector from this model. */
  backlog(): number;
};

/**
 * Embeds activity rows in the background, never in a request's path. The
 * backlog is whatever `activity` row has no vector from the current model for
 * its current text, so work left when the process stopped is picked up after a
 * restart, and a change of model re-embeds everything. Each batch is written
 * in one transaction.
 */
export function createEmbeddingWorker({
  db,
  embedder,
  logger,
  batchSize = 32,
  intervalMs = 2000,
}: CreateEmbeddingWorkerParameters): EmbeddingWorker {
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<number> | undefined;
  let prepared = false;

  /** Embeds one batch; returns how many rows it wrote (0 = nothing to do). */
  async function runBatch(): Promise<number> {
    if (!isDatabaseOpen(db)) return 0;
    const known = embedder.dimensions();
    if (known !== undefined && !prepared) {
      if (useVectorModel(db, embedder.model, known)) logger?.info({ model: embedder.model }, "embedding model changed; re-embedding all activity");
      prepared = true;
    }
    const rows = listRowsToEmbed(db, embedder.model, batchSize);
    if (rows.length === 0) return 0;
    const vectors = await embedder.embed(rows.map(embeddingText));
    if (!isDatabaseOpen(db)) return 0;
    if (!prepared) {
      useVectorModel(db, embedder.model, vectors[0].length);
      prepared = true;
    }
    storeVectors(
      db,
      embedder.model,
      rows.map((row, index) => ({ id: row.id, contentHash: row.contentHash, vector: vectors[index] })),
    );
    return rows.length;
  }

  function once(): Promise<number> {
    inFlight ??= runBatch().finally(() => (inFlight = undefined));
    return inFlight;
  }

  async function loop(): Promise<void> {
    if (!running) return;
    let wait = intervalMs;
    try {
      const done = await once();
      if (done > 0) wait = 0;
    } catch (error) {
      logger?.warn({ err: shortMessageOf(error) }, "embedding failed; will retry");
    }
    if (running) timer = setTimeout(loop, wait);
  }

  return {
    start() {
      if (running) return;
      running = true;
      timer = setTimeout(loop, 0);
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      await inFlight?.catch(() => 0);
    },
    async drain() {
      let total = 0;
      for (;;) {
        const done = await once();
        if (done === 0) return total;
        total += done;
      }
    },
    backlog: () => embeddingBacklog(db, embedder.model),
  };
}
