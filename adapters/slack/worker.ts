import { shortMessageOf } from "../../core/errors.ts";
import type { Logger } from "../../core/logger.ts";
import type { TreasuryDatabase } from "../../db/handle.ts";
import { isDatabaseOpen } from "../../db/open.ts";
import { claimJobs, finishJob, requeueInterruptedJobs, retryOrFailJob, type SlackJob } from "../../db/slack.ts";

export type CreateJobWorkerParameters = {
  db: TreasuryDatabase;
  logger: Logger;
  run: (job: SlackJob) => Promise<void>;
  /** Periodic work (card updates, outbox, nudges), run between job batches, never twice at once. */
  tick?: () => Promise<void>;
  tickEveryMs?: number;
  /** Jobs run at once (discussion jobs run one at a time, in order, so an edit never overtakes its message). */
  concurrency?: number;
  pollMs?: number;
  maxAttempts?: number;
};

export type JobWorker = {
  start: () => void;
  /** Wakes the loop now (a job was queued). */
  wake: () => void;
  /** Resolves once a look for due jobs begun after the call found none and periodic work begun after the call has finished (tests). */
  idle: () => Promise<void>;
  stop: () => Promise<void>;
};

/**
 * The worker loop over `slack_jobs`: claims due jobs oldest first, runs them,
 * and retries failures with exponential backoff (1 s, 2 s, 4 s … up to
 * `maxAttempts`). Jobs left running by a crash are requeued at start, so every
 * accepted request is worked on at least once; the jobs' steps are idempotent,
 * so their effects happen once.
 */
export function createJobWorker({
  db,
  logger,
  run,
  tick,
  tickEveryMs = 2000,
  concurrency = 8,
  pollMs = 500,
  maxAttempts = 6,
}: CreateJobWorkerParameters): JobWorker {
  let running = false;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  let lastTick = 0;
  /** Loop iterations begun, ticks begun and ticks finished (ticks run one after another). */
  let iteration = 0;
  let ticksStarted = 0;
  let tickCount = 0;
  let idleWaiters: Array<{ afterIteration: number; afterTicks: number; done: () => void }> = [];

  const sleep = (ms: number) =>
    new Promise<void>((done) => {
      const timer = setTimeout(() => {
        wakeUp = undefined;
        done();
      }, ms);
      wakeUp = () => {
        clearTimeout(timer);
        wakeUp = undefined;
        done();
      };
    });

  const runOne = async (job: SlackJob) => {
    // Let the HTTP server's pending acknowledgements (and other I/O) run before each job's synchronous part:
    // jobs share the event loop with the request path, and Slack waits for those acks.
    await new Promise<void>((done) => setImmediate(done));
    try {
      await run(job);
      finishJob(db, job.id);
    } catch (error) {
      const last = job.attempts >= maxAttempts;
      const delay = last ? null : Math.min(60_000, 1000 * 2 ** (job.attempts - 1));
      retryOrFailJob(db, job.id, shortMessageOf(error), delay);
      logger.warn({ job: job.id, kind: job.kind, attempts: job.attempts, err: shortMessageOf(error) }, last ? "Slack job failed for good" : "Slack job failed; will retry");
    }
  };

  const runBatch = async (): Promise<number> => {
    const jobs = isDatabaseOpen(db) ? claimJobs(db, concurrency * 4) : [];
    if (jobs.length === 0) return 0;
    const ordered = jobs.filter((job) => job.kind === "discussion");
    const parallel = jobs.filter((job) => job.kind !== "discussion");
    const lanes: Promise<void>[] = [
      (async () => {
        for (const job of ordered) await runOne(job);
      })(),
    ];
    let next = 0;
    for (let lane = 0; lane < concurrency; lane += 1)
      lanes.push(
        (async () => {
          while (next < parallel.length) await runOne(parallel[next++]);
        })(),
      );
    await Promise.all(lanes);
    return jobs.length;
  };

  const body = async () => {
    requeueInterruptedJobs(db);
    while (running) {
      iteration += 1;
      let worked = 0;
      try {
        worked = await runBatch();
        if (tick && Date.now() - lastTick >= tickEveryMs && running) {
          lastTick = Date.now();
          ticksStarted += 1;
          try {
            await tick();
          } finally {
            tickCount += 1;
          }
        }
      } catch (error) {
        logger.error({ err: shortMessageOf(error) }, "Slack worker loop error");
      }
      if (worked === 0) {
        // Idle for a waiter once a batch claimed after its call found nothing and a tick begun after its call has finished.
        const isReady = (waiter: (typeof idleWaiters)[number]) => iteration > waiter.afterIteration && (!tick || tickCount > waiter.afterTicks);
        const ready = idleWaiters.filter(isReady);
        idleWaiters = idleWaiters.filter((waiter) => !isReady(waiter));
        for (const waiter of ready) waiter.done();
        if (running) await sleep(Math.min(pollMs, Math.max(10, tickEveryMs - (Date.now() - lastTick))));
      }
    }
  };

  return {
    start: () => {
      if (running) return;
      running = true;
      loop = body();
    },
    wake: () => wakeUp?.(),
    idle: () =>
      new Promise<void>((done) => {
        idleWaiters.push({ afterIteration: iteration, afterTicks: ticksStarted, done });
        lastTick = 0;
        wakeUp?.();
      }),
    stop: async () => {
      running = false;
      wakeUp?.();
      await loop;
      for (const waiter of idleWaiters) waiter.done();
      idleWaiters = [];
    },
  };
}

/** The worker of a process that runs no Slack jobs (a stateless `web` process: the job queue delivers its jobs to `worker` processes). */
export const idleJobWorker: JobWorker = {
  start: () => undefined,
  wake: () => undefined,
  idle: async () => undefined,
  stop: async () => undefined,
};
