import assert from "node:assert/strict";
import { connectionOf } from "../../db/connection.ts";
import type { TreasuryDatabase } from "../../db/handle.ts";
import { openJobQueue, type JobQueue } from "../../db/job-queue.ts";
import { closeDatabase, openDatabase } from "../../db/open.ts";
import { acceptRequest } from "../../db/slack.ts";
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

  it("records a new request with its one job and announces it, in order for a discussion job", () => {
    assert.equal(acceptRequest(db, { requestId: "event:E1", kind: "event:message", teamId: "T1", jobs: [{ kind: "discussion", payload: { n: 1 } }] }), true);
    assert.equal(acceptRequest(db, { requestId: "command:T2", kind: "command", teamId: "T1", jobs: [{ kind: "command", payload: { n: 2 } }] }), true);
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

  it("counts a retry of a recorded request and records nor announces its job again", () => {
    const before = { jobs: jobs().length, announced: announced().length };
    assert.equal(acceptRequest(db, { requestId: "event:E1", kind: "event:message", teamId: "T1", jobs: [{ kind: "discussion", payload: { n: 1 } }] }), false);
    assert.equal(Number(read("SELECT retries FROM slack_received WHERE id = ?", "event:E1")[0]!.retries), 1);
    assert.deepEqual({ jobs: jobs().length, announced: announced().length }, before);
  });

  it("records a new request whose job another request already queued (same dedupe key) without a second job or announcement", () => {
    const before = { jobs: jobs().length, announced: announced().length };
    assert.equal(acceptRequest(db, { requestId: "event:E3", kind: "event:message", teamId: "T1", jobs: [{ kind: "command", dedupeKey: "command:T2#0", payload: { n: 3 } }] }), true);
    assert.deepEqual({ jobs: jobs().length, announced: announced().length }, before);
    assert.equal(read("SELECT id FROM slack_received WHERE id = ?", "event:E3").length, 1);
  });

  it("records nothing of a request whose transaction fails", () => {
    const before = { jobs: jobs().length, announced: announced().length, received: read("SELECT id FROM slack_received").length };
    assert.throws(() =>
      connectionOf(db).transaction(() => {
        acceptRequest(db, { requestId: "event:E4", kind: "event:message", teamId: "T1", jobs: [{ kind: "discussion", payload: { n: 4 } }] });
        throw new Error("the process died before the commit");
      })(),
    );
    assert.deepEqual({ jobs: jobs().length, announced: announced().length, received: read("SELECT id FROM slack_received").length }, before);
  });
});
