import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { domainSeparator, getAddress, hashStruct, hashTypedData, type Address, type Hex } from "viem";
import { cliEnvironment, runCli } from "./run-cli.ts";
import { ana, keyOf, startTreasury, type TreasuryFixture } from "../../../core/proposals/setup.ts";
import { connectionOf } from "../../../../db/connection.ts";
import { acceptWarnings, WarningsNotAcceptedError } from "../../../../adapters/cli/commands/sign.ts";
import { safeTxTypes } from "../../../helpers/safe-tx-types.ts";

// Northwind's real address, and a look-alike with the same first and last four digits (address poisoning).
const northwind = getAddress("0x4e07aaaa2222bbbb3333cccc4444dddd5555a1b2");
const poisoned = getAddress("0x4e07abcd2222bbbb3339cccc4444eeee5555a1b2");

type ProposalJson = {
  safeTxHash: Hex;
  nonce: number;
  warnings: { code: string }[];
  safeTx: { to: Address; value: string; data: Hex; operation: number; safeTxGas: string; baseGas: string; gasPrice: string; gasToken: Address; refundReceiver: Address; nonce: string | number };
};

describe("treasury sign: shows what the review page shows, and stops at warnings", function () {
  this.timeout(120_000);
  let t: TreasuryFixture;
  let env: Record<string, string>;
  let proposal: ProposalJson;
  const keyFile = (index: number) => {
    const path = join(t.chain.dir, `sign-owner-${index}.key`);
    writeFileSync(path, `${keyOf(index)}\n`, { mode: 0o600 });
    return path;
  };
  const signaturesOf = (safeTxHash: string) =>
    (connectionOf(t.ctx.db).prepare("SELECT owner FROM signatures WHERE safe_tx_hash = ? ORDER BY owner").all(safeTxHash) as { owner: string }[]).map((row) => row.owner);

  const cli = (...args: string[]) => runCli(env, args);

  before(async () => {
    t = await startTreasury();
    env = cliEnvironment(t, "ana");
    const added = await cli("addressbook", "add", "Northwind Hosting", northwind);
    assert.equal(added.code, 0, added.err);
    const paid = await cli("pay", "240", "USDC", "to", poisoned, "--memo", "Hosting March", "--json");
    assert.equal(paid.code, 0, paid.err);
    proposal = JSON.parse(paid.out) as ProposalJson;
    assert.deepEqual(proposal.warnings.map((warning) => warning.code).sort(), ["first_payment_to_address", "lookalike_address"]);
  });
  after(() => t?.close());

  it("item 1: sign shows the transfer, the warnings by title with the look-alike compared digit by digit, the simulation and the hashes; without a terminal it refuses in one line", async () => {
    const refused = await cli("sign", proposal.safeTxHash, "--key-file", keyFile(1));
    assert.equal(refused.code, 1);
    const errLines = refused.err.trim().split("\n");
    assert.equal(errLines.length, 1, refused.err);
    assert.match(errLines[0], /^treasury: Not signed: this proposal has 2 warnings \(.*\); .*--accept-warnings\.$/);
    assert.deepEqual(signaturesOf(proposal.safeTxHash), [], "nothing was signed");

    const out = refused.out;
    // The decoded transfer: amount formatted, full payee address, the token's contract.
    const usdc = t.chain.deployment.tokens.find((token) => token.symbol === "USDC")!.address;
    assert.match(out, new RegExp(`^Transfer +240 USDC to an unlabelled address ${poisoned} \\(USDC contract ${usdc}\\)$`, "m"));
    // Warnings by their human titles, not codes.
    assert.match(out, /^Warning +First payment to this address$/m);
    assert.match(out, /^Warning +Looks like a known address$/m);
    assert.ok(!out.includes("first_payment_to_address") && !out.includes("lookalike_address"), "no warning codes");
    // The two addresses one above the other, with a ^ under each differing digit (computed here, without case).
    const lines = out.split("\n");
    const payeeLine = lines.findIndex((line) => line.includes("This payment goes to") && line.includes(poisoned));
    assert.ok(payeeLine > 0, out);
    const knownLine = lines[payeeLine + 1];
    assert.ok(knownLine.includes("Northwind Hosting") && knownLine.includes(northwind), knownLine);
    const column = lines[payeeLine].indexOf(poisoned);
    assert.equal(knownLine.indexOf(northwind), column, "the addresses are aligned");
    const expectedMarks = [...poisoned].map((character, index) => (character.toLowerCase() === northwind[index].toLowerCase() ? " " : "^")).join("").trimEnd();
    assert.equal(lines[payeeLine + 2].slice(column), expectedMarks);
    const differing = [...expectedMarks].filter((mark) => mark === "^").length;
    assert.equal(differing, 8, "bcd, 9 and eeee differ");
    assert.match(out, new RegExp(`${differing} of the 40 digits differ`));
    // The simulation, and the hashes to compare on a hardware wallet.
    assert.match(out, /^Simulation succeeds/m);
    const domain = { chainId: t.ctx.chainId, verifyingContract: t.ctx.safeAddress };
    const message = {
      ...proposal.safeTx,
      value: BigInt(proposal.safeTx.value),
      safeTxGas: BigInt(proposal.safeTx.safeTxGas),
      baseGas: BigInt(proposal.safeTx.baseGas),
      gasPrice: BigInt(proposal.safeTx.gasPrice),
      nonce: BigInt(proposal.safeTx.nonce),
    };
    const safeTxHash = hashTypedData({ domain, types: safeTxTypes, primaryType: "SafeTx", message });
    assert.equal(safeTxHash, proposal.safeTxHash);
    assert.match(out, new RegExp(`^safeTxHash ${safeTxHash}$`, "m"));
    assert.ok(out.includes(domainSeparator({ domain })), "domain hash shown");
    assert.ok(out.includes(hashStruct({ data: message, primaryType: "SafeTx", types: safeTxTypes })), "message hash shown");
  });

  it("item 1: sign --accept-warnings signs past the warnings, saying so", async () => {
    const signed = await cli("sign", proposal.safeTxHash, "--key-file", keyFile(1), "--accept-warnings");
    assert.equal(signed.code, 0, signed.err);
    assert.match(signed.err, /Signing despite 2 warnings \(--accept-warnings\): First payment to this address; Looks like a known address\./);
    assert.match(signed.out, /^Warning +Looks like a known address$/m, "the warnings are still shown");
    assert.match(signed.out, /Approved by .*: 1 of 2/);
    assert.deepEqual(signaturesOf(proposal.safeTxHash), [ana.address]);
  });

  it("item 10: sign, execute, reject and proposals show take the number (0, #0) or a unique safeTxHash prefix; proposals prints each review link", async () => {
    const shown = await cli("proposals", "show", `#${proposal.nonce}`);
    assert.equal(shown.code, 0, shown.err);
    assert.match(shown.out, new RegExp(`^safeTxHash ${proposal.safeTxHash}$`, "m"));
    const signed = await cli("sign", String(proposal.nonce), "--key-file", keyFile(2), "--accept-warnings");
    assert.equal(signed.code, 0, signed.err);
    assert.match(signed.out, /2 of 2; ready to execute/);
    const executed = await cli("execute", proposal.safeTxHash.slice(0, 8));
    assert.equal(executed.code, 0, executed.err);
    assert.match(executed.out, /^Executed: 0x[0-9a-f]{64}/);

    const next = await cli("pay", "12", "USDC", "to", "Northwind Hosting", "--memo", "Domain renewal", "--json");
    assert.equal(next.code, 0, next.err);
    const second = JSON.parse(next.out) as ProposalJson & { reviewToken: string };
    const listed = await cli("proposals");
    assert.equal(listed.code, 0, listed.err);
    const rows = connectionOf(t.ctx.db).prepare("SELECT safe_tx_hash, review_token FROM proposals").all() as { safe_tx_hash: string; review_token: string }[];
    assert.equal(rows.length, 2);
    for (const row of rows) {
      const line = listed.out.split("\n").find((candidate) => candidate.includes(row.safe_tx_hash));
      assert.ok(line?.trimEnd().endsWith(`http://127.0.0.1:3999/review/${row.review_token}`), `review link on the row of ${row.safe_tx_hash}:\n${listed.out}`);
    }
    const cancelled = await cli("reject", `#${second.nonce}`);
    assert.equal(cancelled.code, 0, cancelled.err);
    assert.match(cancelled.out, new RegExp(`Cancelled nonce ${second.nonce}`));

    const unknown = await cli("proposals", "show", "0x00c0ffee");
    assert.equal(unknown.code, 1);
    assert.equal(unknown.err.trim(), "treasury: No proposal's safeTxHash starts with 0x00c0ffee.");
    const tooShort = await cli("sign", "0x4", "--key-file", keyFile(1));
    assert.equal(tooShort.code, 1);
    assert.match(tooShort.err.trim(), /^treasury: "0x4" is too short to pick a proposal; give at least 4 hex digits of its safeTxHash, or its number\.$/);
  });

  it('item 1: on a terminal, sign asks and goes on only after "yes"', async () => {
    const warnings = { warnings: [{ code: "lookalike_address", title: "Looks like a known address", message: "m" }] } as never;
    const answer = async (typed: string | null) => {
      const input = new PassThrough();
      const output = new PassThrough();
      let asked = "";
      output.on("data", (chunk) => (asked += chunk));
      const decided = acceptWarnings(warnings, { terminal: true, input, output }).then(
        () => "signs",
        (error: unknown) => (error instanceof WarningsNotAcceptedError ? "refused" : Promise.reject(error)),
      );
      if (typed === null) input.end();
      else input.write(typed);
      return { outcome: await decided, asked };
    };
    const yes = await answer("yes\n");
    assert.equal(yes.outcome, "signs");
    assert.match(yes.asked, /1 warning \(above\)\. Type "yes" to sign anyway: /);
    assert.equal((await answer(" YES \n")).outcome, "signs");
    assert.equal((await answer("y\n")).outcome, "refused");
    assert.equal((await answer("\n")).outcome, "refused");
    assert.equal((await answer(null)).outcome, "refused", "end of input is a no");
    // No terminal and no flag: refused without asking; no warnings: nothing asked.
    const silent = new PassThrough();
    await assert.rejects(acceptWarnings(warnings, { terminal: false, input: new PassThrough(), output: silent }), WarningsNotAcceptedError);
    await acceptWarnings({ warnings: [] }, { terminal: false, input: new PassThrough(), output: silent });
    assert.equal(silent.read(), null);
  });
});
