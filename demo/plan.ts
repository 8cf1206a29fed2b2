import { fixtureTime, type Fixture, type FixtureDeposit, type FixtureProposal } from "./fixture.ts";

/** One thing that happens in a replay, at one moment (unix seconds). */
export type ReplayStep =
  | { kind: "deposit"; at: number; entryIndex: number; deposit: FixtureDeposit }
  | { kind: "propose"; at: number; entryIndex: number; proposal: FixtureProposal }
  | { kind: "message"; at: number; entryIndex: number; proposal: FixtureProposal; by: string; text: string; messageIndex: number }
  | { kind: "approve"; at: number; entryIndex: number; proposal: FixtureProposal; by: string }
  | { kind: "execute"; at: number; entryIndex: number; proposal: FixtureProposal; by: string }
  | { kind: "propose_rejection"; at: number; entryIndex: number; proposal: FixtureProposal; by: string }
  | { kind: "approve_rejection"; at: number; entryIndex: number; proposal: FixtureProposal; by: string }
  | { kind: "execute_rejection"; at: number; entryIndex: number; proposal: FixtureProposal; by: string }
  | { kind: "cancel"; at: number; entryIndex: number; proposal: FixtureProposal; by: string };

export type ReplayStepKind = ReplayStep["kind"];

const minute = 60;

/**
 * Expands the fixture's timeline into the steps of a replay, in the order they
 * happen: each proposal's messages, approvals and outcome land at their own
 * times, between other entries where they belong. Steps at the same second keep
 * the fixture's order. Deterministic: the same fixture gives the same plan.
 */
export function planReplay(fixture: Fixture): ReplayStep[] {
  const steps: Array<ReplayStep & { order: number }> = [];
  let order = 0;
  const add = (step: ReplayStep) => steps.push({ ...step, order: order++ });

  for (const [entryIndex, entry] of fixture.timeline.entries()) {
    const at = fixtureTime(entry.at);
    if (entry.type === "deposit") {
      add({ kind: "deposit", at, entryIndex, deposit: entry });
      continue;
    }
    const proposal = entry;
    add({ kind: "propose", at, entryIndex, proposal });
    for (const [messageIndex, said] of proposal.discussion.entries())
      add({ kind: "message", at: fixtureTime(said.at), entryIndex, proposal, by: said.by, text: said.text, messageIndex });
    for (const approved of proposal.approvals) add({ kind: "approve", at: fixtureTime(approved.at), entryIndex, proposal, by: approved.by });
    const lastActivity = Math.max(
      at,
      ...proposal.discussion.map((said) => fixtureTime(said.at)),
      ...proposal.approvals.map((approved) => fixtureTime(approved.at)),
    );

    if (proposal.outcome === "executed")
      add({ kind: "execute", at: fixtureTime(proposal.executedAt!), entryIndex, proposal, by: proposal.executor! });
    else if (proposal.outcome === "rejected") {
      const signers = proposal.rejectionSigners!;
      const rejectedAt = fixtureTime(proposal.rejectedAt!);
      // The fixture gives only the rejection's execution time: the rejection is proposed a minute after the
      // last word on the proposal, and its signatures follow a minute apart (squeezed in before the execution).
      const start = Math.min(lastActivity + minute, rejectedAt - (signers.length + 1) * minute);
      add({ kind: "propose_rejection", at: Math.max(start, at), entryIndex, proposal, by: signers[0] });
      for (const [index, signer] of signers.entries())
        add({ kind: "approve_rejection", at: Math.max(start + (index + 1) * minute, at), entryIndex, proposal, by: signer });
      add({ kind: "execute_rejection", at: rejectedAt, entryIndex, proposal, by: signers[0] });
    } else if (proposal.outcome === "cancelled") {
      const cancelledAt = proposal.cancelledAt ? fixtureTime(proposal.cancelledAt) : lastActivity + minute;
      add({ kind: "cancel", at: cancelledAt, entryIndex, proposal, by: proposal.proposer });
    }
  }

  steps.sort((a, b) => a.at - b.at || a.order - b.order);
  return steps.map(({ order: _order, ...step }) => step as ReplayStep);
}

/** The chain's genesis time for a replay of this fixture: one day before its first event. Deterministic. */
export function replayGenesisDate(fixture: Fixture): Date {
  return new Date((fixtureTime(fixture.timeline[0].at) - 24 * 60 * 60) * 1000);
}

/** Counts of the fixture's proposals by outcome, and its deposits. */
export function fixtureOutcomes(fixture: Fixture): { deposits: number; executed: number; rejected: number; cancelled: number; pending: number } {
  const counts = { deposits: 0, executed: 0, rejected: 0, cancelled: 0, pending: 0 };
  for (const entry of fixture.timeline) {
    if (entry.type === "deposit") counts.deposits++;
    else counts[entry.outcome]++;
  }
  return counts;
}
