import { encodeFunctionData, getAddress, type Address, type Hex } from "viem";
import { recordDiscussionMessage, recordProposalCard } from "../core/discussion.ts";
import { shortMessageOf } from "../core/errors.ts";
import { parseAmount } from "../core/money.ts";
import { upsertMember } from "../core/people/members.ts";
import { buildExecutionCall, recordExecution } from "../core/proposals/execute.ts";
import { proposePayment, proposeTransaction } from "../core/proposals/propose.ts";
import { cancelProposal, proposeRejection } from "../core/proposals/reject.ts";
import { submitSignature } from "../core/proposals/signatures.ts";
import { getProposal, safeTxTypedData, type ProposalView } from "../core/proposals/view.ts";
import { safeAbi } from "../core/safe/artifacts.ts";
import { erc20Abi } from "../core/tokens.ts";
import { ReplayError, type FixtureProposal } from "./fixture.ts";
import type { ReplayStep } from "./plan.ts";
import type { ReplaySession } from "./replay-session.ts";
import { slackMessage } from "./slack.ts";

export type ProposalOutcomeCounts = { executed: number; rejected: number; cancelled: number; pending: number };

/** What the steps did so far, in fixture terms. */
export type ReplayRecord = {
  /** The fixture's proposal id -> safeTxHash (and the rejection's, for rejected ones). */
  proposals: Record<string, { safeTxHash: Hex; rejectionSafeTxHash?: Hex; nonce: number; warnings: string[] }>;
  /** Deposit tx hashes in fixture order. */
  deposits: Hex[];
  /** What people wrote about deposits; noted once the indexer knows the deposits. */
  depositNotes: { txHash: Hex; memo: string; at: number }[];
  outcomes: ProposalOutcomeCounts;
  messages: number;
};

export function emptyReplayRecord(): ReplayRecord {
  return { proposals: {}, deposits: [], depositNotes: [], outcomes: { executed: 0, rejected: 0, cancelled: 0, pending: 0 }, messages: 0 };
}

/**
 * Returns the function that carries out one step of the plan through the real flows (proposing, signing with the
 * member's key as their wallet would, executing from the member's own account, rejecting, cancelling, talking in
 * the card's thread) and says in one line what it did. Results go into `record`.
 */
export function createStepRunner(session: ReplaySession, record: ReplayRecord): (step: ReplayStep) => Promise<string> {
  const { fixture, ctx, client, safeAddress, deployment, nameOf, addressOf, memberAccount } = session;
  const channelId = fixture.slack.channelId;
  const cards = new Map<string, string>();
  let slackSequence = 1;
  const payeeText = (entryId: string) => fixture.addressBook.find((entry) => entry.id === entryId)?.label ?? addressOf(entryId);
  const decimalsOf = (symbol: string) => (symbol === "ETH" ? 18 : fixture.tokens.find((token) => token.symbol === symbol)!.decimals);
  const tokenAddress = (symbol: string) => deployment.tokens.find((token) => token.symbol === symbol)!.address;
  const memberOf = (memberId: string) => fixture.members.find((member) => member.id === memberId)!;

  const proposalOf = (proposal: FixtureProposal) => {
    const known = record.proposals[proposal.id];
    if (!known) throw new ReplayError(`${proposal.id} has no proposal yet.`);
    return known;
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
    const txHash = await session.send(session.accountIndexOf(memberId), at, call, what);
    const outcome = await recordExecution(ctx, { safeTxHash, txHash });
    if (outcome.status !== "executed") throw new ReplayError(`${what}: the Safe ran the transaction but it failed (${txHash}).`);
  };

  const ownerChangeData = async (proposal: FixtureProposal): Promise<Hex> => {
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
  };

  return async function runStep(step: ReplayStep): Promise<string> {
    switch (step.kind) {
      case "deposit": {
        const { deposit } = step;
        const payer = fixture.addressBook.find((entry) => entry.id === deposit.from);
        const from = payer?.account ?? memberOf(deposit.from).account;
        const amount = parseAmount(deposit.amount, decimalsOf(deposit.token), deposit.token);
        let hash: Hex;
        if (deposit.token === "ETH") hash = await session.send(from, step.at, { to: safeAddress, value: amount }, "deposit");
        else {
          // The funder gets the tokens a second earlier, so the deposit itself lands at the fixture's time.
          const token = tokenAddress(deposit.token);
          const funder = session.account(from).address;
          await session.send(
            fixture.accounts.relayer,
            step.at - 1,
            { to: token, data: encodeFunctionData({ abi: erc20Abi, functionName: "mint", args: [funder, amount] }) },
            "minting the deposit",
          );
          hash = await session.send(
            from,
            step.at,
            { to: token, data: encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [safeAddress, amount] }) },
            "deposit",
          );
        }
        record.deposits.push(hash);
        if (deposit.memo) record.depositNotes.push({ txHash: hash, memo: deposit.memo, at: step.at });
        return `received ${deposit.amount} ${deposit.token} from ${payer?.label ?? nameOf(deposit.from)}`;
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
        record.proposals[proposal.id] = { safeTxHash: view.safeTxHash, nonce: view.nonce, warnings: view.warnings.map((warning) => warning.code) };
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
        const member = memberOf(step.by);
        const threadTs = cards.get(proposal.id)!;
        const message = slackMessage(channelId, step.at, slackSequence++, threadTs);
        recordDiscussionMessage(ctx, {
          safeTxHash: proposalOf(proposal).safeTxHash,
          channelId,
          messageTs: message.ts,
          threadTs,
          authorId: member.slackId ?? member.id,
          authorName: member.name,
          text: step.text,
          permalink: message.permalink,
        });
        record.messages++;
        return `${proposal.id} ${member.name}: ${step.text.length > 60 ? `${step.text.slice(0, 57)}...` : step.text}`;
      }
      case "approve":
        await approve(proposalOf(step.proposal).safeTxHash, step.by, step.proposal.id);
        return `${step.proposal.id} approved by ${nameOf(step.by)}`;
      case "execute": {
        const { proposal } = step;
        await execute(proposalOf(proposal).safeTxHash, step.by, step.at, proposal.id);
        if (proposal.kind === "add_owner" || proposal.kind === "remove_owner") {
          const member = memberOf(proposal.owner);
          upsertMember(ctx, { id: member.id, name: member.name, slackUserId: member.slackId ?? null, role: proposal.kind === "add_owner" ? "owner" : "member" });
        }
        record.outcomes.executed++;
        return `${proposal.id} executed by ${nameOf(step.by)}`;
      }
      case "propose_rejection": {
        const known = proposalOf(step.proposal);
        const rejection = await proposeRejection(ctx, { safeTxHash: known.safeTxHash, proposer: step.by });
        known.rejectionSafeTxHash = rejection.safeTxHash;
        return `${step.proposal.id} rejection proposed by ${nameOf(step.by)}`;
      }
      case "approve_rejection":
        await approve(proposalOf(step.proposal).rejectionSafeTxHash!, step.by, `${step.proposal.id} (rejection)`);
        return `${step.proposal.id} rejection approved by ${nameOf(step.by)}`;
      case "execute_rejection":
        await execute(proposalOf(step.proposal).rejectionSafeTxHash!, step.by, step.at, `${step.proposal.id} (rejection)`);
        record.outcomes.rejected++;
        return `${step.proposal.id} rejected (rejection executed by ${nameOf(step.by)})`;
      case "cancel":
        await cancelProposal(ctx, { safeTxHash: proposalOf(step.proposal).safeTxHash, by: step.by });
        record.outcomes.cancelled++;
        return `${step.proposal.id} cancelled by ${nameOf(step.by)}`;
    }
  };
}
