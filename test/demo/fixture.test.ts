import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { bundledFixture, FixtureError, loadFixture, parseFixture } from "../../demo/fixture.ts";
import { miniFixtureJson } from "./mini-fixture.ts";

type Json = { timeline: Array<Record<string, unknown>>; [key: string]: unknown };

describe("fixture format (demo/fixture.ts)", () => {
  it("reads the bundled fixture, the same as the shared one", () => {
    const shared = resolve(bundledFixture, "../../../../shared/fixtures/lighthouse-2026.json");
    if (existsSync(shared)) assert.deepEqual(JSON.parse(readFileSync(bundledFixture, "utf8")), JSON.parse(readFileSync(shared, "utf8")));
    const fixture = loadFixture(bundledFixture);
    assert.equal(fixture.timeline.length, 51);
    assert.deepEqual(fixture.safe, { owners: ["ana", "ben", "chen"], threshold: 2, name: "Lighthouse treasury" });
    const p035 = fixture.timeline.find((entry) => entry.type === "proposal" && entry.id === "p035");
    assert.equal(p035?.type === "proposal" && p035.kind, "add_owner");
  });

  const refusal = (change: (json: Json) => void): string => {
    const json = miniFixtureJson() as Json;
    change(json);
    try {
      parseFixture(json, "test.json");
    } catch (error) {
      assert.ok(error instanceof FixtureError, String(error));
      return error.shortMessage;
    }
    assert.fail("the fixture was accepted");
  };

  it("names the problem in a fixture it cannot replay", () => {
    assert.match(refusal((json) => (json.timeline[3].proposer = "zoe")), /timeline\[3\] \(p001\): unknown member "zoe"/);
    assert.match(refusal((json) => (json.timeline[0].token = "WBTC")), /timeline\[0\]: unknown token "WBTC"/);
    assert.match(refusal((json) => (json.timeline[0].amount = "-5")), /timeline\.0\.amount is not a plain decimal amount/);
    assert.match(refusal((json) => (json.timeline[2].amount = "1.0000001")), /timeline\[2\]: amount 1\.0000001 USDC is not usable/);
    assert.match(
      refusal((json) => ((json.timeline[3].transfers as Array<Record<string, string>>)[0].to = "nobody")),
      /timeline\[3\] \(p001\): unknown payee "nobody"/,
    );
    assert.match(refusal((json) => (json.timeline[1].at = "2025-12-31T00:00:00Z")), /before the entry above it/);
    assert.match(refusal((json) => delete json.timeline[3].executor), /executed proposal needs executedAt and executor/);
    assert.match(
      refusal((json) => {
        const p041 = json.timeline.find((entry) => entry.id === "p041")!;
        p041.approvals = [{ by: "ana", at: "2026-09-22T11:00:00Z" }];
      }),
      /only a proposal nobody approved can be cancelled/,
    );
    assert.match(refusal((json) => ((json.safe as { threshold: number }).threshold = 5)), /threshold 5 is above the number of owners/);
    assert.match(refusal((json) => (json.version = 2)), /^test\.json: version /);
  });

  it("says what is wrong with a file that is not a fixture", () => {
    const dir = mkdtempSync(join(tmpdir(), "treasury-fixture-"));
    writeFileSync(join(dir, "bad.json"), "{ not json");
    assert.throws(() => loadFixture(join(dir, "bad.json")), /is not valid JSON/);
    assert.throws(() => loadFixture(join(dir, "missing.json")), /Cannot read the fixture/);
  });
});
