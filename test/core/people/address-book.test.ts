import assert from "node:assert/strict";
import { getAddress } from "viem";
import { closeDatabase } from "../../../db/open.ts";
import { openDatabase } from "../../helpers/database.ts";
import type { TreasuryDatabase } from "../../../db/handle.ts";
import { systemClock } from "../../../core/clock.ts";
import { AddressBookConflictError, addAddressBookEntry, parseAddressInput, resolvePayee } from "../../../core/people/address-book.ts";
import { listAddressBook } from "../../../db/people.ts";
import { forSafe, registerSafe } from "../../../db/safes.ts";
import { InvalidPayeeError } from "../../../core/proposals/errors.ts";

const acme = getAddress("0x1111aaaa2222bbbb3333cccc4444dddd5555eeee");
const blue = getAddress("0x9999aaaa2222bbbb3333cccc4444dddd5555ffff");

describe("address book", () => {
  let db: TreasuryDatabase;
  beforeEach(() => {
    const opened = openDatabase({ path: ":memory:" });
    // The address book is per workspace: it is read and written through a Safe's handle.
    db = forSafe(opened, registerSafe(opened, { chainId: 1, address: getAddress("0x00000000000000000000000000000000000000aa"), now: 1 }).id);
  });
  afterEach(() => closeDatabase(db));

  it("adds payees with labels and categories, lists them by label, and resolves labels case-insensitively", () => {
    addAddressBookEntry({ db, now: systemClock }, { label: "Acme Design Studio", address: acme.toLowerCase(), category: "design", kind: "vendor", addedBy: "ana" });
    addAddressBookEntry({ db, now: systemClock }, { label: "Blue Print Co", address: blue, addedBy: "ben" });
    assert.deepEqual(
      listAddressBook(db).map((entry) => [entry.label, entry.address, entry.category, entry.addedBy]),
      [["Acme Design Studio", acme, "design", "ana"], ["Blue Print Co", blue, null, "ben"]],
    );
    assert.deepEqual(resolvePayee({ db }, "  acme DESIGN studio "), { address: acme, label: "Acme Design Studio" });
    assert.deepEqual(resolvePayee({ db }, blue.toLowerCase()), { address: blue, label: "Blue Print Co" });
  });

  it("keeps labels and addresses unique", () => {
    addAddressBookEntry({ db, now: systemClock }, { label: "Acme", address: acme, addedBy: "ana" });
    assert.throws(() => addAddressBookEntry({ db, now: systemClock }, { label: "ACME", address: blue, addedBy: "ana" }), AddressBookConflictError);
    assert.throws(() => addAddressBookEntry({ db, now: systemClock }, { label: "Other", address: acme, addedBy: "ana" }), /already in the address book as "Acme"/);
    assert.throws(() => addAddressBookEntry({ db, now: systemClock }, { label: "", address: blue, addedBy: "ana" }), /label is empty/);
  });

  it("accepts checksummed and single-case addresses, and refuses a wrong checksum or a malformed one", () => {
    assert.equal(parseAddressInput(acme), acme);
    assert.equal(parseAddressInput(acme.toLowerCase()), acme);
    assert.equal(parseAddressInput(`0x${acme.slice(2).toUpperCase()}`), acme);
    const wrong = acme.replace("Aaaa", "aAaa");
    assert.throws(() => parseAddressInput(wrong), (error: unknown) => error instanceof InvalidPayeeError && /wrong checksum/.test(error.shortMessage));
    assert.throws(() => parseAddressInput("0x123"), /exactly 40 hex digits/);
    assert.throws(() => resolvePayee({ db }, "Nobody"), /not in the address book/);
  });
});
