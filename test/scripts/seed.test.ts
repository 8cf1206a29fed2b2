import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { entryPoints, runNode } from "../helpers/processes.ts";
import { countProposals, miniFixtureJson } from "../demo/mini-fixture.ts";
import { databaseEnvironment, testEngine } from "../helpers/database.ts";

/** `npm run seed -- --fixture F` as a person runs it: its own process, the configured paths. */
describe("npm run seed (scripts/seed.ts)", function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), "treasury-seed-cli-"));
  const fixtureFile = join(dir, "mini.json");
  // Made in `before`: on PostgreSQL the database's location needs the suite's set-up, which runs after files load.
  let env: ReturnType<typeof databaseEnvironment> & { DEPLOYMENT_FILE: string; CHAIN_JOURNAL_FILE: string };
  before(() => {
    env = {
      ...databaseEnvironment(join(dir, "data", "treasury.db")),
      DEPLOYMENT_FILE: join(dir, "data", "deployment.json"),
      CHAIN_JOURNAL_FILE: join(dir, "data", "chain-journal.jsonl"),
    };
    writeFileSync(fixtureFile, JSON.stringify(miniFixtureJson()));
  });

  const proposalCount = () => countProposals(env.DATABASE_PATH);

  it("replays a fixture into the configured database, deployment file and chain journal, with a line per event", async () => {
    const seed = runNode(entryPoints.seed, ["--fixture", fixtureFile], env);
    assert.equal(await seed.exited, 0, seed.stderr());
    const out = seed.stdout();
    assert.match(out, /^\[\s*\d+\.\ds\] 2026-01-05 received 40 ETH from Open Tools Grant Fund$/m);
    assert.match(out, /p039 rejected \(rejection executed by Ana Ruiz\)/);
    assert.match(out, /p041 cancelled by Eli Novak/);
    assert.match(out, /Done in [\d.]+ s: 3 deposits, 4 executed, 1 rejected, 1 cancelled, 1 pending proposals/);
    // The database file only on SQLite; on PostgreSQL the proposal count below reads the configured schema.
    const files = [env.DEPLOYMENT_FILE, env.CHAIN_JOURNAL_FILE, ...(testEngine === "sqlite" ? [env.DATABASE_PATH] : [])];
    for (const file of files) assert.ok(existsSync(file), `${file} exists`);
    assert.equal(proposalCount(), 8); // 7 proposals and the rejection of p039
  });

  it("refuses a database that already holds a treasury, with one line, and replaces it with --force", async () => {
    const refused = runNode(entryPoints.seed, ["--fixture", fixtureFile], env);
    assert.equal(await refused.exited, 1);
    assert.equal(refused.stderr().trim().split("\n").length, 1, refused.stderr());
    assert.match(refused.stderr(), /already holds a treasury; use --force/);
    assert.equal(proposalCount(), 8);

    const forced = runNode(entryPoints.seed, ["--fixture", fixtureFile, "--force", "--quiet"], env);
    assert.equal(await forced.exited, 0, forced.stderr());
    assert.doesNotMatch(forced.stdout(), /received 40 ETH/);
    assert.match(forced.stdout(), /Done in/);
    assert.equal(proposalCount(), 8);
  });

  it("names the problem in a broken fixture, with one line and exit code 1", async () => {
    const broken = join(dir, "broken.json");
    const json = miniFixtureJson() as { timeline: Array<Record<string, unknown>> };
    json.timeline[3] = { ...json.timeline[3], proposer: "zoe" };
    writeFileSync(broken, JSON.stringify(json));
    const run = runNode(entryPoints.seed, ["--fixture", broken, "--force"], { ...env, ...databaseEnvironment(join(dir, "other.db"))});
    assert.equal(await run.exited, 1);
    assert.match(run.stderr().trim(), /^seed: .*timeline\[3\] \(p001\): unknown member "zoe"\.$/);
  });
});
