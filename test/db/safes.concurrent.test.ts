import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getAddress } from "viem";
import { connectionOf } from "../../db/connection.ts";
import { closeDatabase } from "../../db/open.ts";
import { listSafes, registerSafe } from "../../db/safes.ts";
import { openDatabase, testEngine } from "../helpers/database.ts";

const safe = getAddress("0x5afe00000000000000000000000000000000c0de");
const starters = 3;

/** A registering process: resolves with its stdout once "ready" is printed, and `exited` with all of it. */
function startRegistering(path: string, goFile: string) {
  const child = spawn(process.execPath, ["--import", "tsx", join("test", "db", "register-safe-child.ts"), path, goFile, "31337", safe], { env: process.env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr.on("data", (chunk) => (err += chunk));
  const ready = new Promise<void>((done) => child.stdout.on("data", (chunk) => ((out += chunk), out.includes("ready") && done())));
  const exited = new Promise<{ code: number | null; out: string; err: string }>((done) => child.on("exit", (code) => done({ code, out, err })));
  return { ready, exited };
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Services starting together on an empty database each register the
 * deployment's Safe. Here the test is the first starter, caught in the middle
 * of its registration (inserted, not committed), while three other processes
 * register the same Safe and run into its row: every one must end with that
 * row's id, and the database with one Safe.
 */
describe("registering the same Safe from several processes at once (db/safes.ts registerSafe, the start-up race)", function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "treasury-safe-race-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it(`${starters} processes registering while another one's insert is uncommitted all get its row's id; one row in the end`, async () => {
    const path = join(dir, "treasury.db");
    const goFile = join(dir, "go");
    const db = openDatabase({ path });
    const watcher = openDatabase({ path });
    try {
      const children = Array.from({ length: starters }, () => startRegistering(path, goFile));
      await Promise.all(children.map((child) => child.ready));
      let blocked = 0;
      const first = connectionOf(db).transaction(() => {
        const registered = registerSafe(db, { chainId: 31337, address: safe, now: 1 });
        writeFileSync(goFile, "");
        if (testEngine === "postgres") {
          // Held until every other starter waits on this uncommitted row (PostgreSQL shows who waits on a lock).
          const waiting = () =>
            Number(connectionOf(watcher).prepare("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO safes%'").pluck().get());
          for (let tries = 0; tries < 600 && (blocked = waiting()) < starters; tries++) sleep(50);
        } else {
          // SQLite shows no waiters: long enough for each to reach its insert and wait for the write lock.
          sleep(1500);
        }
        return registered;
      })();
      if (testEngine === "postgres") assert.equal(blocked, starters, "every other starter was waiting on the uncommitted row");
      const results = await Promise.all(children.map((child) => child.exited));
      for (const result of results) assert.equal(result.code, 0, result.err);
      const answers = results.map((result) => JSON.parse(result.out.trim().split("\n").at(-1)!) as { id?: number; error?: string });
      assert.deepEqual(answers, Array.from({ length: starters }, () => ({ id: first.id })));
      assert.deepEqual(
        listSafes(db).map(({ id, chainId, address, name }) => ({ id, chainId, address, name })),
        [{ id: first.id, chainId: 31337, address: safe, name: "main" }],
      );
    } finally {
      closeDatabase(watcher);
      closeDatabase(db);
    }
  });
});
