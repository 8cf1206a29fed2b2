import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { getAddress, parseUnits } from "viem";
import { erc20Abi } from "../../../../core/tokens.ts";
import { cliEnvironment, runCli } from "./run-cli.ts";
import { keyOf, startTreasury, type TreasuryFixture } from "../../../core/proposals/setup.ts";
import { connectionOf } from "../../../../db/connection.ts";

const acme = getAddress("0x1111aaaa2222bbbb3333cccc4444dddd5555eeee");
const blue = getAddress("0x9999aaaa2222bbbb3333cccc4444dddd5555ffff");
const harbour = getAddress("0x7777aaaa2222bbbb3333cccc4444dddd5555cccc");

/** The `treasury` CLI commands pay, proposals, sign, execute, reject and addressbook, run as a person would. */
describe("treasury CLI: pay, proposals, sign, execute, reject, addressbook", function () {
  this.timeout(120_000);
  let t: TreasuryFixture;
  let env: Record<string, string>;

  const cli = (...args: string[]) => runCli(env, args);

  before(async () => {
    t = await startTreasury();
    env = cliEnvironment(t, "ana");
  });
  after(() => t?.close());

  it("adds and lists payees", async () => {
    const added = await cli("addressbook", "add", "Acme Design Studio", acme.toLowerCase(), "--category", "design");
    assert.equal(added.code, 0, added.err);
    assert.match(added.out, /Added Acme Design Studio: 0x1111Aaaa/);
    const listed = await cli("addressbook", "list");
    assert.match(listed.out, /Acme Design Studio\s+0x1111Aaaa\S+\s+design\s+-\s+ana/);
  });

  it("proposes, signs from key files, executes, and lists; refuses bad input with one line", async () => {
    const paid = await cli("pay", "250", "USDC", "to", "Acme", "Design", "Studio", "--memo", "Logo INV-7", "--json");
    assert.equal(paid.code, 0, paid.err);
    const proposal = JSON.parse(paid.out) as { safeTxHash: string; nonce: number; proposer: string; warnings: { code: string }[] };
    assert.equal(proposal.proposer, "ana");
    assert.deepEqual(proposal.warnings.map((warning) => warning.code), ["first_payment_to_address"]);

    const bad = await cli("pay", "1,5", "USDC", "to", "Acme Design Studio");
    assert.equal(bad.code, 1);
    assert.equal(bad.err.trim(), 'treasury: The amount "1,5" has a comma; use a dot for decimals and no thousands separator.');

    for (const index of [1, 2]) {
      const keyFile = join(t.chain.dir, `owner-${index}.key`);
      writeFileSync(keyFile, `${keyOf(index)}\n`, { mode: 0o600 });
      const signed = await cli("sign", proposal.safeTxHash, "--key-file", keyFile, "--accept-warnings");
      assert.equal(signed.code, 0, signed.err);
      assert.match(signed.out, index === 1 ? /1 of 2/ : /2 of 2; ready to execute/);
      assert.ok(!signed.out.includes(keyOf(index).slice(2)), "the key is never printed");
    }
    const executed = await cli("execute", proposal.safeTxHash);
    assert.equal(executed.code, 0, executed.err);
    assert.match(executed.out, /^Executed: 0x[0-9a-f]{64}/);
    const usdc = t.chain.deployment.tokens[0].address;
    assert.equal(await t.ctx.client.readContract({ address: usdc, abi: erc20Abi, functionName: "balanceOf", args: [acme] }), parseUnits("250", 6));

    const listed = await cli("proposals");
    assert.match(listed.out, /^NONCE\s+STATUS/);
    assert.match(listed.out, /0\s+executed\s+2\/2\s+250 USDC to Acme Design Studio\s+Logo INV-7/);
  });

  it("pays a batch from a CSV, and cancels it with reject while nobody signed", async () => {
    const csv = join(t.chain.dir, "payouts.csv");
    const added = await cli("addressbook", "add", "Harbour & Co, LLC", harbour);
    assert.equal(added.code, 0, added.err);
    writeFileSync(csv, `amount,token,payee\n10,USDC,Acme Design Studio\n0.5,DAI,${blue}\n0.01,ETH,${blue.toLowerCase()}\n7.25,USDC,"Harbour & Co, LLC"\n`);
    const paid = await cli("pay", "--csv", csv, "--memo", "March payouts", "--json");
    assert.equal(paid.code, 0, paid.err);
    const batch = JSON.parse(paid.out) as { safeTxHash: string; transfers: { to: string; amount: string }[]; safeTx: { operation: number } };
    assert.equal(batch.transfers.length, 4);
    assert.deepEqual([batch.transfers[3].to, batch.transfers[3].amount], [harbour, parseUnits("7.25", 6).toString()], "the quoted payee with a comma is one payee");
    assert.equal(batch.safeTx.operation, 1);
    const rejected = await cli("reject", batch.safeTxHash);
    assert.equal(rejected.code, 0, rejected.err);
    assert.match(rejected.out, /Cancelled nonce 1/);
    const statuses = connectionOf(t.ctx.db).prepare("SELECT status FROM proposals ORDER BY nonce DESC").all() as { status: string }[];
    assert.deepEqual(statuses.map((row) => row.status), ["cancelled", "executed"]);
  });
});
