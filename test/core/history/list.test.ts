import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseEther, parseUnits, type Address } from "viem";
import { parseDateOption } from "../../../adapters/cli/commands/history.ts";
import { cliConnections } from "../../../app/cli-connections.ts";
import { createIndexer } from "../../../indexer/indexer.ts";
import { csvField, exportHistoryCsv } from "../../../core/history/csv.ts";
import { listHistory } from "../../../core/history/list.ts";
import { developmentAccount } from "../../../devchain/accounts.ts";
import type { TreasuryContext } from "../../../core/context.ts";
import { startTestChain, type TestChain } from "../../helpers/chain.ts";
import { createTestContext } from "../../helpers/context.ts";
import { erc20Transfer, execSafeTx, multiSend, selfCall, wallet } from "../../indexer/safe-helpers.ts";
import { connectionOf } from "../../../db/connection.ts";
import { closeDatabase } from "../../../db/open.ts";
import { openReadOnlyDatabase, databaseEnvironment } from "../../helpers/database.ts";
import { onlySafe } from "../../helpers/safe-database.ts";

const run = promisify(execFile);
const [ana, ben, dana] = [1, 2, 4].map((index) => developmentAccount(index));
const acme: Address = "0xd0D87b91703CA512f7c4aD24FDA3B97130c3367d";
const printer: Address = "0x4444444444444444444444444444444444444444";
const two = [{ account: ana, method: "typed" as const }, { account: ben, method: "typed" as const }];
const day = (iso: string) => Math.floor(Date.parse(`${iso}T12:00:00Z`) / 1000);

describe("history and export (core/history)", function () {
  this.timeout(120_000);
  let chain: TestChain;
  let ctx: TreasuryContext;
  let databasePath: string;
  let paid: { safeTxHash: string; txHash: string };
  let rejection: { safeTxHash: string; txHash: string };
  let cliIndex: { stdout: string; stderr: string };

  before(async () => {
    chain = await startTestChain({ initialFunds: null });
    const setTime = (iso: string) => chain.node.provider.request({ method: "evm_setNextBlockTimestamp", params: [day(iso)] } as never);
    const usdc = chain.deployment.tokens[0];
    await setTime("2027-02-02");
    const deposit = await wallet(chain, 6).sendTransaction({ to: chain.deployment.safe.address, value: parseEther("10") });
    await chain.client.waitForTransactionReceipt({ hash: deposit });
    await setTime("2027-02-03");
    const mint = await wallet(chain, 0).writeContract({ address: usdc.address, abi: (await import("../../../core/tokens.ts")).erc20Abi, functionName: "mint", args: [chain.deployment.safe.address, parseUnits("5000", 6)] });
    await chain.client.waitForTransactionReceipt({ hash: mint });
    await setTime("2027-03-10");
    paid = await execSafeTx(chain, erc20Transfer(usdc.address, acme, parseUnits("1750.5", 6)), two);
    await setTime("2027-04-01");
    await execSafeTx(chain, multiSend(chain, [{ to: printer, value: parseEther("0.25") }, erc20Transfer(usdc.address, acme, parseUnits("20", 6))]), two);
    await setTime("2027-04-20");
    await execSafeTx(chain, selfCall(chain, "addOwnerWithThreshold", [dana.address, 2n]), two);
    // The Safe's own rejection of nonce 3: a zero-value call to itself, with no data (its receive() logs SafeReceived of 0).
    await setTime("2027-05-02");
    rejection = await execSafeTx(chain, { to: chain.deployment.safe.address, value: 0n, data: "0x" }, two);

    ctx = createTestContext(chain, { databaseFile: "history.db" });
    databasePath = ctx.config.DATABASE_PATH;
    await createIndexer({ ctx, progress: "off" }).runOnce();
    // What the workflow knows: the payee's label and the proposal's memo.
    const now = Math.floor(Date.now() / 1000);
    connectionOf(ctx.db)
      .prepare("INSERT INTO address_book (workspace, address, label, category, kind, added_by, created_at) VALUES ('', ?, ?, 'design', 'vendor', 'test', ?)")
      .run(acme, "Acme Design Studio", now);
    connectionOf(ctx.db)
      .prepare(
        `INSERT INTO proposals (safe_id, safe_tx_hash, chain_id, safe_address, nonce, to_address, value, data, operation, proposer, memo, status, review_token, created_at, updated_at)
         VALUES (1, ?, 31337, ?, 0, ?, '0', '0x', 0, 'ana', ?, 'executed', 'token-1', ?, ?)`,
      )
      .run(paid.safeTxHash, chain.deployment.safe.address, usdc.address, "=invoice INV-7, logo work", now, now);
    closeDatabase(ctx.db);
    // The indexer on its own, from the command line, into another database.
    cliIndex = await run(process.execPath, [join(process.cwd(), "bin", "treasury.js"), "index", "--once"], {
      env: { ...process.env, RPC_URL: chain.node.url, ...databaseEnvironment(join(chain.dir, "cli.db")), DEPLOYMENT_FILE: chain.deploymentFile, LOG_LEVEL: "silent" },
    });
    await chain.stop(); // history and export must not need a chain
  });

  it("lists payments, deposits, owner changes and rejections in time order, with decimals, memo and labels, by period", async () => {
    const db = onlySafe(openReadOnlyDatabase({ path: databasePath }));
    try {
      const all = listHistory(db);
      assert.deepEqual(
        all.map((entry) => [entry.kind, entry.symbol, entry.formatted, entry.counterpartyLabel ?? entry.counterparty]),
        [
          ["owner_change", null, null, null],
          ["deposit", "ETH", "10", developmentAccount(6).address],
          ["deposit", "USDC", "5000", "0x0000000000000000000000000000000000000000"],
          ["payment", "USDC", "1750.5", "Acme Design Studio"],
          ["payment", "ETH", "0.25", printer],
          ["payment", "USDC", "20", "Acme Design Studio"],
          ["owner_change", null, null, dana.address],
          ["rejection", null, null, null],
        ],
      );
      const payment = all[3];
      assert.equal(payment.amount, 1_750_500_000n);
      assert.equal(payment.decimals, 6);
      assert.equal(payment.memo, "=invoice INV-7, logo work");
      assert.equal(payment.safeTxHash, paid.safeTxHash);
      assert.equal(all[6].description, `Owner added: ${dana.address}`);
      assert.equal(all[6].nonce, 2);
      assert.ok(all.every((entry, index) => index === 0 || entry.time >= all[index - 1].time));

      const march = listHistory(db, { since: Date.parse("2027-03-01T00:00:00Z") / 1000, until: Date.parse("2027-03-31T23:59:59Z") / 1000 });
      assert.deepEqual(march.map((entry) => entry.formatted), ["1750.5"]);

      const csv = exportHistoryCsv(db).trimEnd().split("\n");
      assert.equal(csv[0], "date,direction,kind,counterparty,token,amount,category,proposal,memo,tx_hash,safe_tx_hash");
      assert.equal(csv.length, 1 + 5 + 1, "payments, deposits and the rejection");
      // The payment has no category of its own: the payee's address-book category is used. It ran as the Safe's nonce 0.
      assert.equal(csv[3], `2027-03-10T12:00:00Z,out,payment,Acme Design Studio,USDC,1750.5,design,#0,"'=invoice INV-7, logo work",${paid.txHash},${paid.safeTxHash}`);
      assert.match(csv[6], new RegExp(`^2027-05-02T12:00:00Z,,rejection,,,,,#3,Rejection of nonce 3 \\(nothing was paid; the nonce is used up\\),${rejection.txHash},${rejection.safeTxHash}$`));
    } finally {
      closeDatabase(db);
    }
  });

  it("`treasury index --once` backfills to the head and says how far it got", async () => {
    assert.match(cliIndex.stdout, /^Indexed up to block \d+ \(head \d+\): \d+ events in \d+ batches/);
    const db = onlySafe(openReadOnlyDatabase({ path: join(chain.dir, "cli.db") }));
    try {
      assert.equal(listHistory(db).length, 8);
    } finally {
      closeDatabase(db);
    }
  });

  it("escapes CSV fields and keeps spreadsheet formulas out", () => {
    assert.equal(csvField("plain"), "plain");
    assert.equal(csvField('say "hi", ok'), '"say ""hi"", ok"');
    assert.equal(csvField("+1 555"), "'+1 555");
    assert.equal(csvField("@SUM(A1)"), "'@SUM(A1)");
    // Every character a spreadsheet starts a formula with, also after blanks, is neutralised.
    for (const dangerous of ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", "  =1+1", "\n-2"])
      assert.ok(csvField(dangerous).replace(/^"/, "").startsWith("'"), JSON.stringify(dangerous));
  });

  it("`treasury history` and `treasury export --csv` work from the database alone, with no chain running", async () => {
    const env = { ...process.env, ...databaseEnvironment(databasePath), RPC_URL: "http://127.0.0.1:9", DEPLOYMENT_FILE: join(chain.dir, "none.json"), LOG_LEVEL: "silent" };
    const bin = join(process.cwd(), "bin", "treasury.js");
    const history = await run(process.execPath, [bin, "history", "--since", "2027-03-01", "--until", "2027-04-01", "--json"], { env });
    const entries = JSON.parse(history.stdout) as { kind: string; amount: string; date: string }[];
    assert.deepEqual(entries.map((entry) => [entry.kind, entry.amount]), [
      ["payment", "1750500000"],
      ["payment", "250000000000000000"],
      ["payment", "20000000"],
    ]);
    const table = await run(process.execPath, [bin, "history"], { env });
    assert.match(table.stdout, /paid\s+1,750\.5 USDC\s+Acme Design Studio\s+=invoice INV-7, logo work/);
    assert.match(table.stdout, /rejected\s+Rejection of nonce 3/);
    assert.doesNotMatch(table.stdout, /received\s+0 ETH/);
    const csv = await run(process.execPath, [bin, "export", "--csv"], { env });
    assert.equal(csv.stdout.trimEnd().split("\n").length, 1 + 5 + 1);
  });

  it("says what is wrong with a date, and that there is no database yet", async () => {
    assert.throws(() => parseDateOption("last tuesday", "--since"), /--since "last tuesday" is not a date; use YYYY-MM-DD/);
    assert.equal(parseDateOption("2027-03-01", "--since"), Date.parse("2027-03-01T00:00:00Z") / 1000);
    assert.equal(parseDateOption("2027-03-01", "--until"), Date.parse("2027-03-01T23:59:59Z") / 1000);
    const saved = process.env.DATABASE_PATH;
    process.env.DATABASE_PATH = join(chain.dir, "missing.db");
    try {
      await assert.rejects(cliConnections.openDatabaseForReading(), /No database at .*missing\.db yet: run `treasury index`/);
    } finally {
      if (saved === undefined) delete process.env.DATABASE_PATH;
      else process.env.DATABASE_PATH = saved;
    }
  });
});
