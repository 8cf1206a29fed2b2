import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { developmentAccount } from "../../../../devchain/accounts.ts";
import { createSafe } from "../../../../devchain/create-safe.ts";
import { startLocalNode, type LocalNode } from "../../../../devchain/node.ts";
import { saveInstallation } from "../../../../db/installations.ts";
import { listSafes } from "../../../../db/safes.ts";
import { closeDatabase, databaseEnvironment, openDatabase } from "../../../helpers/database.ts";
import { runCli, type CliRun } from "./run-cli.ts";
import type { Address } from "viem";

const owners = [1, 2, 3].map((index) => developmentAccount(index).address);
const acmeInstalledAt = Date.UTC(2025, 0, 2, 3, 4);
const globexInstalledAt = Date.UTC(2025, 1, 3, 4, 5);

/**
 * The operator's commands for a deployment serving several Slack workspaces:
 * `treasury safes add --workspace`, `safes list`, `safes assign`, `workspaces`,
 * run as a person would against a local chain and a database where two
 * workspaces (Acme, Globex) installed the app.
 */
describe("treasury safes add/list/assign --workspace and treasury workspaces (adapters/cli/commands/safes.ts, workspaces.ts)", function () {
  this.timeout(180_000);
  let node: LocalNode;
  let dir: string;
  let path: string;
  let env: Record<string, string>;
  let home: Address;
  let acme: Address;
  let spare: Address;
  const cli = (...args: string[]) => runCli(env, args);
  const oneLine = (run: CliRun) => {
    assert.equal(run.code, 1, run.out);
    assert.equal(run.err.trim().split("\n").length, 1, run.err);
    return run.err.trim();
  };
  const registered = () => {
    const db = openDatabase({ path });
    try {
      return listSafes(db).map(({ name, address, workspace }) => ({ name, address, workspace }));
    } finally {
      closeDatabase(db);
    }
  };

  before(async () => {
    node = await startLocalNode({ port: 0 });
    for (let index = 0; index < 4; index++) await node.provider.request({ method: "evm_mine", params: [] } as never);
    const created: Address[] = [];
    for (const saltNonce of [1n, 2n, 3n]) created.push((await createSafe(node.provider, { version: "1.4.1", flavour: "L2", owners, threshold: 2, saltNonce })).address);
    [home, acme, spare] = created;
    dir = mkdtempSync(join(tmpdir(), "treasury-cli-workspaces-"));
    path = join(dir, "treasury.db");
    const db = openDatabase({ path });
    saveInstallation(db, { teamId: "TACME", teamName: "Acme", botToken: "xoxb-acme-secret", installation: { team: { id: "TACME" } } }, acmeInstalledAt);
    saveInstallation(db, { teamId: "TGLOBEX", teamName: "Globex", botToken: "xoxb-globex-secret", installation: { team: { id: "TGLOBEX" } } }, globexInstalledAt);
    closeDatabase(db);
    env = { RPC_URL: node.url, ...databaseEnvironment(path), DEPLOYMENT_FILE: join(dir, "none.json"), LOG_LEVEL: "silent" };
  });
  after(async () => {
    await node?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("adds a Safe for the home workspace and one for an installed workspace (by team id or name), both called main", async () => {
    const first = await cli("safes", "add", home);
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /^Added "main": Safe 0x/, "no --workspace: the home workspace, not mentioned");
    const firstAgain = await cli("safes", "add", home, "--workspace", "home");
    assert.match(firstAgain.out, /already a Safe of this treasury, named "main", in workspace home\.$/m);
    const second = await cli("safes", "add", acme, "--workspace", "acme");
    assert.equal(second.code, 0, second.err);
    assert.match(second.out, /^Added "main" to workspace TACME \(Acme\): Safe 0x/);
    const again = await cli("safes", "add", acme, "--workspace", "TGLOBEX");
    assert.equal(again.code, 0, again.err);
    assert.equal(again.out.trim(), `${acme} on chain 31337 is already a Safe of this treasury, named "main", in workspace TACME (Acme); move it with \`treasury safes assign main --workspace TGLOBEX\`.`);
    assert.deepEqual(registered(), [
      { name: "main", address: home, workspace: "" },
      { name: "main", address: acme, workspace: "TACME" },
    ]);
  });

  it("refuses a workspace that did not install the app, and a name the workspace already has, with one line each; nothing is added", async () => {
    assert.equal(
      oneLine(await cli("safes", "add", spare, "--workspace", "TNOPE")),
      'treasury: No workspace "TNOPE" has installed the app here (installed: TACME (Acme), TGLOBEX (Globex)): install it from that workspace through the app\'s /slack/install page first, or use --workspace home.',
    );
    assert.match(oneLine(await cli("safes", "add", spare, "--workspace", "TACME", "--name", "MAIN")), new RegExp(`^treasury: The name "MAIN" is taken in workspace TACME by the Safe ${acme} on chain 31337; choose another with --name\\.$`));
    assert.equal(registered().length, 2);
  });

  it("lists each Safe with its workspace (team name from the installation), in the table and as JSON", async () => {
    const table = await cli("safes", "list");
    assert.equal(table.code, 0, table.err);
    const lines = table.out.trim().split("\n");
    assert.match(lines[0], /^Name +Workspace +Chain +Address/);
    assert.match(lines[1], new RegExp(`^main +home +31337 +${home}`));
    assert.match(lines[2], new RegExp(`^main +TACME \\(Acme\\) +31337 +${acme}`));
    const json = await cli("safes", "list", "--json");
    assert.equal(json.code, 0, json.err);
    assert.deepEqual(
      (JSON.parse(json.out) as { name: string; workspace: string; workspaceName: string }[]).map(({ name, workspace, workspaceName }) => ({ name, workspace, workspaceName })),
      [
        { name: "main", workspace: "", workspaceName: "home" },
        { name: "main", workspace: "TACME", workspaceName: "TACME (Acme)" },
      ],
    );
  });

  it("never picks one of two workspaces' Safes of the same name: --safe main refuses, naming the workspaces", async () => {
    assert.equal(
      oneLine(await cli("history", "--safe", "main")),
      `treasury: 2 Safes are called "main", in the home workspace, workspace TACME: name the one you mean by its address (${home}, ${acme}).`,
    );
    assert.equal(oneLine(await cli("history")), "treasury: This treasury runs 2 Safes (main (home), main (TACME)): say which with --safe <name>.");
    const byAddress = await cli("history", "--safe", acme, "--json");
    assert.equal(byAddress.code, 0, byAddress.err);
    assert.deepEqual(JSON.parse(byAddress.out), [], "the address names one Safe (with no history yet)");
  });

  it("moves a Safe to another workspace with `safes assign`, and refuses an unknown Safe, an ambiguous name, or a name taken there", async () => {
    assert.match(oneLine(await cli("safes", "assign", "main", "--workspace", "TGLOBEX")), /^treasury: 2 Safes are called "main"/);
    assert.equal(oneLine(await cli("safes", "assign", "payroll", "--workspace", "home")), 'treasury: No Safe is called "payroll" here; the Safes are: main (home), main (TACME).');
    assert.match(oneLine(await cli("safes", "assign", acme, "--workspace", "TNOPE")), /^treasury: No workspace "TNOPE" has installed the app here/);
    assert.match(oneLine(await cli("safes", "assign", acme, "--workspace", "home")), new RegExp(`^treasury: The name "main" is taken in the home workspace by the Safe ${home} on chain 31337; rename one of them first\\.$`));

    const moved = await cli("safes", "assign", acme.toLowerCase(), "--workspace", "Globex");
    assert.equal(moved.code, 0, moved.err);
    assert.equal(moved.out.trim(), `Moved "main" (${acme}) from workspace TACME (Acme) to TGLOBEX (Globex).`);
    const still = await cli("safes", "assign", acme, "--workspace", "TGLOBEX");
    assert.equal(still.out.trim(), `"main" is already in workspace TGLOBEX (Globex); nothing changed.`);
    assert.deepEqual(registered(), [
      { name: "main", address: home, workspace: "" },
      { name: "main", address: acme, workspace: "TGLOBEX" },
    ]);
  });

  it("lists the workspaces with their Safes and when each installed the app, never a token", async () => {
    const json = await cli("workspaces", "--json");
    assert.equal(json.code, 0, json.err);
    assert.deepEqual(JSON.parse(json.out), [
      { teamId: "", teamName: null, installedAt: null, safes: [{ name: "main", chainId: 31337, address: home }] },
      { teamId: "TACME", teamName: "Acme", installedAt: new Date(acmeInstalledAt).toISOString(), safes: [] },
      { teamId: "TGLOBEX", teamName: "Globex", installedAt: new Date(globexInstalledAt).toISOString(), safes: [{ name: "main", chainId: 31337, address: acme }] },
    ]);
    const table = await cli("workspaces");
    assert.equal(table.code, 0, table.err);
    assert.deepEqual(
      table.out.trim().split("\n").map((line) => line.split(/ {2,}/)),
      [
        ["Workspace", "Name", "Installed", "Safes"],
        ["home", "(SLACK_BOT_TOKEN's)", "main"],
        ["TACME", "Acme", "2025-01-02 03:04", "none yet"],
        ["TGLOBEX", "Globex", "2025-02-03 04:05", "main"],
      ],
    );
    for (const run of [json, table]) assert.ok(!run.out.includes("xoxb"), "no bot token is printed");
  });
});
