import assert from "node:assert/strict";
import { zeroAddress, type Hex } from "viem";
import { closeDatabase } from "../../../db/open.ts";
import { insertProposal, setProposalStatus } from "../../../db/proposals.ts";
import type { TreasuryDatabase } from "../../../db/handle.ts";
import { buildSafeTx } from "../../../core/safe/safe-tx.ts";
import { findProposal } from "../../../core/proposals/find.ts";
import { AmbiguousProposalError, ProposalNotFoundError } from "../../../core/proposals/errors.ts";
import { InvalidInputError } from "../../../core/errors.ts";
import { openSafeDatabase } from "../../helpers/safe-database.ts";

const safe = "0x00000000000000000000000000000000000005af" as const;

/** A 32-byte hash made of a chosen start and a filler digit. */
const hashOf = (start: string, fill: string): Hex => `0x${start}${fill.repeat(64 - start.length)}` as Hex;

describe("findProposal: a proposal by number, #number, safeTxHash or a unique prefix (core/proposals/find.ts)", () => {
  let db: TreasuryDatabase;
  const store = (safeTxHash: Hex, nonce: number, memo: string, kind: "payment" | "rejection" = "payment") =>
    insertProposal(db, {
      safeTxHash,
      chainId: 31337,
      safeAddress: safe,
      safeTx: buildSafeTx({ to: kind === "rejection" ? safe : zeroAddress, value: 0n, data: "0x", operation: 0, nonce }),
      kind,
      rejectsSafeTxHash: null,
      proposer: "ana",
      memo,
      category: null,
      reviewToken: `token-${safeTxHash}`,
      createdAt: 1_700_000_000 + nonce,
      updatedAt: 1_700_000_000 + nonce,
      transfers: [],
    } as never);

  // 0xabcd1… and 0xabcd2… share four digits; 0x1234… is alone; nonce 7 has two pending proposals; nonce 3 has one executed and one replaced.
  const a1 = hashOf("abcd1", "0");
  const a2 = hashOf("abcd2", "0");
  const solo = hashOf("1234", "f");
  const replaced = hashOf("3333", "1");
  const executed = hashOf("3333", "2");
  before(() => {
    db = openSafeDatabase(":memory:");
    store(a1, 7, "Hosting INV-1");
    store(a2, 7, "", "rejection");
    store(solo, 9, "Logo");
    store(replaced, 3, "first try");
    store(executed, 3, "second try");
    setProposalStatus(db, replaced, "replaced", { at: 1_700_000_100 });
    setProposalStatus(db, executed, "executed", { at: 1_700_000_100 });
  });
  after(() => closeDatabase(db));

  it("item 10: finds a proposal by its number (41 or #41), by full hash in any case, and by a unique prefix with or without 0x", () => {
    assert.equal(findProposal(db, "9").safeTxHash, solo);
    assert.equal(findProposal(db, "#9").safeTxHash, solo);
    assert.equal(findProposal(db, " #3 ").safeTxHash, executed, "on a settled nonce, the proposal the Safe executed");
    assert.equal(findProposal(db, solo.toUpperCase().replace("0X", "0x")).safeTxHash, solo);
    assert.equal(findProposal(db, "0x1234").safeTxHash, solo);
    assert.equal(findProposal(db, "1234ff").safeTxHash, solo);
    assert.equal(findProposal(db, "0xABCD1").safeTxHash, a1);
  });

  it("item 10: says clearly when a prefix or number is ambiguous, listing the candidates, or unknown", () => {
    assert.throws(() => findProposal(db, "0xabcd"), (error: unknown) => {
      assert.ok(error instanceof AmbiguousProposalError);
      assert.match(error.shortMessage, /^0xabcd is the start of 2 proposals' safeTxHash: /);
      assert.ok(error.shortMessage.includes(a1.slice(0, 10)) && error.shortMessage.includes(a2.slice(0, 10)), error.shortMessage);
      assert.match(error.shortMessage, /give more of the hash\.$/);
      return true;
    });
    assert.throws(() => findProposal(db, "#7"), (error: unknown) => {
      assert.ok(error instanceof AmbiguousProposalError);
      assert.match(error.shortMessage, /^#7 is 2 pending proposals on nonce 7: /);
      assert.ok(error.shortMessage.includes(`${a1.slice(0, 10)} (nonce 7, pending "Hosting INV-1")`), error.shortMessage);
      assert.ok(error.shortMessage.includes(`${a2.slice(0, 10)} (nonce 7, pending rejection)`), error.shortMessage);
      return true;
    });
    assert.throws(() => findProposal(db, "0xdead"), (error: unknown) => error instanceof ProposalNotFoundError && /starts with 0xdead/.test(error.shortMessage));
    assert.throws(() => findProposal(db, "41"), (error: unknown) => error instanceof ProposalNotFoundError && error.shortMessage === "No proposal #41 (no proposal uses nonce 41).");
    assert.throws(() => findProposal(db, "0xab"), (error: unknown) => error instanceof InvalidInputError && /at least 4 hex digits/.test(error.shortMessage));
    assert.throws(() => findProposal(db, "acme"), (error: unknown) => error instanceof InvalidInputError && /not a proposal number/.test(error.shortMessage));
    assert.throws(() => findProposal(db, `${solo}0`), (error: unknown) => error instanceof InvalidInputError && /longer than a safeTxHash/.test(error.shortMessage));
  });
});
