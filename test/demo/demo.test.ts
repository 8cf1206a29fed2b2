import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { entryPoints, freePort, runNode, type RunningProcess } from "../helpers/processes.ts";
import { countProposals, miniFixtureJson } from "./mini-fixture.ts";
import { databaseEnvironment } from "../helpers/database.ts";

/** `npm start` on a fresh machine shows a living treasury: the demo fixture, replayed on the first run only. */
describe("npm start replays the demo on the first run (demo/demo.ts)", function () {
  this.timeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), "treasury-demo-"));
  let env: Record<string, string>;

  before(async () => {
    const fixtureFile = join(dir, "mini.json");
    writeFileSync(fixtureFile, JSON.stringify(miniFixtureJson()));
    env = {
      ...databaseEnvironment(join(dir, "treasury.db")),
      DEPLOYMENT_FILE: join(dir, "deployment.json"),
      CHAIN_JOURNAL_FILE: join(dir, "chain-journal.jsonl"),
      DEMO_FIXTURE: fixtureFile,
      PORT: "0",
      LOCAL_CHAIN_PORT: String(await freePort()),
    };
  });

  async function start(): Promise<{ service: RunningProcess; url: string }> {
    const service = runNode(entryPoints.service, [], env);
    const line = await service.waitForLine(/treasury service started/, 120_000);
    return { service, url: JSON.parse(line).url as string };
  }
  async function stop(service: RunningProcess) {
    service.child.kill("SIGTERM");
    assert.equal(await service.exited, 0, service.stderr());
  }
  async function status() {
    const run = runNode(entryPoints.cli, ["status", "--json"], env);
    assert.equal(await run.exited, 0, run.stderr());
    return JSON.parse(run.stdout()) as { owners: string[]; threshold: number; nonce: number; balances: { symbol: string; formatted: string }[] };
  }
  const proposalCount = () => countProposals(env.DATABASE_PATH);

  it("replays the demo into an empty database, then serves it; the next start brings the same treasury back without replaying", async () => {
    // A newcomer presses Ctrl-C while the demo is being replayed: the next start begins it again.
    const interrupted = runNode(entryPoints.service, [], env);
    await interrupted.waitForLine(/first run: replaying the demo treasury/, 120_000);
    interrupted.child.kill("SIGINT");
    await interrupted.exited;

    const first = await start();
    let before;
    try {
      assert.match(first.service.stdout(), /stopped before the demo treasury was ready; starting it over/);
      assert.match(first.service.stdout(), /first run: replaying the demo treasury/);
      assert.match(first.service.stdout(), /demo treasury ready/);
      assert.doesNotMatch(first.service.stdout(), /"msg":"proposal stored"/, "the replay's own lines stay out of the start-up log");
      const state = await status();
      assert.equal(state.owners.length, 4); // Dana joined in June
      assert.equal(state.threshold, 2);
      assert.equal(state.nonce, 5); // p001, p002, p029, p035 and p039's rejection
      assert.deepEqual(
        state.balances.map((balance) => `${balance.formatted} ${balance.symbol}`),
        ["40 ETH", "15320 USDC", "56500 DAI"],
      );
      before = await (await fetch(`${first.url}/healthz`)).json();
      // The chain's clock was moved to now after the replay: what happens next is dated today.
      const head = await (await fetch(`http://127.0.0.1:${env.LOCAL_CHAIN_PORT}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getBlockByNumber", params: ["latest", false] }),
      })).json();
      assert.ok(Math.abs(Number(head.result.timestamp) - Date.now() / 1000) < 300, "the head block is dated now");
    } finally {
      await stop(first.service);
    }
    assert.equal(proposalCount(), 8);

    const second = await start();
    try {
      assert.doesNotMatch(second.service.stdout(), /first run/);
      assert.doesNotMatch(second.service.stdout(), /rebuilding the chain mirror/);
      const after = await (await fetch(`${second.url}/healthz`)).json();
      assert.equal(after.safeAddress, before.safeAddress);
      assert.ok(after.latestBlock >= before.latestBlock);
      assert.equal((await status()).nonce, 5);
    } finally {
      await stop(second.service);
    }
    assert.equal(proposalCount(), 8);
  });
});
