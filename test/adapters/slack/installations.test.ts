import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deleteInstallation, saveInstallation } from "../../../db/installations.ts";
import type { TreasuryDatabase } from "../../../db/handle.ts";
import { createInstallationCache } from "../../../adapters/slack/installations.ts";
import { closeDatabase, openDatabase } from "../../helpers/database.ts";

describe("installation cache: each process reads a workspace's installation at most once per few seconds (adapters/slack/installations.ts)", () => {
  let db: TreasuryDatabase;
  const save = (teamId: string, botToken: string) =>
    saveInstallation(db, { teamId, enterpriseId: null, teamName: teamId, botToken, botUserId: "U0BOT", botId: "B0BOT", installation: { team: { id: teamId } } }, Date.now());

  beforeEach(() => {
    db = openDatabase({ path: join(mkdtempSync(join(tmpdir(), "installations-")), "treasury.db") });
  });
  afterEach(() => closeDatabase(db));

  it("keeps a found installation for its trust period, then reads the table again", async () => {
    const cache = createInstallationCache(db, 150);
    save("T0A", "xoxb-first");
    assert.equal(cache.read("T0A")?.botToken, "xoxb-first");
    // Another process reinstalls: this one keeps what it read until the trust period ends.
    save("T0A", "xoxb-second");
    assert.equal(cache.read("T0A")?.botToken, "xoxb-first");
    await new Promise((done) => setTimeout(done, 200));
    assert.equal(cache.read("T0A")?.botToken, "xoxb-second");
  });

  it("never keeps a missing installation: a workspace that installs is served at once", () => {
    const cache = createInstallationCache(db, 60_000);
    assert.equal(cache.read("T0B"), undefined);
    save("T0B", "xoxb-new");
    assert.equal(cache.read("T0B")?.botToken, "xoxb-new");
  });

  it("forgets a workspace at once when this process stores or removes its installation", () => {
    const cache = createInstallationCache(db, 60_000);
    save("T0C", "xoxb-c");
    assert.equal(cache.read("T0C")?.botToken, "xoxb-c");
    deleteInstallation(db, "T0C");
    cache.forget("T0C");
    assert.equal(cache.read("T0C"), undefined);
  });

  it("reads the same without blocking (load, a request's authorization), and shares what it read with read", async () => {
    const cache = createInstallationCache(db, 60_000);
    assert.equal(await cache.load("T0D"), undefined);
    save("T0D", "xoxb-d1");
    assert.equal((await cache.load("T0D"))?.botToken, "xoxb-d1");
    save("T0D", "xoxb-d2");
    // Within the trust period both give what load read.
    assert.equal(cache.read("T0D")?.botToken, "xoxb-d1");
    assert.equal((await cache.load("T0D"))?.botToken, "xoxb-d1");
    cache.forget("T0D");
    assert.equal((await cache.load("T0D"))?.botToken, "xoxb-d2");
  });

  it("does not keep a read begun before this process forgot the workspace (its own reinstall meanwhile)", async () => {
    const cache = createInstallationCache(db, 60_000);
    save("T0E", "xoxb-e1");
    const reading = cache.load("T0E");
    // This process stores a reinstall while the read is on its way.
    save("T0E", "xoxb-e2");
    cache.forget("T0E");
    await reading;
    assert.equal(cache.read("T0E")?.botToken, "xoxb-e2");
  });
});
