import assert from "node:assert/strict";
import { bundledFixture, fixtureTime, loadFixture } from "../../demo/fixture.ts";
import { fixtureOutcomes, planReplay, replayGenesisDate, type ReplayStep } from "../../demo/plan.ts";

const label = (step: ReplayStep) => `${step.kind === "deposit" ? "deposit" : step.proposal.id} ${step.kind}`;

describe("replay plan (demo/plan.ts)", () => {
  const fixture = loadFixture(bundledFixture);
  const plan = planReplay(fixture);
  const position = (text: string) => plan.findIndex((step) => label(step) === text);

  it("puts every step at its own time, in time order, interleaving proposals that overlap", () => {
    for (let index = 1; index < plan.length; index++) assert.ok(plan[index - 1].at <= plan[index].at, `${label(plan[index])} out of order`);
    // p019 is proposed before p018 executes; p018 (nonce n) executes before p019 (nonce n + 1).
    assert.ok(position("p019 propose") < position("p018 execute"));
    assert.ok(position("p018 execute") < position("p019 execute"));
    // Same second: the fixture's order holds (p027 executes, then p028 is proposed).
    assert.equal(plan[position("p027 execute")].at, plan[position("p028 propose")].at);
    assert.ok(position("p027 execute") < position("p028 propose"));
    // Dana approves only after the owner change that makes her an owner has executed.
    const danaFirst = plan.findIndex((step) => step.kind === "approve" && step.by === "dana");
    assert.ok(position("p035 execute") < danaFirst);
  });

  it("places the rejection and the cancellation the fixture gives no time for", () => {
    const rejection = plan.filter((step) => step.kind !== "deposit" && step.proposal.id === "p039").map((step) => [step.kind, new Date(step.at * 1000).toISOString()]);
    assert.deepEqual(rejection, [
      ["propose", "2026-09-08T10:00:00.000Z"],
      ["message", "2026-09-08T12:00:00.000Z"],
      ["message", "2026-09-08T13:00:00.000Z"],
      ["propose_rejection", "2026-09-08T13:01:00.000Z"],
      ["approve_rejection", "2026-09-08T13:02:00.000Z"],
      ["approve_rejection", "2026-09-08T13:03:00.000Z"],
      ["execute_rejection", "2026-09-09T10:00:00.000Z"],
    ]);
    const cancel = plan.find((step) => step.kind === "cancel")!;
    assert.equal(new Date(cancel.at * 1000).toISOString(), "2026-09-22T12:01:00.000Z");
  });

  it("is deterministic, with a genesis one day before the first event", () => {
    assert.deepEqual(planReplay(fixture), plan);
    assert.equal(replayGenesisDate(fixture).toISOString(), "2026-01-04T10:00:00.000Z");
    assert.ok(fixtureTime(fixture.timeline[0].at) > replayGenesisDate(fixture).getTime() / 1000);
    assert.deepEqual(fixtureOutcomes(fixture), { deposits: 8, executed: 39, rejected: 1, cancelled: 1, pending: 2 });
    assert.equal(plan.length, 196);
  });
});
