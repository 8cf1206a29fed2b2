import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { askTreasury } from "../../../assistant/ask.ts";
import { readHistory } from "../../../db/chain-mirror/history.ts";
import { ether, readNativeCoin, recordNativeCoin } from "../../../db/chain-mirror/native-coin.ts";
import type { ReadableDatabase } from "../../../db/handle.ts";
import { closeDatabase } from "../../../db/open.ts";
import { openDatabase, openReadOnlyDatabase } from "../../helpers/database.ts";
import { onlySafe } from "../../helpers/safe-database.ts";
import { connectionOf, engineOf } from "../../../db/connection.ts";
import { syncActivity } from "../../../search/activity.ts";
import { copyReplayedDatabase } from "../../helpers/assistant-db.ts";
import { fixtureTruth, statesNumber, totals } from "../../helpers/fixture-truth.ts";
import { replayedFixture } from "../../helpers/replayed-fixture.ts";

/**
 * The replayed year, as if its chain paid in XDAI (Gnosis): every row with no
 * token address is named after the chain's own coin, in the history, the
 * search rows and the assistant's answers; ETH is then a token the treasury
 * does not know, never a synonym.
 */
describe("native coin of the chain (db/chain-mirror/native-coin.ts): XDAI on Gnosis, never ETH", function () {
  this.timeout(300_000);
  let copy: { dir: string; path: string };
  let db: ReadableDatabase;
  const xdai = { symbol: "XDAI", name: "xDAI", decimals: 18 };

  before(async () => {
    const replayed = await replayedFixture();
    copy = copyReplayedDatabase(replayed.dbPath);
    const writer = onlySafe(openDatabase({ path: copy.path }));
    assert.deepEqual(readNativeCoin(writer), ether, "a database whose coin was never recorded pays in Ether");
    recordNativeCoin(writer, xdai);
    syncActivity(writer);
    // SQLite: so the read-only connection sees it all (PostgreSQL shows committed rows to every connection).
    if (engineOf(writer) === "sqlite") connectionOf(writer).pragma("wal_checkpoint(TRUNCATE)");
    closeDatabase(writer);
    db = onlySafe(openReadOnlyDatabase({ path: copy.path }));
  });
  after(() => {
    if (db) closeDatabase(db);
    if (copy) rmSync(copy.dir, { recursive: true, force: true });
  });

  it("names every native payment and deposit in the history XDAI, with 18 decimals", () => {
    const native = readHistory(db).filter((row) => (row.kind === "payment" || row.kind === "deposit") && row.token === null);
    const ethInFixture = fixtureTruth().deposits.filter((row) => row.token === "ETH").length + fixtureTruth().payments.filter((row) => row.token === "ETH").length;
    assert.ok(ethInFixture > 0, "the fixture moves the native coin");
    assert.equal(native.length, ethInFixture);
    for (const row of native) assert.deepEqual([row.symbol, row.decimals], ["XDAI", 18]);
  });

  it("the search rows name native amounts XDAI (rebuilt when the coin is recorded)", () => {
    const rows = connectionOf(db).prepare("SELECT symbol, title || ' ' || body AS text FROM activity WHERE kind = 'deposit' AND token IS NULL").all() as { symbol: string; text: string }[];
    assert.ok(rows.length > 0);
    for (const row of rows) {
      assert.equal(row.symbol, "XDAI");
      assert.match(row.text, /\bXDAI\b/);
      assert.doesNotMatch(row.text, /\bETH\b/);
    }
  });

  it("the assistant answers in XDAI, with the fixture's figure", async () => {
    const expected = totals(fixtureTruth().deposits, (row) => row.token === "ETH").ETH;
    const result = await askTreasury({ db, config: {} }, { question: "How much XDAI did we receive in 2026?" });
    assert.match(result.answer, /XDAI/);
    assert.ok(statesNumber(result.answer, expected), `${result.answer} (expected ${expected})`);
  });

  it("the assistant does not take ETH for the chain's coin: it says it knows no such token", async () => {
    const result = await askTreasury({ db, config: {} }, { question: "How much ETH did we receive in 2026?" });
    assert.match(result.answer, /I know no token called ETH/);
  });
});
