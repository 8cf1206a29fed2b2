import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { askTreasury } from "../../assistant/ask.ts";
import type { AssistantContext } from "../../assistant/context.ts";
import { findSimilarPastPayment } from "../../assistant/similar-payment.ts";
import type { ReadableDatabase } from "../../db/handle.ts";
import { closeDatabase } from "../../db/open.ts";
import { openReadOnlyDatabase, databaseEnvironment } from "../helpers/database.ts";
import { copyReplayedDatabase } from "../helpers/assistant-db.ts";
import { fixtureTruth, statesNumber } from "../helpers/fixture-truth.ts";
import { projectRoot } from "../helpers/processes.ts";
import { replayedFixture, type ReplayedFixture } from "../helpers/replayed-fixture.ts";
import { questionsPath } from "../search/fixture-db.ts";
import { ownQuestions, type Kind } from "./questions.ts";
import { onlySafe } from "../helpers/safe-database.ts";

const run = promisify(execFile);

const noLlmEnv = (databasePath: string) => ({
  PATH: `${resolve(projectRoot, "node_modules/.bin")}:${process.env.PATH}`,
  HOME: process.env.HOME ?? "/tmp",
  ...databaseEnvironment(databasePath),
  LOG_LEVEL: "silent",
});

describe("assistant: answers over the replayed fixture, no LLM (read-only handle)", function () {
  this.timeout(300_000);
  let replayed: ReplayedFixture;
  let copy: { dir: string; path: string };
  let db: ReadableDatabase;
  let ctx: AssistantContext;
  const tally = new Map<Kind, { right: number; total: number }>();

  before(async () => {
    replayed = await replayedFixture();
    copy = copyReplayedDatabase(replayed.dbPath);
    // The assistant reads through a read-only connection: any write would throw.
    db = onlySafe(openReadOnlyDatabase({ path: copy.path }));
    ctx = { db, config: {} };
  });
  after(() => {
    if (db) closeDatabase(db);
    if (copy) rmSync(copy.dir, { recursive: true, force: true });
    if (tally.size) {
      console.log("\n      Own questions answered right, by kind:");
      for (const [kind, { right, total }] of tally) console.log(`        ${kind.padEnd(11)} ${right}/${total}`);
      const right = [...tally.values()].reduce((s, t) => s + t.right, 0);
      const total = [...tally.values()].reduce((s, t) => s + t.total, 0);
      console.log(`        ${"all".padEnd(11)} ${right}/${total}`);
    }
  });

  it("answers every sample question through `treasury ask`, with each expected number and word", async () => {
    const questions = JSON.parse(readFileSync(questionsPath, "utf8")) as { q: string; numbers: number[]; mentions: string[] }[];
    const outputs = await Promise.all(
      questions.map(({ q }) => run(resolve(projectRoot, "node_modules/.bin/node"), ["bin/treasury.js", "ask", "--json", q], { cwd: projectRoot, env: noLlmEnv(copy.path) })),
    );
    for (const [index, { q, numbers, mentions }] of questions.entries()) {
      const result = JSON.parse(outputs[index].stdout) as { answer: string; citations: { kind: string; ref: string }[] };
      for (const number of numbers) assert.ok(statesNumber(result.answer, String(number)), `"${q}" should state ${number}:\n${result.answer}`);
      for (const word of mentions) assert.ok(result.answer.toLowerCase().includes(word.toLowerCase()), `"${q}" should mention ${word}:\n${result.answer}`);
      assert.ok(result.citations.length > 0, `"${q}" cites something`);
      assert.ok(result.citations.every((c) => /^0x[0-9a-f]{64}$/i.test(c.ref) || c.ref.startsWith("message:")), "cites hashes or messages");
    }
  });

  it("`treasury ask` prints the same answer as the API, and `treasury search` ranked activity", async () => {
    const node = resolve(projectRoot, "node_modules/.bin/node");
    const question = "How much has Harbor Labs paid us?";
    const asked = await run(node, ["bin/treasury.js", "ask", question], { cwd: projectRoot, env: noLlmEnv(copy.path) });
    assert.equal(asked.stdout.trim(), (await askTreasury(ctx, { question })).answer.trim());
    assert.match(asked.stdout, /40,000 USDC/);
    assert.match(asked.stdout, /Sources:/);
    const searched = await run(node, ["bin/treasury.js", "search", "--json", "security review"], { cwd: projectRoot, env: noLlmEnv(copy.path) });
    const result = JSON.parse(searched.stdout) as { results: { title: string }[] };
    assert.match(result.results[0].title, /Lumen Audit/);
  });

  for (const own of ownQuestions)
    it(`[${own.kind}] ${own.q}`, async () => {
      const t = fixtureTruth();
      const expected = own.expect(t);
      const result = await askTreasury(ctx, { question: own.q });
      const entry = tally.get(own.kind) ?? { right: 0, total: 0 };
      entry.total += 1;
      tally.set(own.kind, entry);
      const language = expected.language ?? "en";
      assert.equal(result.language, language, `answers in ${language}`);
      for (const n of expected.headline ?? []) assert.ok(statesNumber(result.headline, n, language), `headline states ${n}:\n${result.answer}`);
      for (const n of expected.numbers ?? []) assert.ok(statesNumber(result.answer, n, language), `answer states ${n}:\n${result.answer}`);
      for (const w of expected.words ?? []) assert.match(result.answer, w);
      for (const w of expected.absent ?? []) assert.doesNotMatch(result.answer.replace(/^Sources:[\s\S]*$/m, ""), w);
      if (expected.headline?.length) assert.ok(result.plan, "figures come from an executed plan");
      entry.right += 1;
    });

  it("states the period, the token and the chain with every figure", async () => {
    const answer = (await askTreasury(ctx, { question: "How much did we pay Acme Design Studio in 2026?" })).answer;
    assert.match(answer.split("\n")[0], /6,800 USDC in 2026 \(2026-01-01 to 2026-12-31; 3 payments\)/);
    assert.match(answer, /Chain: local chain 31337; as of block \d+ \(2026-10-27, the latest indexed block\)/);
  });

  it("answers bad input clearly, never with an error trace", async () => {
    for (const question of ["", "   ", "x".repeat(10_000), "'; DROP TABLE --", "(.*)[", '"NEAR(', "AND OR NOT *", "\u0000"]) {
      const result = await askTreasury(ctx, { question });
      assert.ok(result.answer.length > 10, JSON.stringify(question));
      assert.doesNotMatch(result.answer, /Error:|at .*\.ts:\d+|SQLITE|fts5/i, JSON.stringify(question.slice(0, 20)));
    }
    assert.match((await askTreasury(ctx, { question: "x".repeat(10_000) })).answer, /10,000 characters/);
  });

  it("spots a proposal that resembles an earlier payment (proactive help for the Slack cards)", () => {
    const hashOf = (id: string) => replayed.proposals[id].safeTxHash;
    const duplicate = findSimilarPastPayment(ctx, hashOf("p039"));
    assert.ok(duplicate);
    assert.equal(duplicate.possibleDuplicate, true);
    assert.equal(duplicate.amount, "3100");
    assert.match(duplicate.message, /Possible duplicate: 3,100 USDC .* Acme Design Studio on 2026-07-22/);
    const similar = findSimilarPastPayment(ctx, hashOf("p042"));
    assert.ok(similar);
    assert.equal(similar.payee, "Pixel Forge");
    assert.equal(similar.possibleDuplicate, false);
    assert.equal(findSimilarPastPayment(ctx, hashOf("p043")), undefined);
  });
});
