import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { getPriority, tmpdir } from "node:os";
import { join } from "node:path";
import { createWalletClient, custom, parseEther, type Hash } from "viem";
import { hardhat } from "viem/chains";
import { developmentAccount } from "../../devchain/accounts.ts";
import { readHistory } from "../../db/chain-mirror/history.ts";
import { connectionOf } from "../../db/connection.ts";
import { tryTakeLease } from "../../db/leases.ts";
import { forSafe, registerSafe } from "../../db/safes.ts";
import { createSafe } from "../../devchain/create-safe.ts";
import { closeDatabase, openDatabase } from "../../db/open.ts";
import { onlySafe } from "../helpers/safe-database.ts";
import { entryPoints, runNode, type RunningProcess } from "../helpers/processes.ts";
import { postgresSchemaForTests, type PostgresSchemaForTests } from "../helpers/postgres-schema.ts";
import { startSlackWorld, signingSecret, channel, users } from "../adapters/slack/harness.ts";
import { slackPoster, triggerId } from "../helpers/fake-slack.ts";
import type { FakeSlack } from "../helpers/fake-slack.ts";
import type { TestChain } from "../helpers/chain.ts";

/** Starts `npm start -- --role <role>` as it ships (dist/), with only `env`. */
const startRole = (role: string, env: Record<string, string>): RunningProcess => runNode(entryPoints.service, ["--role", role], env);

const stopAll = async (processes: RunningProcess[]) => {
  for (const running of processes) if (running.child.exitCode === null) running.child.kill("SIGTERM");
  await Promise.all(processes.map((running) => running.exited));
};

describe("roles: npm start --role web|worker|indexer (app/roles.ts, app/start-role.ts)", function () {
  this.timeout(120_000);

  it("refuses --role worker on SQLite with one clear line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "roles-"));
    const run = runNode(entryPoints.service, ["--role", "worker"], { DATABASE_PATH: join(dir, "treasury.db"), LOG_LEVEL: "silent" });
    assert.equal(await run.exited, 1);
    const lines = run.stderr().trim().split("\n");
    assert.equal(lines.length, 1, run.stderr());
    assert.match(lines[0]!, /^treasury: --role worker needs PostgreSQL \(DATABASE_URL\).*--role all/);
  });

  it("refuses a role that does not exist, naming the roles", async () => {
    const run = runNode(entryPoints.service, ["--role", "cook"], { LOG_LEVEL: "silent" });
    assert.equal(await run.exited, 1);
    assert.match(run.stderr().trim(), /^treasury: --role cook is not a role; use one of all, web, worker, indexer\.$/);
  });

  describe("one web and two workers on one PostgreSQL schema, one worker SIGKILLed with jobs pending", () => {
    let fake: FakeSlack;
    let chain: TestChain;
    let schema: PostgresSchemaForTests;
    const processes: RunningProcess[] = [];

    before(async () => {
      ({ fake, chain } = await startSlackWorld());
      schema = await postgresSchemaForTests("roles_slack");
    });
    after(async () => {
      await stopAll(processes);
      await fake?.stop();
      await chain?.stop();
      await schema?.drop();
    });

    it("runs every request's job once, and makes each post exactly once", async () => {
      const env = {
        DATABASE_URL: schema.url,
        RPC_URL: chain.node.url,
        DEPLOYMENT_FILE: chain.deploymentFile,
        SLACK_BOT_TOKEN: "xoxb-test-token",
        SLACK_SIGNING_SECRET: signingSecret,
        SLACK_API_URL: `${fake.url}/api`,
        SLACK_CHANNEL_ID: channel,
        PORT: "0",
        LOG_LEVEL: "info",
        JOB_HEARTBEAT_SECONDS: "10",
        LEASE_RETRY_MS: "200",
      };
      // The web process goes first: it makes the schema and registers the Safe; then the workers.
      const web = startRole("web", env);
      processes.push(web);
      const started = JSON.parse(await web.waitForLine(/treasury web started/, 60_000)) as { url: string };
      const workers = [startRole("worker", env), startRole("worker", env)];
      processes.push(...workers);
      await Promise.all(workers.map((worker) => worker.waitForLine(/treasury worker started/, 60_000)));
      // The workers give way to the web process on shared cores (BACKGROUND_NICE, 10 by default); the web keeps its priority.
      for (const worker of workers) assert.equal(getPriority(worker.child.pid), Math.max(10, getPriority()));
      assert.equal(getPriority(web.child.pid), getPriority());

      // Every Web API answer takes a while, so jobs are still pending or running when a worker dies.
      fake.setLatency(150);
      const slack = slackPoster(`${started.url}/slack/events`, signingSecret);
      const count = 24;
      const questions = Array.from({ length: count }, (_, i) => `how much did we pay in total, question q${i}x`);
      for (const question of questions) {
        const response = await slack.command({
          command: "/treasury",
          text: `ask ${question}`,
          user_id: users.dana,
          user_name: "dana",
          channel_id: channel,
          team_id: "T0FAKE",
          trigger_id: triggerId(),
          response_url: `${fake.url}/hooks/x`,
        });
        assert.equal(response.status, 200, await response.text());
      }
      // Once some answers are out, one worker is killed outright, mid-work.
      await fake.waitFor(() => fake.callsOf("chat.postMessage").length >= 6, 30_000, "the first posts");
      workers[0]!.child.kill("SIGKILL");
      await workers[0]!.exited;

      const asked = (i: number) => fake.messages.filter((message) => message.channel === channel && !message.thread_ts && message.text?.includes(`q${i}x`));
      const answers = (ts: string) => fake.messages.filter((message) => message.thread_ts === ts);
      await fake.waitFor(
        () => questions.every((_, i) => asked(i).length >= 1 && answers(asked(i)[0]!.ts).length >= 1),
        45_000,
        "every question asked and answered",
      );
      // Everything settles; then no post is doubled: one question message and one answer per request.
      const db = openDatabase({ path: schema.url });
      try {
        const jobs = () => connectionOf(db).prepare("SELECT status, count(*) AS n FROM slack_jobs GROUP BY status").all() as Array<{ status: string; n: number }>;
        const deadline = Date.now() + 20_000;
        while (!(jobs().length === 1 && jobs()[0]!.status === "done") && Date.now() < deadline) await new Promise((done) => setTimeout(done, 100));
        assert.deepEqual(jobs(), [{ status: "done", n: count }]);
        const retried = connectionOf(db).prepare("SELECT dedupe_key, attempts, last_error FROM slack_jobs WHERE attempts > 1").all();
        for (let i = 0; i < count; i += 1) {
          assert.equal(asked(i).length, 1, `jobs run more than once: ${JSON.stringify(retried)}`);
          assert.equal(asked(i).length, 1, `question q${i}x posted ${asked(i).length} times`);
          assert.equal(answers(asked(i)[0]!.ts).length, 1, `answer to q${i}x posted ${answers(asked(i)[0]!.ts).length} times; jobs run more than once: ${JSON.stringify(retried)}`);
        }
        assert.equal(fake.callsOf("chat.postMessage").length, 2 * count);
        // The kill landed mid-work: some job was taken again by the surviving worker (claimed twice).
        assert.ok(retried.length > 0, "no job was left to the surviving worker; the kill came too late to show anything");
        // The request records: one per request, none retried.
        const received = connectionOf(db).prepare("SELECT count(*) AS n FROM slack_received").get() as { n: number };
        assert.equal(received.n, count);
      } finally {
        closeDatabase(db);
      }
      // The surviving worker did the killed one's share too.
      assert.equal(workers[1]!.child.exitCode, null);
    });
  });

  describe("two indexers on one Safe", () => {
    let chain: TestChain;
    let schema: PostgresSchemaForTests;
    const processes: RunningProcess[] = [];

    before(async () => {
      ({ chain } = await startSlackWorld());
      schema = await postgresSchemaForTests("roles_indexer");
    });
    after(async () => {
      await stopAll(processes);
      await chain?.stop();
      await schema?.drop();
    });

    it("follows the Safe from exactly one process; when it is SIGKILLed the other takes over, and the rows equal the chain's", async () => {
      const env = { DATABASE_URL: schema.url, RPC_URL: chain.node.url, DEPLOYMENT_FILE: chain.deploymentFile, LOG_LEVEL: "info", LEASE_RETRY_MS: "200" };
      const lease = `indexer:${chain.deployment.chainId}:${chain.deployment.safe.address}`;
      const first = startRole("indexer", env);
      processes.push(first);
      await first.waitForLine(new RegExp(`"lease":"${lease}".*lease taken`), 60_000);
      const second = startRole("indexer", env);
      processes.push(second);
      await second.waitForLine(/treasury indexer started/, 60_000);

      const wallet = createWalletClient({ account: developmentAccount(5), chain: hardhat, transport: custom(chain.node.provider) });
      const sent: Array<{ txHash: Hash; amount: bigint }> = [];
      const deposit = async (eth: string) => {
        const txHash = await wallet.sendTransaction({ to: chain.deployment.safe.address, value: parseEther(eth) });
        await chain.client.waitForTransactionReceipt({ hash: txHash });
        sent.push({ txHash, amount: parseEther(eth) });
      };
      const db = openDatabase({ path: schema.url });
      try {
        const safeDb = onlySafe(db);
        const indexedDeposits = () =>
          readHistory(safeDb, { kinds: ["deposit"] })
            .filter((row) => row.counterparty === developmentAccount(5).address)
            .map((row) => ({ txHash: row.txHash, amount: row.amount }));
        const waitForDeposits = async (n: number) => {
          const deadline = Date.now() + 30_000;
          while (indexedDeposits().length < n && Date.now() < deadline) await new Promise((done) => setTimeout(done, 100));
        };

        await deposit("0.25");
        await deposit("0.5");
        await waitForDeposits(2);
        // While a holder lives, nobody else gets the Safe: not the second indexer, not this test's own connection.
        assert.equal(tryTakeLease(db, lease), false);
        assert.doesNotMatch(second.stdout(), new RegExp(`"lease":"${lease}"`));

        first.child.kill("SIGKILL");
        await first.exited;
        await second.waitForLine(new RegExp(`"lease":"${lease}".*lease taken`), 20_000);
        assert.equal(tryTakeLease(db, lease), false);

        await deposit("0.125");
        await deposit("1.0625");
        await waitForDeposits(4);
        const byHash = (a: { txHash: string }, b: { txHash: string }) => a.txHash.localeCompare(b.txHash);
        assert.deepEqual(indexedDeposits().sort(byHash), [...sent].sort(byHash));
      } finally {
        closeDatabase(db);
      }
    });
  });

  describe("a Safe registered while the indexers run", () => {
    let chain: TestChain;
    let schema: PostgresSchemaForTests;
    const processes: RunningProcess[] = [];

    before(async () => {
      ({ chain } = await startSlackWorld());
      schema = await postgresSchemaForTests("roles_new_safe");
    });
    after(async () => {
      await stopAll(processes);
      await chain?.stop();
      await schema?.drop();
    });

    it("is followed by exactly one of them without a restart, and its rows equal the chain's", async () => {
      const env = { DATABASE_URL: schema.url, RPC_URL: chain.node.url, DEPLOYMENT_FILE: chain.deploymentFile, LOG_LEVEL: "info", LEASE_RETRY_MS: "200", SAFES_REFRESH_MS: "200" };
      const indexers = [startRole("indexer", env), startRole("indexer", env)];
      processes.push(...indexers);
      for (const indexer of indexers) await indexer.waitForLine(/treasury indexer started/, 60_000);

      // A second Safe, created on the chain after the start, with a deposit before and one after its registration.
      const owners = [developmentAccount(6).address, developmentAccount(7).address];
      const created = await createSafe(chain.node.provider, { version: "1.4.1", flavour: "L2", owners, threshold: 1, saltNonce: 4242n });
      const wallet = createWalletClient({ account: developmentAccount(5), chain: hardhat, transport: custom(chain.node.provider) });
      const sent: Array<{ txHash: Hash; amount: bigint }> = [];
      const deposit = async (eth: string) => {
        const txHash = await wallet.sendTransaction({ to: created.address, value: parseEther(eth) });
        await chain.client.waitForTransactionReceipt({ hash: txHash });
        sent.push({ txHash, amount: parseEther(eth) });
      };
      await deposit("0.75");
      const db = openDatabase({ path: schema.url });
      try {
        const added = registerSafe(db, { chainId: chain.deployment.chainId, address: created.address, name: "late", now: Math.floor(Date.now() / 1000) });
        const lease = `indexer:${chain.deployment.chainId}:${created.address}`;
        const took = new RegExp(`"lease":"${lease}".*lease taken`);
        const until = Date.now() + 30_000;
        while (!indexers.some((indexer) => took.test(indexer.stdout())) && Date.now() < until) await new Promise((done) => setTimeout(done, 100));
        const holder = indexers.find((indexer) => took.test(indexer.stdout()));
        assert.ok(holder, "one indexer takes the new Safe's lease");
        // Both serve it (each would take it over from the other), one follows it.
        for (const indexer of indexers) await indexer.waitForLine(/a Safe registered since the start is served now/, 10_000);
        const other = indexers.find((indexer) => indexer !== holder)!;
        assert.doesNotMatch(other.stdout(), took);
        await deposit("0.0625");

        const safeDb = forSafe(db, added.id);
        const indexedDeposits = () => readHistory(safeDb, { kinds: ["deposit"] }).map((row) => ({ txHash: row.txHash, amount: row.amount }));
        const deadline = Date.now() + 30_000;
        while (indexedDeposits().length < sent.length && Date.now() < deadline) await new Promise((done) => setTimeout(done, 100));
        const byHash = (a: { txHash: string }, b: { txHash: string }) => a.txHash.localeCompare(b.txHash);
        assert.deepEqual(indexedDeposits().sort(byHash), [...sent].sort(byHash));
      } finally {
        closeDatabase(db);
      }
    });
  });
});
