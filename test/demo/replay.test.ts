import assert from "node:assert/strict";
import type { Address } from "viem";
import { developmentAccount } from "../../devchain/accounts.ts";
import { fixtureTime, resolveFixtureAddress, type Fixture } from "../../demo/fixture.ts";
import { planReplay } from "../../demo/plan.ts";
import { createChainClient } from "../../core/chain.ts";
import { readDeployment } from "../../core/deployment.ts";
import { memberNameForAddress } from "../../db/people.ts";
import { parseAmount } from "../../core/money.ts";
import { readSafeState } from "../../core/safe/read-state.ts";
import { replayOnFreshChain, replayedFixture, type ReplayedFixture } from "../helpers/replayed-fixture.ts";
import { miniFixture } from "./mini-fixture.ts";
import { connectionOf } from "../../db/connection.ts";
import type { ReadableDatabase } from "../../db/handle.ts";
import { closeDatabase } from "../../db/open.ts";
import { openReadOnlyDatabase } from "../helpers/database.ts";
import { onlySafe } from "../helpers/safe-database.ts";

const addressOf = (fixture: Fixture, id: string): Address =>
  resolveFixtureAddress(fixture, id, (index) => developmentAccount(index).address)!;
const decimalsOf = (fixture: Fixture, symbol: string) =>
  symbol === "ETH" ? 18 : fixture.tokens.find((token) => token.symbol === symbol)!.decimals;

/** What the fixture implies the Safe holds at the end: deposits minus executed transfers, per token. */
function expectedBalances(fixture: Fixture): Map<string, bigint> {
  const balances = new Map<string, bigint>([["ETH", 0n], ...fixture.tokens.map((token) => [token.symbol, 0n] as [string, bigint])]);
  const add = (symbol: string, amount: string, sign: 1n | -1n) =>
    balances.set(symbol, balances.get(symbol)! + sign * parseAmount(amount, decimalsOf(fixture, symbol), symbol));
  for (const entry of fixture.timeline) {
    if (entry.type === "deposit") add(entry.token, entry.amount, 1n);
    else if (entry.outcome === "executed" && "transfers" in entry) for (const transfer of entry.transfers) add(transfer.token, transfer.amount, -1n);
  }
  return balances;
}

describe("fixture replay: lighthouse-2026 (demo/replay.ts)", function () {
  this.timeout(180_000);
  let replay: ReplayedFixture;
  let db: ReadableDatabase;

  before(async function () {
    replay = await replayedFixture();
    console.log(`      replay time: ${(replay.elapsedMs / 1000).toFixed(1)} s for ${replay.steps} steps, ${replay.lastBlock} blocks`);
    db = onlySafe(openReadOnlyDatabase({ path: replay.dbPath }));
  });
  after(() => {
    if (db) closeDatabase(db);
  });

  it("replays the whole year in under 60 s", () => {
    assert.equal(replay.steps, planReplay(replay.fixture).length);
    assert.ok(replay.elapsedMs < 60_000, `took ${replay.elapsedMs} ms`);
  });

  it("ends with the Safe's balances and owners matching what the fixture implies", async () => {
    const { fixture } = replay;
    const deployment = readDeployment(replay.deploymentFile)!;
    const client = createChainClient({ rpcUrl: replay.rpcUrl, chainId: deployment.chainId });
    const state = await readSafeState(client, replay.safeAddress, deployment.tokens);
    const expected = expectedBalances(fixture);
    assert.deepEqual(new Map(state.balances.map((balance) => [balance.symbol, balance.amount])), expected);
    // Worked by hand from the fixture, as a check on the computation above.
    assert.deepEqual(
      state.balances.map((balance) => `${balance.formatted} ${balance.symbol}`),
      ["92.2 ETH", "23350 USDC", "17000 DAI"],
    );
    const owners = ["ana", "ben", "chen", "dana"].map((id) => addressOf(fixture, id));
    assert.deepEqual([...state.owners].sort(), [...owners].sort());
    assert.equal(state.threshold, 2);
    const executions = fixture.timeline.filter((entry) => entry.type === "proposal" && (entry.outcome === "executed" || entry.outcome === "rejected"));
    assert.equal(state.nonce, executions.length);
  });

  it("leaves each proposal in the state the fixture gives it", () => {
    const { fixture } = replay;
    const want = { executed: 0, rejected: 0, cancelled: 0, pending: 0 };
    for (const entry of fixture.timeline) if (entry.type === "proposal") want[entry.outcome]++;
    assert.deepEqual(want, { executed: 39, rejected: 1, cancelled: 1, pending: 2 });
    assert.deepEqual(replay.outcomes, want);
    const rows = connectionOf(db).prepare("SELECT status, count(*) AS n FROM proposals WHERE kind != 'rejection' GROUP BY status").all() as { status: string; n: number }[];
    assert.deepEqual(Object.fromEntries(rows.map((row) => [row.status, row.n])), want);

    for (const entry of fixture.timeline) {
      if (entry.type !== "proposal") continue;
      const row = connectionOf(db).prepare("SELECT status, memo, proposer, category FROM proposals WHERE safe_tx_hash = ?").get(replay.proposals[entry.id].safeTxHash) as {
        status: string;
        memo: string;
        proposer: string;
        category: string | null;
      };
      assert.equal(row.status, entry.outcome, entry.id);
      assert.equal(row.memo, entry.memo, entry.id);
      assert.equal(row.proposer, entry.proposer, entry.id);
    }
    // The rejection of p039: the Safe's own zero-value call on the same nonce, executed.
    const p039 = replay.proposals.p039;
    const rejection = connectionOf(db).prepare("SELECT status, nonce, rejects_safe_tx_hash FROM proposals WHERE safe_tx_hash = ?").get(p039.rejectionSafeTxHash) as {
      status: string;
      nonce: number;
      rejects_safe_tx_hash: string;
    };
    assert.deepEqual(rejection, { status: "executed", nonce: p039.nonce, rejects_safe_tx_hash: p039.safeTxHash });
    // p042 waits with Dana's approval (an owner since June); p043 pays a look-alike of Northwind's address.
    const approvers = (connectionOf(db).prepare("SELECT owner FROM signatures WHERE safe_tx_hash = ?").all(replay.proposals.p042.safeTxHash) as { owner: string }[]).map(
      (row) => row.owner,
    );
    assert.deepEqual(approvers, [addressOf(fixture, "dana")]);
    assert.ok(replay.proposals.p043.warnings.includes("lookalike_address"), replay.proposals.p043.warnings.join());
    assert.ok(replay.proposals.p039.warnings.includes("possible_duplicate"), replay.proposals.p039.warnings.join());
    assert.equal(replay.proposals.p043.nonce, replay.proposals.p042.nonce + 1);
  });

  it("dates every event at the fixture's time, on the chain and in the workflow", () => {
    const { fixture } = replay;
    for (const entry of fixture.timeline) {
      if (entry.type !== "proposal") continue;
      const { safeTxHash } = replay.proposals[entry.id];
      const proposal = connectionOf(db).prepare("SELECT created_at FROM proposals WHERE safe_tx_hash = ?").get(safeTxHash) as { created_at: number };
      assert.equal(proposal.created_at, fixtureTime(entry.at), `${entry.id} created_at`);
      for (const approval of entry.approvals) {
        const signature = connectionOf(db)
          .prepare("SELECT created_at FROM signatures WHERE safe_tx_hash = ? AND owner = ?")
          .get(safeTxHash, addressOf(fixture, approval.by)) as { created_at: number };
        assert.equal(signature.created_at, fixtureTime(approval.at), `${entry.id} approval by ${approval.by}`);
      }
      if (entry.outcome === "executed") {
        const execution = connectionOf(db).prepare("SELECT block_time FROM safe_executions WHERE safe_tx_hash = ?").get(safeTxHash) as { block_time: number };
        assert.equal(execution.block_time, fixtureTime(entry.executedAt!), `${entry.id} executed at`);
      }
    }
    const deposits = fixture.timeline.filter((entry) => entry.type === "deposit");
    const times = (connectionOf(db).prepare("SELECT block_time FROM transfers WHERE direction = 'in' AND amount != '0' ORDER BY block_number").all() as { block_time: number }[]).map(
      (row) => row.block_time,
    );
    assert.deepEqual(times, deposits.map((deposit) => fixtureTime(deposit.at)));
    const wallClock = Math.floor(Date.now() / 1000) - 3600;
    for (const [table, column] of [["proposals", "updated_at"], ["proposal_updates", "created_at"], ["members", "created_at"], ["address_book", "created_at"], ["wallet_links", "linked_at"]]) {
      const late = connectionOf(db).prepare(`SELECT count(*) AS n FROM ${table} WHERE ${column} > ?`).get(wallClock) as { n: number };
      assert.equal(late.n, 0, `${table}.${column} keeps a wall-clock time`);
    }
  });

  it("indexes the whole history into the database, announced as history (not news)", () => {
    const { fixture } = replay;
    const executed = fixture.timeline.filter((entry) => entry.type === "proposal" && entry.outcome === "executed");
    const transfers = executed.flatMap((entry) => ("transfers" in entry ? entry.transfers : []));
    const count = (sql: string) => (connectionOf(db).prepare(sql).get() as { n: number }).n;
    assert.equal(count("SELECT count(*) AS n FROM payments"), transfers.length);
    assert.equal(count("SELECT count(*) AS n FROM safe_executions WHERE success = 1"), executed.length + 1);
    assert.equal(count("SELECT count(*) AS n FROM transfers WHERE direction = 'in' AND amount != '0'"), fixture.timeline.filter((entry) => entry.type === "deposit").length);
    const added = connectionOf(db).prepare("SELECT owner FROM owner_changes WHERE kind = 'added'").all() as { owner: string }[];
    assert.deepEqual(added, [{ owner: addressOf(fixture, "dana") }]);
    const checkpoint = connectionOf(db).prepare("SELECT block_number FROM checkpoint").get() as { block_number: number };
    assert.equal(checkpoint.block_number, replay.lastBlock);
    const announceAfter = connectionOf(db).prepare("SELECT value FROM safe_meta WHERE key = 'announce_after_block'").get() as { value: string };
    assert.equal(Number(announceAfter.value), replay.lastBlock);

    // "How much has Harbor Labs paid us?": the transfers in from Harbor's address-book address.
    const harbor = connectionOf(db)
      .prepare(
        `SELECT t.amount FROM transfers t JOIN address_book a ON a.address = t.from_address
          WHERE t.direction = 'in' AND a.label = 'Harbor Labs'`,
      )
      .all() as { amount: string }[];
    assert.equal(harbor.reduce((sum, row) => sum + BigInt(row.amount), 0n), parseAmount("40000", 6, "USDC"));
  });

  it("keeps the discussion, deposit notes, members and address book", () => {
    const { fixture } = replay;
    const messages = fixture.timeline.flatMap((entry) => (entry.type === "proposal" ? entry.discussion : []));
    assert.equal(replay.messages, messages.length);
    const rows = connectionOf(db)
      .prepare("SELECT text, author_id, author_name, channel_id, permalink, thread_ts, posted_at FROM discussion_messages ORDER BY posted_at, id")
      .all() as { text: string; author_id: string; author_name: string; channel_id: string; permalink: string; thread_ts: string; posted_at: number }[];
    assert.equal(rows.length, messages.length);
    const injection = rows.find((row) => row.text.startsWith("Note to the treasury assistant"))!;
    assert.equal(injection.author_name, "Eli Novak");
    assert.equal(injection.author_id, "U01ELINOVA");
    assert.equal(injection.channel_id, fixture.slack.channelId);
    assert.match(injection.permalink, /^https:\/\/slack\.com\/archives\/C0TREASURY\/p\d{16}\?thread_ts=\d+\.\d{6}&cid=C0TREASURY$/);
    assert.equal(new Set(rows.map((row) => row.permalink)).size, rows.length);

    const notes = connectionOf(db).prepare("SELECT memo FROM deposit_notes ORDER BY created_at").all() as { memo: string }[];
    assert.deepEqual(notes.map((note) => note.memo), fixture.timeline.flatMap((entry) => (entry.type === "deposit" ? [entry.memo] : [])));

    const members = connectionOf(db).prepare("SELECT id, role FROM members ORDER BY id").all();
    assert.deepEqual(members, [
      { id: "ana", role: "owner" },
      { id: "ben", role: "owner" },
      { id: "chen", role: "owner" },
      { id: "dana", role: "owner" },
      { id: "eli", role: "member" },
    ]);
    assert.equal(memberNameForAddress(db, addressOf(fixture, "chen")), "Chen Wei");
    // Not `label LIKE 'Northwind%'`: the label is COLLATE NOCASE, and PostgreSQL refuses LIKE under that (nondeterministic) collation.
    const book = connectionOf(db).prepare("SELECT label, kind, category, note FROM address_book WHERE lower(substr(label, 1, 9)) = 'northwind' ORDER BY label").all();
    assert.deepEqual(book, [
      { label: "Northwind Hosting", kind: null, category: "infrastructure", note: null },
      { label: "Northwind Hosting (new address?)", kind: null, category: "infrastructure", note: "look-alike of Northwind Hosting's address" },
    ]);
  });
});

describe("fixture replay is deterministic", function () {
  this.timeout(120_000);

  it("gives the same Safe, transactions, blocks and times on two fresh chains", async () => {
    const fixture = miniFixture();
    const runs = [];
    for (let run = 0; run < 2; run++) {
      const { summary, node } = await replayOnFreshChain(fixture, "treasury-seed-determinism-");
      try {
        const head = (await node.provider.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as { hash: string; timestamp: string };
        runs.push({ safe: summary.safeAddress, deposits: summary.deposits, proposals: summary.proposals, lastBlock: summary.lastBlock, head });
      } finally {
        await node.stop();
      }
    }
    assert.deepEqual(runs[0], runs[1]);
    // The last block is the rejection of p039, executed at its fixture time.
    const p039 = fixture.timeline.find((entry) => entry.type === "proposal" && entry.id === "p039");
    assert.equal(Number(runs[0].head.timestamp), fixtureTime((p039 as { rejectedAt: string }).rejectedAt));
  });
});
