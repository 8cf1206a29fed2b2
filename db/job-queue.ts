import { PgBoss, type Db } from "pg-boss";
import { connectionOf, engineOf } from "./connection.ts";
import { DatabaseError } from "./errors.ts";
import type { TreasuryDatabase } from "./handle.ts";
import type { PostgresConnection } from "./postgres/connection.ts";
import { withDefaultUser } from "./postgres/url.ts";

/**
 * The PostgreSQL job queue behind stateless web and worker processes: pg-boss (its tables in a schema of its own,
 * the deployment's schema + "_boss"). `slack_jobs` stays the record of each job (dedupe key, attempts, partial
 * result, status); pg-boss only delivers "Slack job N is due" to one worker at a time:
 * - a web process announces jobs inside the transaction that records them (`announcementsOf`), so a request is
 *   acknowledged only once its jobs and their deliveries are both committed, and never one without the other;
 * - the announcement carries pg-boss's own transactional NOTIFY, and workers LISTEN (pg-boss's `useListenNotify`), so
 *   a committed job wakes a worker at once; polling stays on as a floor;
 * - a worker holding a job sends pg-boss heartbeats while it runs it; a worker that dies (or hangs) misses them, and
 *   after `heartbeatSeconds` (default 30, at least 10) pg-boss hands the job to another worker. A job running longer
 *   than 15 minutes is given up on the same way. A slow job on a live worker is never handed out twice.
 */

/** The queue of Slack jobs that may run side by side. */
export const slackQueue = "slack-jobs";
/**
 * The queue of Slack jobs that run one at a time, oldest first (discussion: an edit never overtakes its message):
 * only the worker process holding the lease `slackInOrderLease` takes from it, one job at a time. (pg-boss's
 * `singleton` policy stopped delivering under load: jobs stayed created with nothing active.)
 */
export const slackOrderedQueue = "slack-jobs-in-order";
/** The lease of the one worker process that takes jobs from `slackOrderedQueue`. */
export const slackInOrderLease = "slack-jobs-in-order";

/** A job queue was asked for on SQLite (one process owns the file; its in-process worker reads `slack_jobs`). */
export class JobQueueEngineError extends DatabaseError {
  override name = "JobQueueEngineError";
}

export type OpenJobQueueParameters = {
  /** The treasury database (PostgreSQL): the queue lives next to its schema, and announcements run on its connection. */
  db: TreasuryDatabase;
  /** The database's `postgres://…?schema=…` URL, for pg-boss's own connections. */
  url: string;
  /** Workers take jobs (LISTEN, expiry checks); producers (web) only announce. */
  consumer: boolean;
  /** How long a job's worker may go without a heartbeat before another worker gets the job (a worker killed mid-job). Default 30 s; at least 10. */
  heartbeatSeconds?: number;
  /** Told about pg-boss's errors and warnings (its background checks keep going). */
  onProblem?: (message: string) => void;
};

export type JobQueue = {
  /** The schema pg-boss keeps its tables in. */
  schema: string;
  /**
   * Runs `handler` for each Slack job delivered to this process, up to `concurrency` at once. A job whose handler
   * throws is delivered again later (pg-boss's retry); a handler that returns has settled it.
   */
  work: (handler: (slackJobId: number) => Promise<void>, options: { concurrency: number; pollSeconds?: number }) => Promise<void>;
  /** The same for the jobs that run in order, one at a time: call it only while holding `slackInOrderLease`. */
  workInOrder: (handler: (slackJobId: number) => Promise<void>, options: { pollSeconds?: number }) => Promise<void>;
  /** Stops taking jobs, waits (up to `timeoutMs`) for the ones running, closes pg-boss's connections, detaches the announcer. */
  stop: (timeoutMs?: number) => Promise<void>;
};

type Announcer = { insert: Record<string, { text: string; template: Record<string, unknown>; ctes: string | undefined }> };
const announcers = new WeakMap<object, Announcer>();

/** The URL pg-boss connects with: no `schema` parameter, and a user named as libpq would pick it. */
function bossConnectionString(url: string): { connectionString: string; schema: string } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get("schema") ?? "public";
  parsed.searchParams.delete("schema");
  return { connectionString: withDefaultUser(parsed).toString(), schema };
}

/**
 * Starts pg-boss on the deployment's database (installing or migrating its schema when needed), makes the two Slack
 * queues, and attaches the announcer to `db`'s connection: from then on `db/slack.ts` announces every job it records
 * through that connection, in the same transaction. Returns once announcements work.
 */
export async function openJobQueue({ db, url, consumer, heartbeatSeconds = 30, onProblem = () => undefined }: OpenJobQueueParameters): Promise<JobQueue> {
  if (engineOf(db) !== "postgres") throw new JobQueueEngineError("The job queue needs PostgreSQL; on SQLite the one process (role `all`) runs its jobs itself.");
  const { connectionString } = bossConnectionString(url);
  const schema = `${(connectionOf(db) as unknown as PostgresConnection).schema}_boss`;
  if (heartbeatSeconds < 10) throw new JobQueueEngineError("The job queue's heartbeat must be at least 10 seconds (pg-boss's floor).");
  // Missed heartbeats are noticed by pg-boss's supervision pass: run it often enough that a dead worker's job moves within about heartbeatSeconds.
  const checkEverySeconds = Math.max(1, Math.min(10, Math.floor(heartbeatSeconds / 3)));
  const boss = new PgBoss({
    connectionString,
    schema,
    application_name: consumer ? "treasury-worker" : "treasury-web",
    max: consumer ? 4 : 2,
    useListenNotify: consumer,
    supervise: consumer,
    superviseIntervalSeconds: checkEverySeconds,
    monitorIntervalSeconds: checkEverySeconds,
    schedule: false,
    migrate: true,
  });
  boss.on("error", (error) => onProblem(`job queue: ${error.message}`));
  boss.on("warning", (warning) => onProblem(`job queue: ${warning.message}`));
  await boss.start();
  // A job's own retries are the worker's (`retryOrFailJob`, announced again); pg-boss retries only deliveries whose
  // worker stopped beating or whose handler could not reach the database.
  const queueOptions = { notify: true, heartbeatSeconds, expireInSeconds: 15 * 60, retryLimit: 1000, retryDelay: 1, retryBackoff: true, retryDelayMax: 30, deleteAfterSeconds: 24 * 3600 };
  await createQueueOnce(boss, slackQueue, queueOptions);
  await createQueueOnce(boss, slackOrderedQueue, queueOptions);

  // pg-boss writes its own insert (its `db` option takes an executor): this one keeps the statement and payload, which
  // `announceJobs` then runs on the treasury's connection, inside the transaction that records the jobs.
  const insert: Announcer["insert"] = {};
  for (const queue of [slackQueue, slackOrderedQueue]) {
    let captured: { text: string; values: unknown[] } | undefined;
    const recorder: Db = {
      executeSql: async (text, values = []) => {
        captured = { text, values };
        return { rows: [{ id: "recorded" }] };
      },
    };
    await boss.send(queue, { slackJobId: 0 }, { db: recorder });
    if (!captured) throw new JobQueueEngineError("pg-boss did not write a job insert; the job queue cannot be used.");
    const [template] = JSON.parse(String(captured.values[0])) as Record<string, unknown>[];
    insert[queue] = { text: captured.text, template: template!, ctes: ctesOf(captured.text) };
  }
  const connection = connectionOf(db);
  announcers.set(connection, { insert });

  const polling = (pollSeconds: number) => ({ pollingIntervalSeconds: Math.max(0.5, pollSeconds), notifyPollingIntervalSeconds: Math.max(pollSeconds, 10) });
  const taking = (handler: (slackJobId: number) => Promise<void>) => async ([job]: Array<{ data: { slackJobId: number } }>) => handler(Number(job!.data.slackJobId));
  return {
    schema,
    work: async (handler, { concurrency, pollSeconds = 2 }) => {
      await boss.work(slackQueue, { ...polling(pollSeconds), batchSize: 1, localConcurrency: Math.max(1, concurrency) }, taking(handler));
    },
    workInOrder: async (handler, { pollSeconds = 2 }) => {
      // Batches, oldest first, run one job after another: one job per fetch left the queue waiting for the next
      // NOTIFY or poll after each job. A batch that fails part-way is delivered again; its settled jobs are skipped.
      // After a full batch the next is fetched at once (burstWhenBatchFull): a backlog built under load drained at
      // one batch per polling interval (50 jobs per 10 s) once the NOTIFYs stopped.
      const inTurn = async (jobs: Array<{ data: { slackJobId: number } }>) => {
        for (const job of jobs) await handler(Number(job.data.slackJobId));
      };
      await boss.work(slackOrderedQueue, { ...polling(pollSeconds), batchSize: 50, burstWhenBatchFull: true, localConcurrency: 1 }, inTurn);
    },
    stop: async (timeoutMs = 10_000) => {
      if (announcers.get(connection)?.insert === insert) announcers.delete(connection);
      await boss.stop({ graceful: true, timeout: timeoutMs, close: true });
    },
  };
}

async function createQueueOnce(boss: PgBoss, name: string, options: Parameters<PgBoss["createQueue"]>[1]): Promise<void> {
  if (await boss.getQueue(name)) return;
  try {
    await boss.createQueue(name, options);
  } catch (error) {
    // Another process made it between the look and the make.
    if (!(await boss.getQueue(name))) throw error;
  }
}

/** True when jobs recorded through `db` are announced to a job queue (a PostgreSQL web or worker process). */
export function hasJobQueue(db: TreasuryDatabase): boolean {
  return announcers.has(connectionOf(db));
}

export type JobAnnouncement = {
  /** `slack_jobs.id`. */
  slackJobId: number;
  /** Run one at a time, in order (discussion jobs). */
  ordered: boolean;
  /** Not before this many seconds from now (a retry's backoff). */
  delaySeconds?: number;
};

/**
 * The statements that announce recorded Slack jobs to the job queue attached to `db`'s connection (none when no queue
 * is attached): run them inside the transaction that records the jobs, so both commit or neither does (and workers are
 * woken at the commit).
 */
export function announcementsOf(db: TreasuryDatabase, jobs: JobAnnouncement[]): Array<{ text: string; values: unknown[] }> {
  const announcer = announcers.get(connectionOf(db));
  if (!announcer || jobs.length === 0) return [];
  return [false, true].flatMap((ordered) => {
    const some = jobs.filter((job) => job.ordered === ordered);
    if (some.length === 0) return [];
    const { text, template } = announcer.insert[ordered ? slackOrderedQueue : slackQueue]!;
    const payload = some.map((job) => ({
      ...template,
      data: { slackJobId: job.slackJobId },
      ...(job.delaySeconds ? { startAfter: String(Math.ceil(job.delaySeconds)) } : {}),
    }));
    return [{ text, values: [JSON.stringify(payload)] }];
  });
}

/**
 * pg-boss's insert with NOTIFY is `WITH ins AS (…), notified AS (…) SELECT id FROM ins WHERE (SELECT count(*) FROM
 * notified) >= 0`, its jobs' JSON in `$1`: its two CTEs, to follow others in one statement. Undefined for any other
 * shape (another pg-boss version): the insert is then run as it is.
 */
function ctesOf(text: string): string | undefined {
  const shape = /^\s*WITH\s+(ins AS \([\s\S]*\),\s*notified AS \([\s\S]*\))\s*SELECT id FROM ins WHERE \(SELECT count\(\*\) FROM notified\) >= 0\s*$/.exec(text);
  if (!shape || shape[1]!.split("$1::text::json").length !== 2 || /\$[2-9]/.test(shape[1]!)) return undefined;
  return shape[1];
}

/**
 * One job's announcement inside the statement that records it: common table expressions to follow a CTE named `job`
 * whose `id` is the Slack job that statement recorded (no row: nothing is announced). The delivery's options go in
 * the parameter `$<parameter>` (`options`); select `evaluated` so that the NOTIFY runs. Undefined when no queue is
 * attached or pg-boss's insert has a shape not known here (then `announcementsOf`, in a transaction).
 */
export function announcementInStatement(
  db: TreasuryDatabase,
  { ordered, delaySeconds }: Omit<JobAnnouncement, "slackJobId">,
  parameter: number,
): { ctes: string; options: string; evaluated: string } | undefined {
  const insert = announcers.get(connectionOf(db))?.insert[ordered ? slackOrderedQueue : slackQueue];
  if (!insert?.ctes) return undefined;
  const jobs = `(SELECT json_build_array($${parameter}::jsonb || jsonb_build_object('data', jsonb_build_object('slackJobId', job.id)))::text FROM job)`;
  return {
    ctes: insert.ctes.replace("$1::text::json", () => `${jobs}::json`),
    options: JSON.stringify({ ...insert.template, ...(delaySeconds ? { startAfter: String(Math.ceil(delaySeconds)) } : {}) }),
    evaluated: "(SELECT count(*) FROM notified)",
  };
}

/** Runs `announcementsOf(db, jobs)` on `db`'s connection: call it inside the transaction that records the jobs. */
export function announceJobs(db: TreasuryDatabase, jobs: JobAnnouncement[]): void {
  for (const { text, values } of announcementsOf(db, jobs)) (connectionOf(db) as unknown as PostgresConnection).query(text, values, "pg-boss job insert");
}
