import assert from "node:assert/strict";
import pg from "pg";
import { connectionOf } from "../../db/connection.ts";
import type { TreasuryDatabase } from "../../db/handle.ts";
import { announcementInStatement, openJobQueue, type JobQueue } from "../../db/job-queue.ts";
import { closeDatabase, openDatabase } from "../../db/open.ts";
import { acceptRequest, markIfReceived } from "../../db/slack.ts";
import { postgresSchemaForTests, type PostgresSchemaForTests } from "../helpers/postgres-schema.ts";

/** Runs on PostgreSQL whatever engine the rest of the suite uses: the job queue exists only there. */
describe("recording a Slack request with its jobs on PostgreSQL, with the job queue attached (db/slack.ts acceptRequest)", function () {
  this.timeout(60_000);
  let schema: PostgresSchemaForTests;
  let db: TreasuryDatabase;
  let queue: JobQueue;

  before(async () => {
    schema = await postgresSchemaForTests("accept_request");
    db = openDatabase({ path: schema.url });
    queue = await openJobQueue({ db, url: schema.url, consumer: false, heartbeatSeconds: 10 });
  });
  after(async () => {
    await queue?.stop();
    if (db) closeDatabase(db);
    await schema?.drop();
  });

  const read = (sql: string, ...values: unknown[]) => connectionOf(db).prepare(sql).all(...values) as Array<Record<string, unknown>>;
  const announced = () => read(`SELECT name, data->>'slackJobId' AS id FROM ${queue.schema}.job ORDER BY created_on, id`).map((row) => ({ name: row.name, id: Number(row.id) }));
  const jobs = () => read("SELECT id, dedupe_key, kind FROM slack_jobs ORDER BY id").map((row) => ({ id: Number(row.id), dedupeKey: row.dedupe_key, kind: row.kind }));

  it("records a new request with its one job and announces it, in order for a discussion job", async () => {
    assert.equal(await acceptRequest(db, { requestId: "event:E1", kind: "event:message", teamId: "T1", jobs: [{ kind: "discussion", payload: { n: 1 } }] }), true);
    assert.equal(await acceptRequest(db, { requestId: "command:T2", kind: "command", teamId: "T1", jobs: [{ kind: "command", payload: { n: 2 } }] }), true);
    const recorded = jobs();
    assert.deepEqual(
      recorded.map(({ dedupeKey, kind }) => ({ dedupeKey, kind })),
      [
        { dedupeKey: "event:E1#0", kind: "discussion" },
        { dedupeKey: "command:T2#0", kind: "command" },
      ],
    );
    assert.deepEqual(announced(), [
      { name: "slack-jobs-in-order", id: recorded[0]!.id },
      { name: "slack-jobs", id: recorded[1]!.id },
    ]);
    assert.deepEqual(read("SELECT id, retries FROM slack_received ORDER BY id").map((row) => ({ id: row.id, retries: Number(row.retries) })), [
      { id: "command:T2", retries: 0 },
      { id: "event:E1", retries: 0 },
    ]);
  });

  it("counts a retry of a recorded request and records nor announces its job again", async () => {
    const before = { jobs: jobs().length, announced: announced().length };
    assert.equal(await acceptRequest(db, { requestId: "event:E1", kind: "event:message", teamId: "T1", jobs: [{ kind: "discussion", payload: { n: 1 } }] }), false);
    assert.equal(Number(read("SELECT retries FROM slack_received WHERE id = ?", "event:E1")[0]!.retries), 1);
    assert.deepEqual({ jobs: jobs().length, announced: announced().length }, before);
  });

  it("records a new request whose job another request already queued (same dedupe key) without a second job or announcement", async () => {
    const before = { jobs: jobs().length, announced: announced().length };
    assert.equal(await acceptRequest(db, { requestId: "event:E3", kind: "event:message", teamId: "T1", jobs: [{ kind: "command", dedupeKey: "command:T2#0", payload: { n: 3 } }] }), true);
    assert.deepEqual({ jobs: jobs().length, announced: announced().length }, before);
    assert.equal(read("SELECT id FROM slack_received WHERE id = ?", "event:E3").length, 1);
  });

  it("records a request with two jobs and announces both, each in its queue", async () => {
    const before = announced().length;
    const given = [
      { kind: "discussion" as const, payload: { n: 5 } },
      { kind: "assistant" as const, payload: { n: 6 } },
    ];
    assert.equal(await acceptRequest(db, { requestId: "event:E5", kind: "event:message", teamId: "T1", jobs: given }), true);
    const recorded = jobs().filter((job) => String(job.dedupeKey).startsWith("event:E5#"));
    assert.deepEqual(recorded.map(({ dedupeKey, kind }) => ({ dedupeKey, kind })), [
      { dedupeKey: "event:E5#0", kind: "discussion" },
      { dedupeKey: "event:E5#1", kind: "assistant" },
    ]);
    assert.deepEqual(
      announced().slice(before).sort((a, b) => a.id - b.id),
      [
        { name: "slack-jobs-in-order", id: recorded[0]!.id },
        { name: "slack-jobs", id: recorded[1]!.id },
      ],
    );
  });

  it("announces a one-job request in the statement that records it, with the delivery options pg-boss's own insert gives", async () => {
    // This pg-boss's insert has the shape that joins the statement (else a transaction does the same, one round trip per step).
    assert.ok(announcementInStatement(db, { ordered: false }, 10), "pg-boss's job insert no longer joins the statement");
    // E11 goes through the one statement, E12 (two jobs) through pg-boss's insert as it is: their deliveries must match.
    await acceptRequest(db, { requestId: "event:E11", kind: "event:message", teamId: "T1", jobs: [{ kind: "assistant", payload: { n: 11 } }] });
    await acceptRequest(db, { requestId: "event:E12", kind: "event:message", teamId: "T1", jobs: [{ kind: "assistant", payload: { n: 12 } }, { kind: "command", payload: { n: 13 } }] });
    const idOf = (key: string) => jobs().find((job) => job.dedupeKey === key)!.id;
    const delivery = (slackJobId: number) => {
      const [row] = read(`SELECT * FROM ${queue.schema}.job WHERE (data->>'slackJobId')::bigint = ?`, slackJobId);
      assert.ok(row, `no delivery of Slack job ${slackJobId}`);
      const { id, data, created_on, start_after, keep_until, ...options } = row;
      return { data, options };
    };
    const single = delivery(idOf("event:E11#0"));
    const separate = delivery(idOf("event:E12#0"));
    assert.deepEqual(JSON.parse(String(single.data)), { slackJobId: idOf("event:E11#0") });
    assert.deepEqual(single.options, separate.options);
  });

  it("records nothing of a request whose transaction fails after its first job was written and announced", async () => {
    const before = { jobs: jobs().length, announced: announced().length, received: read("SELECT id FROM slack_received").length };
    // The second job's payload cannot be stored (JSON has no bigint): the request, the first job and its announcement go too.
    await assert.rejects(
      acceptRequest(db, {
        requestId: "event:E6",
        kind: "event:message",
        teamId: "T1",
        jobs: [
          { kind: "discussion", payload: { n: 6 } },
          { kind: "assistant", payload: { amount: 1n } },
        ],
      }),
      /BigInt/,
    );
    assert.deepEqual({ jobs: jobs().length, announced: announced().length, received: read("SELECT id FROM slack_received").length }, before);
    // The pool's client is clean again: the next request is recorded.
    assert.equal(await acceptRequest(db, { requestId: "event:E7", kind: "event:message", teamId: "T1", jobs: [{ kind: "discussion", payload: { n: 7 } }] }), true);
  });

  it("serves other requests while one waits on PostgreSQL, and tells a delivery that waited on its twin's commit from a new one", async () => {
    // Another session records the same request id and does not commit yet: the second delivery waits on its key.
    const blocker = new pg.Client({ connectionString: schema.url.replace(/\?.*$/, "") });
    await blocker.connect();
    try {
      await blocker.query(`SET search_path TO ${new URL(schema.url).searchParams.get("schema")}`);
      await blocker.query("BEGIN");
      await blocker.query("INSERT INTO slack_received (id, kind, team_id, received_at) VALUES ('event:E8', 'event:message', 'T1', 0)");
      let settled = false;
      const waiting = acceptRequest(db, { requestId: "event:E8", kind: "event:message", teamId: "T1", jobs: [{ kind: "discussion", payload: { n: 8 } }] }).finally(
        () => (settled = true),
      );
      // Meanwhile this process records another request and runs its timers.
      assert.equal(await acceptRequest(db, { requestId: "event:E9", kind: "event:message", teamId: "T1" }), true);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(settled, false, "the delivery of event:E8 should still wait on the uncommitted one");
      await blocker.query("COMMIT");
      assert.equal(await waiting, false);
      assert.equal(Number(read("SELECT retries FROM slack_received WHERE id = ?", "event:E8")[0]!.retries), 1);
      assert.equal(jobs().filter((job) => job.dedupeKey === "event:E8#0").length, 0);
    } finally {
      await blocker.end();
    }
  });

  it("tells a command's retry from its first delivery (markIfReceived)", async () => {
    assert.equal(await markIfReceived(db, "command:T10"), false);
    assert.equal(await acceptRequest(db, { requestId: "command:T10", kind: "command", teamId: "T1" }), true);
    assert.equal(await markIfReceived(db, "command:T10"), true);
    assert.equal(Number(read("SELECT retries FROM slack_received WHERE id = ?", "command:T10")[0]!.retries), 1);
  });
});
