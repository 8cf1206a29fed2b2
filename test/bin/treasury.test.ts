import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createModuleProbe, packagesOf, typeScriptAtRunTime } from "../helpers/module-probe.ts";
import { entryPoints, runNode } from "../helpers/processes.ts";
import { replayedFixture, type ReplayedFixture } from "../helpers/replayed-fixture.ts";
import { questionsPath } from "../search/fixture-db.ts";
import { statesNumber } from "../helpers/fixture-truth.ts";
import { databaseEnvironment } from "../helpers/database.ts";
import { copyTestDatabase } from "../helpers/copy-database.ts";

/** Packages only some commands need; a command that does not need one must not pay for loading it. */
const heavyPackages = [
  "hardhat",
  "@nomicfoundation/edr",
  "@slack/bolt",
  "@slack/web-api",
  "@energetic-ai/embeddings",
  "@safe-global/protocol-kit",
  "openai",
  "esbuild",
  "playwright-core",
  "tsx",
];

/** The `treasury` command as a person runs it: `bin/treasury.js`, which runs the CLI compiled into dist/. */
describe("treasury command (bin/treasury.js): compiled ahead of time, loading only what a command needs", function () {
  this.timeout(300_000);

  it("`treasury --help` lists every command, loading only commander and the command table, with no TypeScript loader", async () => {
    const probe = createModuleProbe();
    const help = runNode(entryPoints.cli, ["--help"], probe.env, { nodeArgs: probe.nodeArgs });
    assert.equal(await help.exited, 0, help.stderr());
    for (const command of ["status", "pay", "proposals", "sign", "execute", "reject", "addressbook", "ask", "search", "index", "history", "export"])
      assert.match(help.stdout(), new RegExp(`^  ${command} `, "m"), `--help lists ${command}`);

    const probed = probe.read();
    assert.deepEqual(typeScriptAtRunTime(probed), []);
    assert.deepEqual(packagesOf(probed.modules), ["commander"]);
    const ours = probed.modules.filter((path) => !path.startsWith("node:") && !path.includes("node_modules/"));
    assert.deepEqual(ours.sort(), [
      "bin/build-state.js",
      "bin/run-built.js",
      "bin/treasury.js",
      "dist/adapters/cli/command-table.js",
      "dist/adapters/cli/connections.js",
      "dist/adapters/cli/main.js",
      "dist/app/cli-connections.js",
      "dist/app/cli.js",
      "dist/core/errors.js",
    ]);
  });

  describe("on the replayed fixture", () => {
    let replayed: ReplayedFixture;
    let dir: string;
    let databasePath: string;

    before(async () => {
      replayed = await replayedFixture();
      // `ask` refreshes the search rows, so it gets a copy of the shared database.
      dir = mkdtempSync(join(tmpdir(), "treasury-bin-"));
      databasePath = join(dir, "treasury.db");
      copyTestDatabase(replayed.dbPath, databasePath);
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("`treasury ask` answers from the database with no chain, Hardhat, Slack, LLM client or TypeScript loader loaded", async () => {
      const [question] = JSON.parse(readFileSync(questionsPath, "utf8")) as { q: string; numbers: number[]; mentions: string[] }[];
      const probe = createModuleProbe();
      // No chain runs: RPC_URL points at a closed port, and nothing may try it.
      const env = { ...probe.env, ...databaseEnvironment(databasePath), RPC_URL: "http://127.0.0.1:9", LOG_LEVEL: "silent" };
      const asked = runNode(entryPoints.cli, ["ask", question.q], env, { nodeArgs: probe.nodeArgs });
      assert.equal(await asked.exited, 0, asked.stderr());
      for (const number of question.numbers) assert.ok(statesNumber(asked.stdout(), String(number)), `"${question.q}" should mention ${number}:\n${asked.stdout()}`);
      for (const word of question.mentions) assert.match(asked.stdout(), new RegExp(word, "i"));

      const probed = probe.read();
      assert.deepEqual(typeScriptAtRunTime(probed), []);
      assert.deepEqual(packagesOf(probed.modules).filter((name) => heavyPackages.includes(name)), []);
      assert.ok(probed.modules.includes("dist/assistant/ask.js"), "the assistant ran from dist/");
    });
  });
});
