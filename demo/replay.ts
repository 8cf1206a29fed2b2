import type { Address, Hex } from "viem";
import type { Deployment } from "../core/deployment.ts";
import { createIndexer } from "../indexer/indexer.ts";
import { writeMeta } from "../db/meta.ts";
import { countProposals } from "../db/summary.ts";
import { noteDeposit } from "../core/deposit-notes.ts";
import { shortMessageOf } from "../core/errors.ts";
import { reconcileProposals } from "../core/proposals/reconcile.ts";
import { syncActivity } from "../search/activity.ts";
import { FixtureError, ReplayError } from "./fixture.ts";
import { planReplay, type ReplayStep } from "./plan.ts";
import { recordPeopleAndPayees } from "./replay-people.ts";
import { openReplaySession, type OpenReplaySessionParameters, type ReplaySession } from "./replay-session.ts";
import { createStepRunner, emptyReplayRecord, type ProposalOutcomeCounts, type ReplayRecord } from "./replay-steps.ts";

export type ReplayProgress = {
  /** 1-based number of the step just done, out of `total`. */
  index: number;
  total: number;
  step: ReplayStep;
  /** One line a person can read, e.g. "2026-01-23 p001 executed by Chen Wei". */
  description: string;
  elapsedMs: number;
};

export type ReplayFixtureParameters = OpenReplaySessionParameters & {
  onProgress?: (progress: ReplayProgress) => void;
};

export type ReplayFixtureReturnType = {
  safeAddress: Address;
  chainId: number;
  deployment: Deployment;
  deploymentFile: string;
  databasePath: string;
  /** The fixture's proposal id -> safeTxHash (and the rejection's, for rejected ones). */
  proposals: ReplayRecord["proposals"];
  /** Deposit tx hashes in fixture order. */
  deposits: Hex[];
  outcomes: ProposalOutcomeCounts;
  messages: number;
  steps: number;
  /** Chain events the indexer stored, and the block it indexed up to. */
  indexed: { events: number; toBlock: number };
  /** The last block of the replay and its time (unix s). */
  lastBlock: number;
  lastBlockTime: number;
  elapsedMs: number;
};

/**
 * Replays a fixture onto a fresh local chain through the real flows: deploys
 * the treasury, records members and the address book, then walks the timeline
 * (deposits, proposals, discussion, owner signatures, executions, rejections,
 * cancellations) with every block at the fixture's time, and finally indexes
 * the whole history. Returns when the database holds everything, so history and
 * answers work from the database alone. Deterministic: the same fixture on a
 * chain started at `replayGenesisDate(fixture)` gives the same addresses,
 * transactions and block times. Throws `FixtureError` / `ReplayError` with the
 * step that failed.
 */
export async function replayFixture(parameters: ReplayFixtureParameters): Promise<ReplayFixtureReturnType> {
  const started = performance.now();
  const session = await openReplaySession(parameters);
  await recordPeopleAndPayees(session);

  const record = emptyReplayRecord();
  const runStep = createStepRunner(session, record);
  const plan = planReplay(parameters.fixture);
  for (const [index, step] of plan.entries()) {
    const day = new Date(step.at * 1000).toISOString().slice(0, 10);
    session.setScenarioTime(step.at);
    let description: string;
    try {
      description = await runStep(step);
    } catch (error) {
      if (error instanceof FixtureError) throw error;
      const where = step.kind === "deposit" ? `timeline[${step.entryIndex}] (deposit)` : `${step.proposal.id}`;
      throw new ReplayError(`Replaying ${where}, step "${step.kind}" at ${day}: ${shortMessageOf(error)}`, { cause: error });
    }
    parameters.onProgress?.({ index: index + 1, total: plan.length, step, description: `${day} ${description}`, elapsedMs: performance.now() - started });
  }

  const finished = await finishReplay(session, record);
  return {
    safeAddress: session.safeAddress,
    chainId: session.ctx.chainId,
    deployment: session.deployment,
    deploymentFile: parameters.deploymentFile,
    databasePath: parameters.databasePath,
    proposals: record.proposals,
    deposits: record.deposits,
    outcomes: { ...record.outcomes, pending: countProposals(session.ctx.db, "pending") },
    messages: record.messages,
    steps: plan.length,
    ...finished,
    elapsedMs: performance.now() - started,
  };
}

/**
 * Everything indexed, reconciled and searchable; what happened before now is history, not news: the deposits'
 * notes are written once the indexer knows them, and announcements start after the replay's last block.
 */
async function finishReplay(session: ReplaySession, record: ReplayRecord) {
  const { ctx, clock, client } = session;
  const lastBlockTime = clock.lastBlockTime();
  session.setScenarioTime(lastBlockTime);
  const indexed = await createIndexer({ ctx, progress: "off" }).runOnce();
  reconcileProposals(ctx);
  for (const note of record.depositNotes) {
    session.setScenarioTime(note.at);
    noteDeposit(ctx, { txHash: note.txHash, memo: note.memo, addedBy: "fixture" });
  }
  session.setScenarioTime(lastBlockTime);
  const head = await client.getBlockNumber();
  writeMeta(ctx.db, "announce_after_block", head.toString());
  writeMeta(ctx.db, "seeded_fixture", JSON.stringify({ name: session.fixture.name, lastBlock: Number(head) }));
  try {
    syncActivity(ctx.db);
  } catch (error) {
    ctx.logger.warn({ err: shortMessageOf(error) }, "could not build the search rows; the service builds them on start");
  }
  return { indexed: { events: indexed.events, toBlock: indexed.toBlock }, lastBlock: Number(head), lastBlockTime };
}
