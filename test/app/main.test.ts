import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createModuleProbe, packagesOf, typeScriptAtRunTime, type ModuleProbe } from "../helpers/module-probe.ts";
import { entryPoints, freePort, runNode, type RunningProcess } from "../helpers/processes.ts";
import { developmentAccount, developmentPrivateKey } from "../../devchain/accounts.ts";
import { closeDatabase, databaseEnvironment, openReadOnlyDatabase, testEngine } from "../helpers/database.ts";
import { pgvectorOffer } from "../../db/pgvector.ts";

/** Whether the tests' PostgreSQL server offers the pgvector extension (read through the database at `path`). */
function pgvectorIsOffered(path: string): boolean {
  const db = openReadOnlyDatabase({ path });
  try {
    return pgvectorOffer(db).offered;
  } finally {
    closeDatabase(db);
  }
}

/** `npm start` as a newcomer runs it: a separate process on the embedded defaults, compiled ahead of time (dist/app/main.js). */
describe("npm start (app/main.ts)", function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), "treasury-main-"));
  let chainPort: number;
  let env: Record<string, string>;

  before(async () => {
    chainPort = await freePort();
    env = {
      ...databaseEnvironment(join(dir, "treasury.db")),
      DEPLOYMENT_FILE: join(dir, "deployment.json"),
      CHAIN_JOURNAL_FILE: join(dir, "chain-journal.jsonl"),
      DEMO_FIXTURE: "none",
      PORT: "0",
      LOCAL_CHAIN_PORT: String(chainPort),
    };
  });

  async function start(extra: Record<string, string> = {}, probe?: ModuleProbe): Promise<{ service: RunningProcess; url: string }> {
    const service = runNode(entryPoints.service, [], { ...env, ...extra, ...probe?.env }, { nodeArgs: probe?.nodeArgs });
    const line = await service.waitForLine(/treasury service started/, 90_000);
    return { service, url: JSON.parse(line).url as string };
  }

  async function stop(service: RunningProcess, signal: NodeJS.Signals) {
    service.child.kill(signal);
    const code = await service.exited;
    assert.equal(code, 0, `exit code; stderr: ${service.stderr()}`);
    assert.doesNotMatch(service.stderr(), /\n\s+at /, "no stack trace");
    assert.match(service.stdout(), /treasury service stopped/);
  }

  it("serves /healthz and /metrics, answers `treasury status --json`, and stops cleanly on SIGTERM", async () => {
    const { service, url } = await start();
    try {
      const health = await (await fetch(`${url}/healthz`)).json();
      assert.equal(health.ok, true);
      assert.equal(health.chainId, 31337);
      assert.match(health.safeAddress, /^0x[0-9a-fA-F]{40}$/);
      assert.ok(health.latestBlock > 0);
      assert.equal(health.database, "ok");
      // The engine the tests run on (TEST_DATABASE); for vectors, pgvector where the PostgreSQL server offers it, else the in-process index.
      assert.equal(health.storage.engine, testEngine);
      const offered = testEngine === "postgres" && pgvectorIsOffered(join(dir, "treasury.db"));
      // (The offline model has 512 dimensions: HNSW once the embedding worker has recorded it.)
      assert.match(health.storage.vectorSearch, offered ? /^pgvector \((hnsw|no vectors yet)\)$/ : /^in-process binary index$/);
      if (testEngine === "postgres") assert.equal(health.storage.pgvector, offered ? "in use" : "not available");

      const metrics = await (await fetch(`${url}/metrics`)).text();
      assert.match(metrics, /# TYPE treasury_http_requests_total counter/);
      assert.match(metrics, /treasury_process_resident_memory_bytes/);

      const status = runNode(entryPoints.cli, ["status", "--json"], env);
      assert.equal(await status.exited, 0, status.stderr());
      const state = JSON.parse(status.stdout());
      assert.equal(state.safeAddress, health.safeAddress);
      assert.equal(state.owners.length, 3);
      assert.equal(state.threshold, 2);
      assert.deepEqual(
        state.balances.map((balance: { symbol: string; formatted: string }) => [balance.symbol, balance.formatted]),
        [["ETH", "100"], ["USDC", "100000"], ["DAI", "100000"]],
      );
      for (const line of service.stdout().trim().split("\n")) JSON.parse(line); // every log line is JSON
    } finally {
      if (service.child.exitCode === null) await stop(service, "SIGTERM");
    }
  });

  it("runs compiled, with no TypeScript loader; loads Hardhat only for the embedded chain, and Bolt, esbuild, the LLM client and the Transaction Service's kits not at all without them", async () => {
    const embeddedProbe = createModuleProbe();
    const embedded = await start({}, embeddedProbe);
    const remoteProbe = createModuleProbe();
    let remote: { service: RunningProcess; url: string } | undefined;
    try {
      // A second service on the first one's chain, through RPC_URL: it must not start (or load) a chain of its own.
      const remoteDir = mkdtempSync(join(tmpdir(), "treasury-main-rpc-"));
      remote = await start(
        { RPC_URL: `http://127.0.0.1:${chainPort}`, ...databaseEnvironment(join(remoteDir, "treasury.db")), CHAIN_JOURNAL_FILE: join(remoteDir, "journal.jsonl") },
        remoteProbe,
      );
      const health = await (await fetch(`${remote.url}/healthz`)).json();
      assert.equal(health.ok, true);
    } finally {
      if (remote) await stop(remote.service, "SIGTERM");
      await stop(embedded.service, "SIGTERM");
    }
    const neverWithoutTheirPart = ["@slack/bolt", "esbuild", "openai", "playwright-core", "tsx", "@safe-global/api-kit", "@safe-global/protocol-kit"];
    for (const [name, probed, chain] of [["embedded chain", embeddedProbe.read(), true], ["RPC_URL", remoteProbe.read(), false]] as const) {
      assert.deepEqual(typeScriptAtRunTime(probed), [], name);
      assert.ok(probed.modules.includes(entryPoints.service), `${name}: ran ${entryPoints.service}`);
      const packages = packagesOf(probed.modules);
      assert.deepEqual(packages.filter((pkg) => neverWithoutTheirPart.includes(pkg)), [], name);
      assert.equal(packages.includes("hardhat"), chain, `${name}: Hardhat loaded only for the embedded chain`);
    }
  });

  it("comes back with the same chain on the next start (SIGINT), without deploying again", async () => {
    const first = await start();
    const before = await (await fetch(`${first.url}/healthz`)).json();
    await stop(first.service, "SIGINT");

    const second = await start();
    try {
      assert.match(second.service.stdout(), /demo Safe reused/);
      assert.doesNotMatch(second.service.stdout(), /rebuilding the chain mirror/);
      const after = await (await fetch(`${second.url}/healthz`)).json();
      assert.equal(after.safeAddress, before.safeAddress);
      assert.equal(after.latestBlock, before.latestBlock);
    } finally {
      await stop(second.service, "SIGTERM");
    }
  });

  async function refusal(extra: Record<string, string>): Promise<string> {
    const service = runNode(entryPoints.service, [], { ...env, ...extra });
    assert.equal(await service.exited, 1);
    const stderr = service.stderr().trim();
    assert.equal(stderr.split("\n").length, 1, `one line, got:\n${stderr}`);
    assert.doesNotMatch(stderr, /\s+at /);
    return stderr;
  }

  it("refuses bad configuration with one clear line and exit code 1", async () => {
    assert.match(await refusal({ RPC_URL: "localhost-8545" }), /RPC_URL .* is not a URL/);
    assert.match(await refusal({ SAFE_ADDRESS: "0xnot-an-address" }), /SAFE_ADDRESS .* is not an address/);
  });

  it("item 7: refuses to start, in one line and exit code 1, when the relayer key (RELAYER_PRIVATE_KEY) is a current owner's", async () => {
    // The embedded demo Safe's owners are development accounts 1 to 3.
    const owner = developmentAccount(1);
    const refused = await refusal({ RELAYER_PRIVATE_KEY: developmentPrivateKey(1) });
    assert.match(refused, new RegExp(`^treasury: The relayer ${owner.address} \\(RELAYER_PRIVATE_KEY\\) is an owner of the Safe 0x[0-9a-fA-F]{40}; use a key that only pays gas`));
  });

  it("refuses a port in use with one clear line and exit code 1", async () => {
    const blocker = createServer();
    const port = await new Promise<number>((done) =>
      blocker.listen(0, "127.0.0.1", () => done((blocker.address() as { port: number }).port)),
    );
    try {
      assert.match(await refusal({ PORT: String(port) }), new RegExp(`PORT ${port} is in use`));
    } finally {
      blocker.close();
    }
  });
});
