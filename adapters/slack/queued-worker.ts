import { shortMessageOf } from "../../core/errors.ts";
import { slackInOrderLease, type JobQueue } from "../../db/job-queue.ts";
import { tryTakeLease } from "../../db/leases.ts";
import { isDatabaseOpen } from "../../db/open.ts";
import { claimJob } from "../../db/slack.ts";
import { settleJob, wakeableSleep, type CreateJobWorkerParameters, type JobWorker } from "./worker.ts";

/** The lease of the Slack periodic work (card updates, outbox, nudges): one worker process runs it at a time. */
export const slackPeriodicLease = "slack-periodic";

/**
 * The in-process worker's parameters, and the queue. Here `tick` runs only in the worker process holding
 * `slackPeriodicLease`, `concurrency` counts this process's jobs (discussion jobs: one at a time across every
 * process, in order), and `pollMs` is how often the queue is polled when no NOTIFY came (a floor).
 */
export type CreateQueuedJobWorkerParameters = CreateJobWorkerParameters & {
  /** The PostgreSQL job queue (`db/job-queue.ts`), opened as a consumer. */
  queue: JobQueue;
};

/**
 * The worker of a stateless `worker` process: the job queue delivers "Slack job N is due" to one worker process;
 * this one claims the job's `slack_jobs` row, runs it, and marks it done, or failed, or pending again with the same
 * backoff as the in-process worker (1 s, 2 s, 4 s … up to `maxAttempts`), the retry announced in the same
 * transaction. A worker killed mid-job loses its delivery to another once its heartbeats stop (JOB_HEARTBEAT_SECONDS); the jobs' steps are
 * idempotent (posts made once, partial results saved), so their effects happen once. The jobs that run in order
 * (discussion) and the periodic work each run in whichever worker process holds their lease; another takes it over
 * within `tickEveryMs` when that one dies.
 */
export function createQueuedJobWorker({
  db,
  logger,
  queue,
  run,
  tick,
  tickEveryMs = 2000,
  concurrency = 8,
  pollMs = 2000,
  maxAttempts = 6,
}: CreateQueuedJobWorkerParameters): JobWorker {
  let running = false;
  let runningJobs = 0;
  let ticker: Promise<void> | undefined;
  const { sleep, wake: wakeUp } = wakeableSleep();
  let ticksFinished = 0;
  let idleWaiters: Array<{ afterTicks: number; done: () => void }> = [];

  const runDelivered = async (slackJobId: number) => {
    if (!running || !isDatabaseOpen(db)) throw new Error("This worker is stopping; the job goes to another.");
    const job = claimJob(db, slackJobId);
    if (!job) return;
    runningJobs += 1;
    try {
      await settleJob(db, logger, run, job, maxAttempts);
    } finally {
      runningJobs -= 1;
    }
  };

  let inOrder = false;
  const tickLoop = async () => {
    while (running) {
      try {
        // The jobs that run in order are taken by one worker process at a time: the one holding their lease.
        if (!inOrder && isDatabaseOpen(db) && tryTakeLease(db, slackInOrderLease)) {
          await queue.workInOrder(runDelivered, { pollSeconds: pollMs / 1000 });
          inOrder = true;
        }
        if (tick && isDatabaseOpen(db) && tryTakeLease(db, slackPeriodicLease)) await tick();
      } catch (error) {
        logger.error({ err: shortMessageOf(error) }, "Slack periodic work failed; will try again");
      }
      ticksFinished += 1;
      if (runningJobs === 0) {
        const ready = idleWaiters.filter((waiter) => ticksFinished > waiter.afterTicks);
        idleWaiters = idleWaiters.filter((waiter) => ticksFinished <= waiter.afterTicks);
        for (const waiter of ready) waiter.done();
      }
      if (running) await sleep(tickEveryMs);
    }
  };

  return {
    start: () => {
      if (running) return;
      running = true;
      queue.work(runDelivered, { concurrency, pollSeconds: pollMs / 1000 }).catch((error) => logger.error({ err: shortMessageOf(error) }, "the job queue refused this worker"));
      ticker = tickLoop();
    },
    wake: wakeUp,
    idle: () =>
      new Promise<void>((done) => {
        idleWaiters.push({ afterTicks: ticksFinished, done });
        wakeUp();
      }),
    stop: async () => {
      if (!running) return;
      running = false;
      wakeUp();
      await ticker;
      await queue.stop();
      for (const waiter of idleWaiters) waiter.done();
      idleWaiters = [];
    },
  };
}
