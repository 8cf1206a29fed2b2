import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { createBackfillProgress } from "../../indexer/progress.ts";
import { createLogger } from "../../core/logger.ts";

describe("backfill progress (indexer/progress)", () => {
  it("logs blocks done, blocks left, events per second and an ETA when not on a terminal", async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(JSON.parse(String(chunk))), done()) });
    const progress = createBackfillProgress({ logger: createLogger("info", sink as never), mode: "log", logEverySeconds: 0 });
    await new Promise((done) => setTimeout(done, 20));
    progress.update({ blocksDone: 250, blocksLeft: 750, events: 1000 });
    progress.update({ blocksDone: 1000, blocksLeft: 0, events: 4000 });
    progress.finish();
    await new Promise((done) => setImmediate(done));
    assert.equal(lines.length, 2);
    assert.equal(lines[0].msg, "backfilling");
    assert.equal(lines[0].blocksDone, 250);
    assert.equal(lines[0].blocksLeft, 750);
    assert.ok((lines[0].eventsPerSecond as number) > 0);
    assert.ok(typeof lines[0].etaSeconds === "number" && (lines[0].etaSeconds as number) >= 0);
    assert.equal(lines[1].msg, "backfill done");
  });

  it("says nothing when off", () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
    const progress = createBackfillProgress({ logger: createLogger("info", sink as never), mode: "off" });
    progress.update({ blocksDone: 1, blocksLeft: 1, events: 1 });
    progress.finish();
    assert.equal(lines.length, 0);
  });
});
