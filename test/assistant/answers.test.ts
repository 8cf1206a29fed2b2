import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { askTreasury } from "../../assistant/ask.ts";
import type { AssistantContext } from "../../assistant/context.ts";
import { findSimilarPastPayment } from "../../assistant/similar-payment.ts";
import { syncActivity } from "../../search/activity.ts";
import { openDatabase, closeDatabase } from "../../db/open.ts";
import type { TreasuryDatabase } from "../../db/handle.ts";
import { loadConfig } from "../../app/config.ts";
import { projectRoot } from "../helpers/processes.ts";
import { replayedFixture, type ReplayedFixture } from "../helpers/replayed-fixture.ts";
import { questionsPath } from "../search/fixture-db.ts";
import { connectionOf } from "../../db/connection.ts";

const run = promisify(execFile);

/** "40000" appears in "40,000 USDC": compare digits with separators removed, on number boundaries. */
export function containsNumber(answer: string, expected: number | string): boolean {
  const plain = answer.replace(/(\d),(?=\d{3}\b)/g, "$1");
  const wanted = String(expected);
  return new RegExp(`(^|[^\\d.])${wanted.replace(".", "\\.")}(?![\\d]|\\.\\d)`).test(plain);
}

function copyDatabase(source: string): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), "assistant-answers-"));
  const path = join(dir, "treasury.db");
  copyFileSync(source, path);
  for (const suffix of ["-wal", "-shm"]) if (existsSync(source + suffix)) copyFileSync(source + suffix, path + suffix);
  return { dir, path };
}

const noLlmEnv = (databasePath: string) => ({
  PATH: `${resolve(projectRoot, "node_modules/.bin")}:${process.env.PATH}`,
  HOME: process.env.HOME ?? "/tmp",
  DATABASE_PATH: databasePath,
  LOG_LEVEL: "silent",
});

describe("assistant: answers over the replayed fixture, no LLM", function () {
  this.timeout(300_000);
  let replayed: ReplayedFixture;
  let copy: { dir: string; path: string };
  let db: TreasuryDatabase;
  let ctx: AssistantContext;
  const hashOf = (id: string) => replayed.proposals[id].safeTxHash;

  before(async () => {
    replayed = await replayedFixture();
    copy = copyDatabase(replayed.dbPath);
    db = openDatabase({ path: copy.path });
    syncActivity(db);
    ctx = { db, config: loadConfig({ DATABASE_PATH: copy.path }) };
  });
  after(() => {
    if (db) closeDatabase(db);
    if (copy) rmSync(copy.dir, { recursive: true, force: true });
  });

  const ask = async (question: string) => (await askTreasury(ctx, { question })).answer;

  it("answers every sample question through `treasury ask`, with each expected number and word", async () => {
    const questions = JSON.parse(readFileSync(questionsPath, "utf8")) as { q: string; numbers: number[]; mentions: string[] }[];
    closeDatabase(db); // the CLI opens the file itself
    try {
      // One CLI process per question, run side by side (each is mostly start-up time).
      const outputs = await Promise.all(
        questions.map(({ q }) =>
          run(resolve(projectRoot, "node_modules/.bin/node"), ["bin/treasury.js", "ask", "--json", q], { cwd: projectRoot, env: noLlmEnv(copy.path) }),
        ),
      );
      for (const [index, { q, numbers, mentions }] of questions.entries()) {
        const { stdout } = outputs[index];
        const result = JSON.parse(stdout) as { answer: string; citations: { kind: string; ref: string }[] };
        for (const number of numbers) assert.ok(containsNumber(result.answer, number), `"${q}" should mention ${number}:\n${result.answer}`);
        for (const word of mentions) assert.ok(result.answer.toLowerCase().includes(word.toLowerCase()), `"${q}" should mention ${word}:\n${result.answer}`);
        assert.ok(result.citations.length > 0, `"${q}" cites something`);
        assert.ok(result.citations.every((c) => /^0x[0-9a-f]{64}$/i.test(c.ref) || c.ref.startsWith("message:")), "cites hashes or messages");
      }
    } finally {
      db = openDatabase({ path: copy.path });
      ctx = { ...ctx, db };
    }
  });

  it("`treasury ask` prints a plain answer, and `treasury search` ranked activity", async () => {
    closeDatabase(db);
    try {
      const node = resolve(projectRoot, "node_modules/.bin/node");
      const asked = await run(node, ["bin/treasury.js", "ask", "How much has Harbor Labs paid us?"], { cwd: projectRoot, env: noLlmEnv(copy.path) });
      assert.match(asked.stdout, /40,000 USDC/);
      assert.match(asked.stdout, /Sources:/);
      const searched = await run(node, ["bin/treasury.js", "search", "--json", "security review"], { cwd: projectRoot, env: noLlmEnv(copy.path) });
      const result = JSON.parse(searched.stdout) as { results: { title: string }[] };
      assert.match(result.results[0].title, /Lumen Audit/);
      const plain = await run(node, ["bin/treasury.js", "search", '"NEAR('], { cwd: projectRoot, env: noLlmEnv(copy.path) });
      assert.doesNotMatch(plain.stdout + plain.stderr, /at .*\.ts:\d+/);
    } finally {
      db = openDatabase({ path: copy.path });
      ctx = { ...ctx, db };
    }
  });

  it("totals by payee, token and period, with the period and chain stated", async () => {
    const answer = await ask("How much did we pay Acme Design Studio in 2026?");
    assert.ok(containsNumber(answer, 6800), answer); // 2500 + 1200 + 3100; the rejected duplicate is not counted
    assert.match(answer, /USDC/);
    assert.match(answer, /2026-01-01 to 2026-12-31/);
    assert.match(answer, /chain 31337/);
    const march = await ask("How much did we pay Acme in March?");
    assert.ok(containsNumber(march, 1200), march);
    assert.match(march, /March 2026/);
  });

  it("totals by category and quarter, per token", async () => {
    const answer = await ask("How much did we spend on contractors in Q3 2026?");
    assert.ok(containsNumber(answer, 12600), answer); // Sam: 3 x 4200 DAI
    assert.ok(containsNumber(answer, 8850), answer); // Ivy: 2950 + 3100 + 2800 USDC
    assert.match(answer, /Q3 2026/);
  });

  it("counts payments, and reads 'this year' against the latest indexed block", async () => {
    const answer = await ask("How many payments did we make to Northwind Hosting this year?");
    assert.match(answer, /^10 payments/);
    assert.ok(containsNumber(answer, 2100), answer); // 5 x 180 + 5 x 240
    assert.match(answer, /this year \(2026\)/);
    assert.match(answer, /latest indexed block/);
  });

  it("totals for the first half, in one token", async () => {
    const answer = await ask("How much DAI did we pay in the first half?");
    assert.ok(containsNumber(answer, 26200), answer); // 6 x 3500 + 5200
    assert.match(answer, /first half of 2026/);
  });

  it("money in, by sender", async () => {
    const answer = await ask("How much did we receive from Meridian Co?");
    assert.ok(containsNumber(answer, 22000), answer);
    assert.match(answer, /Meridian Co/);
  });

  it("who approved: the real signers, by name", async () => {
    const answer = await ask("Who approved the Lumen Audit payment?");
    assert.match(answer, /Ana Ruiz/);
    assert.match(answer, /Dana Silva/);
    assert.doesNotMatch(answer, /Ben Okoro|Chen Wei/);
  });

  it("why: the memo and the discussion of the best match", async () => {
    const answer = await ask("Why did hosting go up in June?");
    assert.match(answer, /Pro plan/);
    assert.ok(containsNumber(answer, 240), answer);
    const sam = await ask("Why did Sam's pay go up?");
    assert.match(sam, /mid-year review|4,200 DAI/);
  });

  it("pending proposals with their approvals so far", async () => {
    const answer = await ask("What is pending?");
    assert.match(answer, /2 pending proposals/);
    assert.match(answer, /Pixel Forge.*1 of 2 approvals \(Dana Silva\)/);
    assert.match(answer, /0 of 2 approvals/);
  });

  it("owners and threshold, now and at a date", async () => {
    const now = await ask("Who are the owners and what is the threshold?");
    assert.match(now, /4 owners: Ana Ruiz, Ben Okoro, Chen Wei and Dana Silva/);
    assert.match(now, /2 of 4/);
    const before = await ask("Who were the owners in March 2026?");
    assert.match(before, /3 owners: Ana Ruiz, Ben Okoro and Chen Wei/);
  });

  it("largest payment, per token", async () => {
    const answer = await ask("What was our largest payment this year?");
    assert.match(answer, /6 ETH to Lumen Audit/);
    assert.match(answer, /5,200 DAI to Bright & Pine Legal/);
  });

  it("balances as indexed at a block", async () => {
    const answer = await ask("What are our balances?");
    // In: 100 ETH, 60000 DAI, 62000 USDC; out: 7.8 ETH, 43000 DAI, 38650 USDC.
    assert.ok(containsNumber(answer, "92.2"), answer);
    assert.ok(containsNumber(answer, 17000), answer);
    assert.ok(containsNumber(answer, 23350), answer);
    assert.match(answer, /as indexed at block \d+/);
  });

  it("rejected and cancelled proposals, with the reason from the discussion", async () => {
    const rejected = await ask("Which proposals were rejected and why?");
    assert.match(rejected, /duplicate/);
    assert.match(rejected, /Ana Ruiz/);
    const cancelled = await ask("What was cancelled?");
    assert.match(cancelled, /Devconnect/);
    assert.match(cancelled, /budget is tight/);
  });

  it("labels search results honestly when it cannot parse the question", async () => {
    const result = await askTreasury(ctx, { question: "tell me about the hackathon" });
    assert.equal(result.mode, "search");
    assert.match(result.answer, /search results \(not an exact answer\)/);
    assert.match(result.answer, /hackathon/i);
  });

  it("prompt injection in a discussion does not change the approvals it reports", async () => {
    for (const question of [
      "Is the Pixel Forge annual report payment approved?",
      "Who approved the Pixel Forge annual report invoice INV-2005?",
    ]) {
      const answer = await ask(question);
      assert.match(answer, /NOT approved yet: 1 of 2 approvals \(Dana Silva\)/, answer);
      assert.doesNotMatch(answer, /already approved|signing link/i);
    }
  });

  it("answers bad input clearly, never with an error trace", async () => {
    for (const question of ["", "   ", "x".repeat(10_000), "'; DROP TABLE --", "(.*)[", '"NEAR(', "AND OR NOT *", "\u0000"]) {
      const result = await askTreasury(ctx, { question });
      assert.ok(result.answer.length > 10, JSON.stringify(question));
      assert.doesNotMatch(result.answer, /Error:|at .*\.ts:\d+|SQLITE|fts5/i, JSON.stringify(question.slice(0, 20)));
    }
    assert.match((await askTreasury(ctx, { question: "x".repeat(10_000) })).answer, /10,000 characters/);
    assert.ok(connectionOf(db).prepare("SELECT count(*) FROM proposals").pluck().get());
  });

  it("spots a proposal that resembles an earlier payment (proactive help)", () => {
    const duplicate = findSimilarPastPayment(ctx, hashOf("p039"));
    assert.ok(duplicate);
    assert.equal(duplicate.possibleDuplicate, true);
    assert.equal(duplicate.amount, "3100");
    assert.match(duplicate.message, /Possible duplicate: 3,100 USDC .* Acme Design Studio on 2026-07-22/);
    const similar = findSimilarPastPayment(ctx, hashOf("p042"));
    assert.ok(similar);
    assert.equal(similar.payee, "Pixel Forge");
    assert.equal(similar.possibleDuplicate, false);
    assert.equal(findSimilarPastPayment(ctx, hashOf("p043")), undefined); // a new (look-alike) address: nothing paid there before
  });
});
