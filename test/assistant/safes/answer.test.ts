import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { askTreasury } from "../../../assistant/ask.ts";
import { closeDatabase } from "../../../db/open.ts";
import { openDatabase } from "../../helpers/database.ts";
import { forSafe, registerSafe } from "../../../db/safes.ts";
import type { TreasuryDatabase } from "../../../db/handle.ts";

describe("several Safes: which Safe the assistant answers about (assistant/safes/answer)", function () {
  let dir: string;
  let db: TreasuryDatabase;
  let main: number;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "several-safes-"));
    db = openDatabase({ path: join(dir, "treasury.db") });
    const now = Math.floor(Date.now() / 1000);
    main = registerSafe(db, { chainId: 31337, address: "0x5AfE00000000000000000000000000000000cAfE", name: "main", now }).id;
    registerSafe(db, { chainId: 10, address: "0x5AfE00000000000000000000000000000000bEEF", name: "grants", now });
  });
  after(() => {
    closeDatabase(db);
    rmSync(dir, { recursive: true, force: true });
  });

  it("with several Safes and none chosen, asks which one (or across all) instead of answering for one", async () => {
    const answer = await askTreasury({ db, config: {} }, { question: "What are our balances?" });
    assert.match(answer.answer, /This treasury runs 2 Safes \(main, grants\): say which one/);
    const spanish = await askTreasury({ db, config: {} }, { question: "¿Cuál es nuestro saldo?" });
    assert.match(spanish.answer, /Esta tesorería tiene 2 Safes \(main, grants\)/);
  });

  it("with several Safes, refuses a Safe name no Safe has, naming the Safes, in the question's language", async () => {
    const bound = forSafe(db, main);
    const answer = await askTreasury({ db: bound, config: {} }, { question: "How much did we spend in the savings Safe?" });
    assert.match(answer.answer, /^No Safe is called “savings” here; the Safes are: main, grants\./);
    const spanish = await askTreasury({ db: bound, config: {} }, { question: "¿Cuánto gastamos en la Safe de ahorros?" });
    assert.match(spanish.answer, /^Ninguna Safe se llama «ahorros» aquí; las Safes son: main, grants\./);
  });

  it("with several Safes, a DM-style question (the Safe not chosen by the asker) is headed by the Safe it used", async () => {
    const answer = await askTreasury({ db: forSafe(db, main), config: {} }, { question: "What are our balances?", sayWhichSafe: true });
    assert.match(answer.answer, /^Safe “main”: /);
  });
});
