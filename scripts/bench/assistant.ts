/**
 * `npm run bench:assistant [-- --size 100000 --questions 240]`: in-process answer latency of
 * the treasury assistant (no LLM), p50/p99, over (1) the bundled fixture replayed onto a local
 * chain and (2) a synthetic history of `--size` payments. Each question set is asked once to warm
 * up, then timed. Prints the load average, since the machine may be shared. Targets: p50 under
 * 20 ms on the fixture and under 100 ms at 100k payments.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { askTreasury } from "../../assistant/ask.ts";
import type { AssistantContext } from "../../assistant/context.ts";
import type { ReadableDatabase, TreasuryDatabase } from "../../db/handle.ts";
import { closeDatabase, openDatabase, openReadOnlyDatabase } from "../../db/open.ts";
import { forSafe, registerSafe } from "../../db/safes.ts";
import { writeMeta } from "../../db/meta.ts";
import { readDirectory } from "../../db/ledger/directory.ts";
import { createLogger } from "../../core/logger.ts";
import { startLocalNode } from "../../devchain/node.ts";
import { bundledFixture, loadFixture } from "../../demo/fixture.ts";
import { replayGenesisDate } from "../../demo/plan.ts";
import { replayFixture } from "../../demo/replay.ts";
import { connectionOf } from "../../db/connection.ts";

const { values } = parseArgs({ options: { size: { type: "string", default: "100000" }, questions: { type: "string", default: "240" }, keep: { type: "boolean", default: false } } });
const size = Number(values.size);
const questionCount = Number(values.questions);
const loadAverage = () => loadavg().map((x) => x.toFixed(2)).join(" ");

let seed = 7;
const random = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];

/** Questions of every kind, filled with names the database holds (English and Spanish). */
function questionsFor(db: ReadableDatabase, count: number): string[] {
  const directory = readDirectory(db);
  const payees = directory.book.filter((e) => e.kind !== "client" && e.kind !== "funder").map((e) => e.label);
  const senders = directory.book.filter((e) => e.kind === "client" || e.kind === "funder").map((e) => e.label);
  const categories = directory.categories;
  const members = directory.members.map((m) => m.name);
  const tokens = directory.tokens.map((t) => t.symbol);
  const months = ["January", "February", "March", "April", "May", "June", "July", "August", "September"];
  const meses = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre"];
  const templates: (() => string)[] = [
    () => `How much did we pay ${pick(payees)} this year?`,
    () => `How much ${pick(tokens)} did we pay ${pick(payees)} in ${pick(months)}?`,
    () => `How many payments to ${pick(payees)} in Q${1 + Math.floor(random() * 3)}?`,
    () => `what'd we spend on ${pick(categories)} jan-jun`,
    () => `average monthly ${pick(categories)} cost`,
    () => `spend by month`,
    () => `top 3 payees in ${pick(tokens)}`,
    () => `Q2 against Q3`,
    () => `net flow this year`,
    () => `what's our runway?`,
    () => `payments over 1,000 ${pick(tokens)}`,
    () => `How much has ${pick(senders)} paid us?`,
    () => `What is pending?`,
    () => `Who are the owners?`,
    () => `What are our balances?`,
    () => `How many proposals did ${pick(members)} approve?`,
    () => `Which month did we spend the most ${pick(tokens)}?`,
    () => `¿Cuánto le pagamos a ${pick(payees)} en ${pick(meses)}?`,
    () => `¿Cuánto gastamos en ${pick(categories)} el mes pasado?`,
    () => `¿Qué propuestas están pendientes?`,
    () => `gasto por categoría en el primer semestre`,
    () => `did anyone object to the ${pick(payees)} payment?`,
    () => `Why did we pay ${pick(payees)}?`,
    () => `How much did we pay Stellar Print Co?`,
    () => `How much WBTC does the Safe hold?`,
    () => `How much did we spend in December 2027?`,
  ];
  return Array.from({ length: count }, (_, i) => templates[i % templates.length]());
}

async function measure(label: string, ctx: AssistantContext, questions: string[]) {
  for (const question of questions.slice(0, 30)) await askTreasury(ctx, { question, rulesOnly: true });
  const times: number[] = [];
  const slowest: { question: string; ms: number }[] = [];
  for (const question of questions) {
    const started = performance.now();
    await askTreasury(ctx, { question, rulesOnly: true });
    const ms = performance.now() - started;
    times.push(ms);
    slowest.push({ question, ms });
  }
  times.sort((a, b) => a - b);
  slowest.sort((a, b) => b.ms - a.ms);
  const p = (q: number) => times[Math.min(times.length - 1, Math.floor((times.length * q) / 100))];
  console.log(`${label.padEnd(34)} ${String(times.length).padStart(5)} questions   p50 ${p(50).toFixed(1).padStart(7)} ms   p99 ${p(99).toFixed(1).padStart(7)} ms   max ${times.at(-1)!.toFixed(1).padStart(7)} ms   (load ${loadAverage()})`);
  console.log(`  slowest: ${slowest.slice(0, 4).map((s) => `${s.ms.toFixed(0)} ms "${s.question}"`).join("; ")}`);
}

/** Payments, proposals, approvals, deposits and discussion like a busy group's, written as the indexer and the workflow store them. */
function buildSynthetic(db: TreasuryDatabase, payments: number): void {
  const address = (prefix: string, i: number) => `0x${prefix}${i.toString(16).padStart(40 - prefix.length, "0")}`;
  const hash = (prefix: string, i: number) => `0x${prefix}${i.toString(16).padStart(64 - prefix.length, "0")}`;
  const usdc = address("a0", 1);
  const dai = address("b0", 2);
  const categories = ["infrastructure", "design", "contractors", "legal", "travel", "security", "content", "grants", "marketing", "research"];
  const words = ["Atlas", "Birch", "Cobalt", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Iris", "Juniper", "Kestrel", "Lattice", "Maple", "Nimbus", "Onyx", "Pinnacle", "Quartz", "Raven", "Summit", "Tundra"];
  const kinds = ["Studio", "Labs", "Hosting", "Legal", "Travel", "Audit", "Works", "Partners"];
  const members = ["Alex Moreno", "Bea Lindqvist", "Chidi Obi", "Dara Kim", "Emil Roth"];
  const payees = Array.from({ length: 200 }, (_, i) => ({ address: address("c0", i + 10), label: `${words[i % 20]} ${words[Math.floor(i / 20) % 20]} ${kinds[i % kinds.length]}`, category: categories[i % categories.length] }));
  const senders = Array.from({ length: 10 }, (_, i) => ({ address: address("d0", i + 10), label: `${words[(i * 3) % 20]} Foundation ${i + 1}` }));
  const start = Date.UTC(2025, 0, 2) / 1000;
  const end = Date.UTC(2026, 9, 27) / 1000;
  const step = (end - start) / payments;
  connectionOf(db).transaction(() => {
    writeMeta(db, "chain_id", "31337");
    connectionOf(db).prepare("INSERT INTO tokens (safe_id, address, symbol, name, decimals) VALUES (1, ?, 'USDC', 'USD Coin', 6), (1, ?, 'DAI', 'Dai', 18)").run(usdc, dai);
    for (const [i, name] of members.entries()) {
      connectionOf(db).prepare("INSERT INTO members (workspace, id, name, slack_user_id, role, created_at) VALUES ('', ?, ?, ?, 'owner', 0)").run(`m${i}`, name, `U${i}`);
      connectionOf(db).prepare("INSERT INTO wallet_links (workspace, member_id, address, linked_at) VALUES ('', ?, ?, 0)").run(`m${i}`, address("e0", i + 1));
    }
    for (const p of payees) connectionOf(db).prepare("INSERT INTO address_book (workspace, address, label, category, kind, added_by, created_at) VALUES ('', ?, ?, ?, NULL, 'bench', 0)").run(p.address, p.label, p.category);
    for (const s of senders) connectionOf(db).prepare("INSERT INTO address_book (workspace, address, label, category, kind, added_by, created_at) VALUES ('', ?, ?, NULL, 'client', 'bench', 0)").run(s.address, s.label);
    connectionOf(db).prepare("INSERT INTO owner_changes (safe_id, kind, owner, threshold, owners, block_number, block_time, tx_hash, log_index) VALUES (1, 'setup', NULL, 2, ?, 1, ?, ?, 0)").run(
      JSON.stringify(members.slice(0, 3).map((_, i) => address("e0", i + 1))),
      start - 86400,
      hash("f0", 1),
    );
    const block = connectionOf(db).prepare("INSERT OR IGNORE INTO blocks (safe_id, number, hash, parent_hash, timestamp) VALUES (1, ?, ?, ?, ?)");
    const proposal = connectionOf(db).prepare(
      `INSERT INTO proposals (safe_id, safe_tx_hash, chain_id, safe_address, nonce, to_address, value, data, operation, kind, proposer, memo, category, status, review_token, executed_tx_hash, created_at, updated_at)
       VALUES (1, ?, 31337, ?, ?, ?, '0', '0x', 0, 'payment', ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const transfer = connectionOf(db).prepare("INSERT INTO proposal_transfers (safe_tx_hash, batch_index, token, to_address, amount) VALUES (?, 0, ?, ?, ?)");
    const execution = connectionOf(db).prepare(
      `INSERT INTO safe_executions (safe_id, safe_tx_hash, nonce, to_address, value, data, operation, safe_tx_gas, base_gas, gas_price, gas_token, refund_receiver, signatures, success, executor, block_number, block_time, tx_hash, log_index, confirmed)
       VALUES (1, ?, ?, ?, '0', '0x', 0, '0', '0', '0', ?, ?, '0x', 1, ?, ?, ?, ?, 0, 1)`,
    );
    const payment = connectionOf(db).prepare("INSERT INTO payments (safe_id, safe_tx_hash, batch_index, token, to_address, amount, block_number, block_time, tx_hash, log_index, confirmed) VALUES (1, ?, 0, ?, ?, ?, ?, ?, ?, 1, 1)");
    const signer = connectionOf(db).prepare("INSERT INTO execution_signers (safe_id, safe_tx_hash, owner, kind, block_number) VALUES (1, ?, ?, 'eoa', ?)");
    const message = connectionOf(db).prepare(
      "INSERT INTO discussion_messages (safe_tx_hash, channel_id, message_ts, thread_ts, author_id, author_name, text, permalink, posted_at) VALUES (?, 'C1', ?, ?, ?, ?, ?, NULL, ?)",
    );
    const zero = "0x0000000000000000000000000000000000000000";
    for (let i = 0; i < payments; i++) {
      const time = Math.floor(start + i * step);
      const number = 10 + Math.floor((time - start) / 3600);
      block.run(number, hash("aa", number), hash("aa", number - 1), time);
      const payee = payees[Math.floor(random() * payees.length)];
      const token = random() < 0.6 ? usdc : dai;
      const amount = token === usdc ? String(BigInt(Math.floor(50 + random() * 5000)) * 1_000_000n) : String(BigInt(Math.floor(100 + random() * 8000)) * 10n ** 18n);
      const safeTxHash = hash("11", i + 1);
      const txHash = hash("22", i + 1);
      const proposer = `m${i % members.length}`;
      proposal.run(safeTxHash, address("ff", 1), i, token, proposer, `${payee.label} invoice ${i} for ${payee.category}`, payee.category, "executed", `bench-${i}`, txHash, time - 3600, time);
      transfer.run(safeTxHash, token, payee.address, amount);
      execution.run(safeTxHash, i, token, zero, zero, address("e0", 1 + (i % 3)), number, time, txHash);
      payment.run(safeTxHash, token, payee.address, amount, number, time, txHash);
      signer.run(safeTxHash, address("e0", 1 + (i % 3)), number);
      signer.run(safeTxHash, address("e0", 1 + ((i + 1) % 3)), number);
      if (i % 20 === 0) message.run(safeTxHash, `${time}.${i}`, `${time}.0`, `U${i % 5}`, members[i % 5], i % 40 === 0 ? "Why is this higher than last month?" : "Looks fine to me.", time - 1800);
    }
    for (let i = 0; i < 2000; i++) {
      const time = Math.floor(start + (i * (end - start)) / 2000);
      connectionOf(db).prepare("INSERT INTO transfers (safe_id, direction, token, from_address, to_address, amount, block_number, block_time, tx_hash, log_index, confirmed) VALUES (1, 'in', ?, ?, ?, ?, 1, ?, ?, 0, 1)").run(
        i % 2 ? usdc : dai,
        senders[i % senders.length].address,
        address("ff", 1),
        i % 2 ? String(BigInt(5000 + (i % 50) * 100) * 1_000_000n) : String(BigInt(5000 + (i % 50) * 100) * 10n ** 18n),
        time,
        hash("33", i + 1),
      );
    }
    for (let i = 0; i < 20; i++)
      proposal.run(hash("44", i + 1), address("ff", 1), payments + i, usdc, `m${i % 5}`, `${payees[i].label} pending invoice`, payees[i].category, "pending", `bench-p${i}`, null, end - 3600 * i, end);
  })();
}

async function main() {
  console.log(`bench:assistant — answer latency in process, no LLM (load ${loadAverage()})`);
  // 1. The fixture, replayed through the real flows.
  const fixtureDir = mkdtempSync(join(tmpdir(), "bench-assistant-fixture-"));
  const fixture = loadFixture(bundledFixture);
  const node = await startLocalNode({ port: 0, initialDate: replayGenesisDate(fixture) });
  try {
    const writer = openDatabase({ path: join(fixtureDir, "treasury.db") });
    await replayFixture({ fixture, provider: node.provider, rpcUrl: node.url, db: writer, databasePath: join(fixtureDir, "treasury.db"), deploymentFile: join(fixtureDir, "deployment.json"), logger: createLogger("silent") }).finally(
      () => closeDatabase(writer),
    );
  } finally {
    await node.stop();
  }
  const fixtureDb = forSafe(openReadOnlyDatabase({ path: join(fixtureDir, "treasury.db") }), 1);
  await measure("replayed fixture (40 payments)", { db: fixtureDb, config: {} }, questionsFor(fixtureDb, questionCount));
  closeDatabase(fixtureDb);
  rmSync(fixtureDir, { recursive: true, force: true });

  // 2. A synthetic history.
  const dir = mkdtempSync(join(tmpdir(), "bench-assistant-synthetic-"));
  const path = join(dir, "treasury.db");
  const unbound = openDatabase({ path });
  const builder = forSafe(unbound, registerSafe(unbound, { chainId: 31337, address: "0x00000000000000000000000000000000005afe01", now: 0 }).id);
  const started = performance.now();
  buildSynthetic(builder, size);
  connectionOf(builder).pragma("wal_checkpoint(TRUNCATE)");
  closeDatabase(builder);
  console.log(`  (synthetic history of ${size.toLocaleString("en-US")} payments built in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  const db = forSafe(openReadOnlyDatabase({ path }), 1);
  await measure(`synthetic (${size.toLocaleString("en-US")} payments)`, { db, config: {} }, questionsFor(db, questionCount));
  closeDatabase(db);
  if (values.keep) console.log(`  kept ${path}`);
  else rmSync(dir, { recursive: true, force: true });
}

await main();
