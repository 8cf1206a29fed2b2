import {
  createPublicClient,
  createWalletClient,
  custom,
  encodeFunctionData,
  getAddress,
  type Address,
  type EIP1193Provider,
  type Hex,
} from "viem";
import type { Deployment } from "../core/deployment.ts";
import { checkChainIdentity } from "../indexer/chain-identity.ts";
import { createIndexer } from "../indexer/indexer.ts";
import type { TreasuryDatabase } from "../db/handle.ts";
import { writeMeta } from "../db/meta.ts";
import { countProposals, nonEmptyTreasuryTable } from "../db/summary.ts";
import { chainFor, type ChainClient } from "../core/chain.ts";
import { coreConfigSchema, type CoreConfig } from "../core/config.ts";
import type { TreasuryContext } from "../core/context.ts";
import { noteDeposit } from "../core/deposit-notes.ts";
import { recordDiscussionMessage, recordProposalCard } from "../core/discussion.ts";
import { shortMessageOf } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import { parseAmount } from "../core/money.ts";
import { addAddressBookEntry } from "../core/people/address-book.ts";
import { upsertMember } from "../core/people/members.ts";
import { completeLink, createLinkRequest, linkMessage } from "../core/people/wallet-link.ts";
import { buildExecutionCall, recordExecution } from "../core/proposals/execute.ts";
import { proposePayment, proposeTransaction } from "../core/proposals/propose.ts";
import { reconcileProposals } from "../core/proposals/reconcile.ts";
import { cancelProposal, proposeRejection } from "../core/proposals/reject.ts";
import { submitSignature } from "../core/proposals/signatures.ts";
import { getProposal, safeTxTypedData, type ProposalView } from "../core/proposals/view.ts";
import { safeAbi } from "../core/safe/artifacts.ts";
import { describeTreasurySafe } from "../core/safe/setup.ts";
import { erc20Abi } from "../core/tokens.ts";
import { syncActivity } from "../search/activity.ts";
import { developmentAccount, developmentMnemonic } from "../devchain/accounts.ts";
import { ensureDeployment } from "../devchain/ensure-deployment.ts";
import { createChainClock } from "./clock.ts";
import { FixtureError, fixtureTime, resolveFixtureAddress, type Fixture, type FixtureProposal } from "./fixture.ts";
import { planReplay, replayGenesisDate, type ReplayStep } from "./plan.ts";
import { slackMessage } from "./slack.ts";

/** The replay stopped: a step of the fixture could not be carried out on the chain or by the core. */
export class ReplayError extends FixtureError {
  override name = "ReplayError";
}

export type ReplayProgress = {
  /** 1-based number of the step just done, out of `total`. */
  index: number;
  total: number;
  step: ReplayStep;
  /** One line a person can read, e.g. "2026-01-23 p001 executed by Chen Wei". */
  description: string;
  elapsedMs: number;
};

export type ReplayFixtureParameters = {
  fixture: Fixture;
  /** EIP-1193 provider of a fresh local chain (in-process is fastest). */
  provider: EIP1193Provider;
  /** The same chain's JSON-RPC URL (the indexer connects by URL). */
  rpcUrl: string;
  deploymentFile: string;
  /** The open database to replay into; it must hold no treasury yet. */
  db: TreasuryDatabase;
  /** Where it lives (for messages). */
  databasePath: string;
  logger: Logger;
  /** The configuration the core sees; by default the defaults. */
  config?: CoreConfig;
  onProgress?: (progress: ReplayProgress) => void;
};

export type ProposalOutcomeCounts = { executed: number; rejected: number; cancelled: number; pending: number };

export type ReplayFixtureReturnType = {
  safeAddress: Address;
  chainId: number;
  deployment: Deployment;
  deploymentFile: string;
  databasePath: string;
  /** The fixture's proposal id -> safeTxHash (and the rejection's, for rejected ones). */
  proposals: Record<string, { safeTxHash: Hex; rejectionSafeTxHash?: Hex; nonce: number; warnings: string[] }>;
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
  const { fixture, deploymentFile, databasePath, db, logger, onProgress } = parameters;
  const mnemonic = fixture.accounts.mnemonic ?? developmentMnemonic;
  const account = (index: number) => developmentAccount(index, mnemonic);
  const members = new Map(fixture.members.map((member) => [member.id, member]));
  const memberAccount = (memberId: string) => account(members.get(memberId)!.account);
  const addressOf = (entryId: string): Address => resolveFixtureAddress(fixture, entryId, (index) => account(index).address)!;

  const chainId = Number(await parameters.provider.request({ method: "eth_chainId" }));
  if (chainId !== fixture.chainId)
    throw new FixtureError(`The fixture is for chain ${fixture.chainId}, but the chain given is ${chainId}.`);

  const clock = await createChainClock(parameters.provider);
  const chain = chainFor(chainId, parameters.rpcUrl);
  // No transport retries: a simulation reverts on purpose, and a retried revert only waits (150 + 300 + 600 ms).
  const client = createPublicClient({ chain, transport: custom(clock.provider, { retryCount: 0 }), cacheTime: 0, pollingInterval: 20 }) as ChainClient;
  const walletOf = (index: number) => createWalletClient({ account: account(index), chain, transport: custom(clock.provider) });

  if (clock.lastBlockTime() >= fixtureTime(fixture.timeline[0].at))
    throw new ReplayError(
      `The chain's time (${new Date(clock.lastBlockTime() * 1000).toISOString()}) is past the fixture's first event; start it with initialDate ${replayGenesisDate(fixture).toISOString()}.`,
    );

  const holding = nonEmptyTreasuryTable(db);
  if (holding) throw new FixtureError(`${databasePath} already holds a treasury (${holding} is not empty); replay into a new database.`);
  // The treasury: the fixture's first owners and threshold, its tokens, and no money (deposits bring it).
  const owners = fixture.safe.owners.map((owner) => memberAccount(owner).address);
  const { deployment, deployed } = await ensureDeployment({
    provider: clock.provider,
    file: deploymentFile,
    owners,
    threshold: fixture.safe.threshold,
    tokens: fixture.tokens,
    initialFunds: null,
  });
  const safeAddress = deployment.safe.address;
  if (!deployed) {
    const nonce = await client.readContract({ address: safeAddress, abi: safeAbi, functionName: "nonce" });
    if (nonce !== 0n)
      throw new ReplayError(`The chain already holds this treasury with history (Safe nonce ${nonce}); a replay needs a fresh chain.`);
  }

  const config = parameters.config ?? coreConfigSchema.parse({ DATABASE_PATH: databasePath, LOG_LEVEL: "silent" });
  // The scenario's clock: every record the core writes carries the time of the step that wrote it.
  const setupTime = fixtureTime(fixture.timeline[0].at) - 3600;
  let scenarioTime = setupTime;
  const ctx: TreasuryContext = {
    config,
    chainId,
    rpcUrl: parameters.rpcUrl,
    safeAddress,
    client,
    db,
    safe: await describeTreasurySafe(client, safeAddress, { creationBlock: deployment.safe.creationBlock }),
    tokens: deployment.tokens,
    logger,
    now: () => scenarioTime,
  };
  await checkChainIdentity(db, client, safeAddress, databasePath);

  // People and payees, just before the first event.
  for (const member of fixture.members) {
    upsertMember(ctx, { id: member.id, name: member.name, slackUserId: member.slackId ?? null, role: member.role });
    // Each member proves their wallet the way the link page has them do it: a one-time SIWE message, signed.
    const request = createLinkRequest(ctx, { memberId: member.id });
    const wallet = account(member.account);
    const message = linkMessage(ctx, { token: request.token, address: wallet.address });
    await completeLink(ctx, { token: request.token, message, signature: await wallet.signMessage({ message }) });
  }
  const addedBy = fixture.safe.owners[0];
  for (const entry of fixture.addressBook)
    addAddressBookEntry(ctx, { label: entry.label, address: addressOf(entry.id), category: entry.category, kind: entry.kind, note: entry.note, addedBy });

  const payeeText = (entryId: string) => fixture.addressBook.find((entry) => entry.id === entryId)?.label ?? addressOf(entryId);
  const decimalsOf = (symbol: string) => (symbol === "ETH" ? 18 : fixture.tokens.find((token) => token.symbol === symbol)!.decimals);
  const tokenAddress = (symbol: string) => deployment.tokens.find((token) => token.symbol === symbol)!.address;
  const nameOf = (memberId: string) => members.get(memberId)?.name ?? memberId;
  const channelId = fixture.slack.channelId;
  const cards = new Map<string, string>();
  const depositNotes: { txHash: Hex; memo: string; at: number }[] = [];
  let slackSequence = 1;

  const result: ReplayFixtureReturnType = {
    safeAddress,
    chainId,
    deployment,
    deploymentFile,
    databasePath,
    proposals: {},
    deposits: [],
    outcomes: { executed: 0, rejected: 0, cancelled: 0, pending: 0 },
    messages: 0,
    steps: 0,
    indexed: { events: 0, toBlock: 0 },
    lastBlock: 0,
    lastBlockTime: 0,
    elapsedMs: 0,
  };
  const hashOf = (proposal: FixtureProposal) => {
    const known = result.proposals[proposal.id];
    if (!known) throw new ReplayError(`${proposal.id} has no proposal yet.`);
    return known;
  };

  const send = async (fromIndex: number, at: number, request: { to: Address; data?: Hex; value?: bigint }, what: string) => {
    clock.moveTo(at);
    const hash = await walletOf(fromIndex).sendTransaction({ to: request.to, data: request.data, value: request.value ?? 0n });
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    if (receipt.status !== "success") throw new ReplayError(`${what}: the transaction ${hash} reverted.`);
    return hash;
  };

  const approve = async (safeTxHash: Hex, memberId: string, what: string) => {
    const view = await getProposal(ctx, safeTxHash, { warnings: false });
    const signature = await memberAccount(memberId).signTypedData(safeTxTypedData(ctx, view) as never);
    try {
      await submitSignature(ctx, { safeTxHash, signature, source: "wallet" });
    } catch (error) {
      throw new ReplayError(`${what}: ${nameOf(memberId)}'s approval was refused: ${shortMessageOf(error)}`, { cause: error });
    }
  };

  const execute = async (safeTxHash: Hex, memberId: string, at: number, what: string) => {
    // As from the review page: the owner's own wallet sends execTransaction, then the page records the outcome.
    const call = await buildExecutionCall(ctx, safeTxHash);
    const txHash = await send(members.get(memberId)!.account, at, call, what);
    const outcome = await recordExecution(ctx, { safeTxHash, txHash });
    if (outcome.status !== "executed") throw new ReplayError(`${what}: the Safe ran the transaction but it failed (${txHash}).`);
  };

  const plan = planReplay(fixture);
  for (const [index, step] of plan.entries()) {
    const day = new Date(step.at * 1000).toISOString().slice(0, 10);
    let description: string;
    scenarioTime = step.at;
    try {
      description = await runStep(step);
    } catch (error) {
      if (error instanceof FixtureError) throw error;
      const where = step.kind === "deposit" ? `timeline[${step.entryIndex}] (deposit)` : `${step.proposal.id}`;
      throw new ReplayError(`Replaying ${where}, step "${step.kind}" at ${day}: ${shortMessageOf(error)}`, { cause: error });
    }
    result.steps++;
    onProgress?.({ index: index + 1, total: plan.length, step, description: `${day} ${description}`, elapsedMs: performance.now() - started });
  }

  async function runStep(step: ReplayStep): Promise<string> {
    switch (step.kind) {
      case "deposit": {
        const { deposit } = step;
        const from = fixture.addressBook.find((entry) => entry.id === deposit.from)?.account ?? members.get(deposit.from)!.account;
        const amount = parseAmount(deposit.amount, decimalsOf(deposit.token), deposit.token);
        let hash: Hex;
        if (deposit.token === "ETH") hash = await send(from, step.at, { to: safeAddress, value: amount }, "deposit");
        else {
          // The funder gets the tokens a second earlier, so the deposit itself lands at the fixture's time.
          const token = tokenAddress(deposit.token);
          const funder = account(from).address;
          await send(
            fixture.accounts.relayer,
            step.at - 1,
            { to: token, data: encodeFunctionData({ abi: erc20Abi, functionName: "mint", args: [funder, amount] }) },
            "minting the deposit",
          );
          hash = await send(
            from,
            step.at,
            { to: token, data: encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [safeAddress, amount] }) },
            "deposit",
          );
        }
        result.deposits.push(hash);
        if (deposit.memo) depositNotes.push({ txHash: hash, memo: deposit.memo, at: step.at });
        const sender = fixture.addressBook.find((entry) => entry.id === deposit.from)?.label ?? nameOf(deposit.from);
        return `received ${deposit.amount} ${deposit.token} from ${sender}`;
      }
      case "propose": {
        const { proposal } = step;
        const proposer = proposal.proposer;
        let view: ProposalView;
        if (proposal.kind === "transfer" || proposal.kind === "batch") {
          view = await proposePayment(ctx, {
            payments: proposal.transfers.map((transfer) => ({ amount: transfer.amount, token: transfer.token, payee: payeeText(transfer.to) })),
            proposer,
            memo: proposal.memo,
            category: proposal.category,
          });
        } else {
          view = await proposeTransaction(ctx, {
            to: safeAddress,
            value: 0n,
            data: await ownerChangeData(proposal),
            operation: 0,
            proposer,
            memo: proposal.memo,
            category: proposal.category,
            kind: "owner_change",
          });
        }
        result.proposals[proposal.id] = {
          safeTxHash: view.safeTxHash,
          nonce: view.nonce,
          warnings: view.warnings.map((warning) => warning.code),
        };
        const card = slackMessage(channelId, step.at, slackSequence++);
        cards.set(proposal.id, card.ts);
        recordProposalCard(ctx, { safeTxHash: view.safeTxHash, channelId, messageTs: card.ts, permalink: card.permalink });
        const what =
          proposal.kind === "transfer" || proposal.kind === "batch"
            ? proposal.transfers.map((transfer) => `${transfer.amount} ${transfer.token} to ${payeeText(transfer.to)}`).join(", ")
            : proposal.memo;
        return `${proposal.id} proposed by ${nameOf(proposer)}: ${what} (nonce ${view.nonce})`;
      }
      case "message": {
        const { proposal } = step;
        const member = members.get(step.by)!;
        const threadTs = cards.get(proposal.id)!;
        const message = slackMessage(channelId, step.at, slackSequence++, threadTs);
        recordDiscussionMessage(ctx, {
          safeTxHash: hashOf(proposal).safeTxHash,
          channelId,
          messageTs: message.ts,
          threadTs,
          authorId: member.slackId ?? member.id,
          authorName: member.name,
          text: step.text,
          permalink: message.permalink,
        });
        result.messages++;
        return `${proposal.id} ${member.name}: ${step.text.length > 60 ? `${step.text.slice(0, 57)}...` : step.text}`;
      }
      case "approve":
        await approve(hashOf(step.proposal).safeTxHash, step.by, step.proposal.id);
        return `${step.proposal.id} approved by ${nameOf(step.by)}`;
      case "execute": {
        const { proposal } = step;
        await execute(hashOf(proposal).safeTxHash, step.by, step.at, proposal.id);
        if (proposal.kind === "add_owner" || proposal.kind === "remove_owner") {
          const member = members.get(proposal.owner)!;
          upsertMember(ctx, { id: member.id, name: member.name, slackUserId: member.slackId ?? null, role: proposal.kind === "add_owner" ? "owner" : "member" });
        }
        result.outcomes.executed++;
        return `${proposal.id} executed by ${nameOf(step.by)}`;
      }
      case "propose_rejection": {
        const known = hashOf(step.proposal);
        const rejection = await proposeRejection(ctx, { safeTxHash: known.safeTxHash, proposer: step.by });
        known.rejectionSafeTxHash = rejection.safeTxHash;
        return `${step.proposal.id} rejection proposed by ${nameOf(step.by)}`;
      }
      case "approve_rejection":
        await approve(hashOf(step.proposal).rejectionSafeTxHash!, step.by, `${step.proposal.id} (rejection)`);
        return `${step.proposal.id} rejection approved by ${nameOf(step.by)}`;
      case "execute_rejection":
        await execute(hashOf(step.proposal).rejectionSafeTxHash!, step.by, step.at, `${step.proposal.id} (rejection)`);
        result.outcomes.rejected++;
        return `${step.proposal.id} rejected (rejection executed by ${nameOf(step.by)})`;
      case "cancel":
        await cancelProposal(ctx, { safeTxHash: hashOf(step.proposal).safeTxHash, by: step.by });
        result.outcomes.cancelled++;
        return `${step.proposal.id} cancelled by ${nameOf(step.by)}`;
    }
  }

  async function ownerChangeData(proposal: FixtureProposal): Promise<Hex> {
    if (proposal.kind === "add_owner")
      return encodeFunctionData({
        abi: safeAbi,
        functionName: "addOwnerWithThreshold",
        args: [memberAccount(proposal.owner).address, BigInt(proposal.threshold)],
      });
    if (proposal.kind === "change_threshold")
      return encodeFunctionData({ abi: safeAbi, functionName: "changeThreshold", args: [BigInt(proposal.threshold)] });
    if (proposal.kind === "remove_owner") {
      const current = (await client.readContract({ address: safeAddress, abi: safeAbi, functionName: "getOwners" })) as Address[];
      const owner = memberAccount(proposal.owner).address;
      const position = current.findIndex((candidate) => getAddress(candidate) === owner);
      if (position < 0) throw new ReplayError(`${proposal.id}: ${nameOf(proposal.owner)} is not an owner.`);
      const previous = position === 0 ? "0x0000000000000000000000000000000000000001" : current[position - 1];
      return encodeFunctionData({ abi: safeAbi, functionName: "removeOwner", args: [previous, owner, BigInt(proposal.threshold)] });
    }
    throw new ReplayError(`${proposal.id}: not an owner change.`);
  }

  // Everything indexed, reconciled and searchable; what happened before now is history, not news.
  const lastTime = clock.lastBlockTime();
  scenarioTime = lastTime;
  const indexed = await createIndexer({ ctx, progress: "off" }).runOnce();
  reconcileProposals(ctx);
  // What people wrote about the deposits, once the indexer knows them.
  for (const note of depositNotes) {
    scenarioTime = note.at;
    noteDeposit(ctx, { txHash: note.txHash, memo: note.memo, addedBy: "fixture" });
  }
  scenarioTime = lastTime;
  const head = await client.getBlockNumber();
  writeMeta(db, "announce_after_block", head.toString());
  writeMeta(db, "seeded_fixture", JSON.stringify({ name: fixture.name, lastBlock: Number(head) }));
  try {
    syncActivity(db);
  } catch (error) {
    logger.warn({ err: shortMessageOf(error) }, "could not build the search rows; the service builds them on start");
  }

  result.outcomes.pending = countProposals(db, "pending");
  result.indexed = { events: indexed.events, toBlock: indexed.toBlock };
  result.lastBlock = Number(head);
  result.lastBlockTime = lastTime;
  result.elapsedMs = performance.now() - started;
  return result;
}
