import type { Address } from "viem";
import type { TreasuryContext } from "../../core/context.ts";
import { RetryableError, TreasuryError, shortMessageOf } from "../../core/errors.ts";
import { formatAmountForPeople } from "../../core/money.ts";
import { readSafeState } from "../../core/safe/read-state.ts";
import { answerQuestion } from "./assistant-entry.ts";
import { actionIds, escapeText } from "./card.ts";
import { findCard, publishCard, refreshCard } from "./cards.ts";
import type { PaymentRequest } from "./commands/parse.ts";
import { rejectProposal } from "../../core/proposals/reject.ts";
import { listProposals } from "../../core/proposals/view.ts";
import { proposePayment } from "../../core/proposals/propose.ts";
import { createLinkRequest } from "../../core/people/wallet-link.ts";
import { upsertMember } from "../../core/people/members.ts";
import { findMemberBySlackUser } from "../../db/people.ts";
import { linkUrl } from "../web/pages/urls.ts";
import { addAddressBookEntry } from "../../core/people/address-book.ts";
import { findAddressBookEntry } from "../../db/people.ts";
import type { SlackDeps } from "./deps.ts";
import { storeDiscussion, type DiscussionEvent } from "./discussion.ts";
import { assertMayPropose, assertOwner, proposerOf, resolveActor } from "./identity.ts";
import { postOnce } from "./post-once.ts";
import { repliesOnce } from "./replies-once.ts";
import { checkPayments } from "./pay-check.ts";
import type { PendingPayment } from "./payee-modal.ts";
import { bindChannel, enqueueJob, readProposalOrigin, recordSlackProposal, saveJobResult, type ProposalCardAt, type SlackJob } from "../../db/slack.ts";
import { knownErc20Tokens } from "../../core/proposals/tokens.ts";
import { defaultChannelOf, safeOfTreasury, safeWords, servesSeveralSafes, workspaceOfTreasury } from "./safes.ts";

/**
 * Job payloads, by kind. `safe` names the treasury (channel binding) the job
 * acts on; `workspace` the Slack workspace the request came from (`""` the
 * home one; absent in jobs queued before workspaces: the Safe's workspace).
 */
type InWorkspace = { workspace?: string };
export type ProposeJob = InWorkspace & {
  safe: Address;
  channelId: string;
  userId: string;
  payments: PaymentRequest[];
  memo?: string;
  category?: string;
  /** Where to post the card when the command came from a DM. */
  cardChannelId: string;
};
export type CommandJob = InWorkspace & {
  safe: Address;
  channelId: string;
  userId: string;
  command: "proposals" | "balance" | "link" | "bind" | "refuse";
  /** For `refuse`: what the person is told (nothing else is done). */
  refusal?: string;
};
export type AssistantJob = InWorkspace & {
  safe: Address;
  channelId: string;
  userId: string;
  question: string;
  via: "command" | "mention" | "dm";
  threadTs?: string;
  /** When set, the question is not asked; this is said instead (unbound channel, oversized text). */
  refusal?: string;
};
export type ActionJob = InWorkspace & { safe: Address; actionId: string; safeTxHash: string; userId: string; channelId: string };
/** `card`: the card whose thread a new reply is in, as the web process found it (absent in older jobs: looked up). */
export type DiscussionJob = InWorkspace & { safe: Address; event: DiscussionEvent; card?: ProposalCardAt };
/** Add a payee from the payee form, then propose the payment that waited for it (if any). */
export type PayeeJob = InWorkspace & {
  safe: Address;
  channelId: string;
  userId: string;
  label: string;
  address: Address;
  category: string | null;
  pending?: PendingPayment;
};

/** A job failed in a way the person should hear about; not retried. */
class ReplyError extends TreasuryError {
  override name = "SlackReplyError";
}

/** The treasury a job acts on; never a Safe of another workspace than the job's (refused as not served). */
export function treasuryFor(deps: SlackDeps, safe: string, workspace?: string): TreasuryContext {
  const ctx = deps.treasuries.get(safe as Address);
  if (!ctx || (workspace !== undefined && workspaceOfTreasury(ctx) !== workspace)) throw new ReplyError(`This app no longer serves the Safe ${safe} here.`);
  return ctx;
}

const ephemeral = (deps: SlackDeps, channel: string, user: string, text: string) => deps.api.postEphemeral({ channel, user, text });

/**
 * Runs one job. Mistakes of the person (bad input, not allowed) are answered
 * with an ephemeral message naming the problem and the job is done; a
 * `RetryableError` or a Web API failure propagates so the worker retries it.
 */
export async function runJob(shared: SlackDeps, job: SlackJob): Promise<void> {
  const payload = job.payload as { safe: Address; channelId?: string; userId?: string; workspace?: string };
  // Every Web API call of the job uses the bot token of the workspace it came from (or, for older jobs, of its Safe's).
  const known = shared.treasuries.get(payload.safe);
  const workspace = payload.workspace ?? (known ? workspaceOfTreasury(known) : "");
  const deps: SlackDeps = { ...shared, api: repliesOnce(shared.ctx.db, shared.apiFor(workspace), job) };
  try {
    switch (job.kind) {
      case "propose":
        return await runPropose(deps, job, job.payload as ProposeJob);
      case "command":
        return await runCommand(deps, job.payload as CommandJob);
      case "assistant":
        return await runAssistant(deps, job, job.payload as AssistantJob);
      case "action":
        return await runAction(deps, job, job.payload as ActionJob);
      case "discussion":
        await storeDiscussion(deps, treasuryFor(deps, payload.safe, payload.workspace), (job.payload as DiscussionJob).event, (job.payload as DiscussionJob).card);
        return;
      case "payee_add":
        return await runPayeeAdd(deps, job, job.payload as PayeeJob);
      case "refresh_card":
        await refreshCard(deps, treasuryFor(deps, payload.safe, payload.workspace), (job.payload as { safeTxHash: string }).safeTxHash);
        return;
      default:
        deps.logger.warn({ kind: job.kind }, "unknown Slack job kind; dropped");
    }
  } catch (error) {
    const retryable = error instanceof RetryableError || !(error instanceof TreasuryError);
    if (retryable) throw error;
    if (payload.channelId && payload.userId) {
      const prefix = job.kind === "propose" ? "Not proposed: " : "";
      await ephemeral(deps, payload.channelId, payload.userId, `:warning: ${prefix}${shortMessageOf(error)}`);
    }
  }
}

async function runPropose(deps: SlackDeps, job: SlackJob, params: ProposeJob): Promise<void> {
  const ctx = treasuryFor(deps, params.safe, params.workspace);
  let safeTxHash = job.result ? (JSON.parse(job.result) as { safeTxHash?: string }).safeTxHash : undefined;
  if (!safeTxHash) {
    const actor = await resolveActor(ctx, params.userId);
    assertMayPropose(actor, deps.settings.proposers);
    const proposal = await proposePayment(ctx, {
      payments: params.payments,
      proposer: proposerOf(actor),
      memo: params.memo,
      category: params.category ?? null,
    });
    safeTxHash = proposal.safeTxHash;
    recordSlackProposal(deps.ctx.db, { jobId: job.id, safeTxHash, slackUserId: params.userId, channelId: params.cardChannelId });
  }
  const card = await publishCard(deps, ctx, { safeTxHash, channelId: params.cardChannelId });
  if (params.cardChannelId !== params.channelId)
    await ephemeral(deps, params.channelId, params.userId, `Proposed. The card is in <#${card.channelId}>${card.permalink ? `: ${card.permalink}` : ""}.`);
}

/**
 * Adds the payee (once, even if the job is retried), tells the person, then
 * proposes the payment that waited for it – or names what still stops it
 * (another unknown payee comes with its own button). Who may add a payee is
 * who may propose (SLACK_PROPOSERS).
 */
async function runPayeeAdd(deps: SlackDeps, job: SlackJob, params: PayeeJob): Promise<void> {
  const ctx = treasuryFor(deps, params.safe, params.workspace);
  const progress = job.result ? (JSON.parse(job.result) as { added?: boolean }) : {};
  if (!progress.added) {
    const actor = await resolveActor(ctx, params.userId);
    assertMayPropose(actor, deps.settings.proposers);
    // A retry after a crash between the two writes finds its own entry: the same name for the same address.
    const already = findAddressBookEntry(ctx.db, params.address)?.label.toLowerCase() === params.label.toLowerCase();
    if (!already) addAddressBookEntry(ctx, { label: params.label, address: params.address, category: params.category, addedBy: proposerOf(actor) });
    saveJobResult(deps.ctx.db, job.id, { added: true });
  }
  const category = params.category ? `, category ${escapeText(params.category, 40)}` : "";
  await ephemeral(deps, params.channelId, params.userId, `Added *${escapeText(params.label, 80)}* (\`${params.address}\`${category}) to the address book.`);
  if (!params.pending) return;
  const check = checkPayments(ctx, params.pending);
  if (!check.ok) {
    await deps.api.postEphemeral({ channel: params.channelId, user: params.userId, text: check.text, blocks: check.blocks });
    return;
  }
  const cardChannelId = params.channelId.startsWith("D") ? defaultChannelOf(deps, params.workspace ?? workspaceOfTreasury(ctx)) : params.channelId;
  if (!cardChannelId) throw new ReplyError("Propose payments in the treasury channel (one bound with `/treasury bind`), not in a DM.");
  const propose: ProposeJob = { safe: params.safe, workspace: params.workspace, channelId: params.channelId, userId: params.userId, payments: params.pending.payments, memo: params.pending.memo, cardChannelId };
  if (enqueueJob(deps.ctx.db, { kind: "propose", dedupeKey: `${job.dedupeKey}:propose`, payload: propose })) deps.wake();
}

async function runCommand(deps: SlackDeps, params: CommandJob): Promise<void> {
  if (params.command === "refuse") {
    await ephemeral(deps, params.channelId, params.userId, `:warning: ${params.refusal ?? "Not allowed here."}`);
    return;
  }
  const ctx = treasuryFor(deps, params.safe, params.workspace);
  const several = servesSeveralSafes(deps, ctx);
  const ofSafe = several ? ` in ${safeWords(ctx)}` : "";
  switch (params.command) {
    case "balance": {
      const state = await readSafeState(ctx.client, ctx.safeAddress, knownErc20Tokens(ctx), ctx.chainFacts?.nativeToken);
      const lines = state.balances.map((balance) => `• ${formatAmountForPeople(balance.amount, balance.decimals)} ${balance.symbol}`);
      await ephemeral(
        deps,
        params.channelId,
        params.userId,
        `*Safe*${several ? ` *${safeOfTreasury(ctx)?.name ?? ""}*` : ""} \`${state.safeAddress}\` at block ${state.blockNumber}\n${lines.join("\n")}\n${state.owners.length} owners, ${state.threshold} approvals needed, next nonce ${state.nonce}.`,
      );
      return;
    }
    case "proposals": {
      const pending = await listProposals(ctx, { status: "pending", warnings: false });
      if (pending.length === 0) {
        await ephemeral(deps, params.channelId, params.userId, `No proposals are waiting${ofSafe}.`);
        return;
      }
      const lines = pending.slice(0, 30).map((proposal) => {
        const card = findCard(ctx, proposal.safeTxHash);
        const what = proposal.transfers.map((transfer) => `${transfer.formatted} ${transfer.symbol} to ${escapeText(transfer.label ?? transfer.to, 60)}`).join(", ");
        const title = card?.permalink ? `<${card.permalink}|#${proposal.nonce}>` : `#${proposal.nonce}`;
        return `• ${title} ${what || (proposal.kind === "rejection" ? "rejection" : "transaction")} – approvals ${proposal.approvals.length} of ${proposal.threshold}${proposal.memo ? ` – ${escapeText(proposal.memo, 80)}` : ""}`;
      });
      await ephemeral(deps, params.channelId, params.userId, `*${pending.length} pending proposal${pending.length === 1 ? "" : "s"}*${ofSafe}\n${lines.join("\n")}`);
      return;
    }
    case "link": {
      let member = findMemberBySlackUser(ctx.db, params.userId);
      if (!member) member = upsertMember(ctx, { id: `slack-${params.userId}`, name: await deps.api.userName(params.userId), slackUserId: params.userId, role: "member" });
      const request = await createLinkRequest(ctx, { memberId: member.id });
      const minutes = Math.max(1, Math.round((Number(request.expiresAt) * 1000 - Date.now()) / 60_000));
      await ephemeral(
        deps,
        params.channelId,
        params.userId,
        `Open <${linkUrl(ctx, request.token)}|this link> within ${minutes} minutes and sign the message with the wallet you approve with. Only you should open it.`,
      );
      return;
    }
    case "bind": {
      const actor = await resolveActor(ctx, params.userId);
      assertOwner(actor, "bind a channel to the Safe");
      if (params.channelId.startsWith("D")) throw new ReplyError("Run `/treasury bind` in the channel you want to bind, not in a DM.");
      if (!bindChannel(deps.ctx.db, { channelId: params.channelId, chainId: ctx.chainId, safeAddress: ctx.safeAddress, boundBy: params.userId, workspace: workspaceOfTreasury(ctx) }))
        throw new ReplyError("This channel is bound to a Safe in another workspace; it was not bound here.");
      await ephemeral(deps, params.channelId, params.userId, `This channel now speaks for ${safeWords(ctx)}.`);
      return;
    }
  }
}

async function runAssistant(deps: SlackDeps, job: SlackJob, params: AssistantJob): Promise<void> {
  if (params.refusal) {
    await postOnce(deps.ctx.db, deps.api, {
      key: `answer:${job.dedupeKey}`,
      message: { channel: params.channelId, thread_ts: params.threadTs, text: `:warning: ${params.refusal}` },
    });
    return;
  }
  const ctx = treasuryFor(deps, params.safe, params.workspace);
  let threadTs = params.threadTs;
  if (params.via === "command") {
    const asked = await postOnce(deps.ctx.db, deps.api, {
      key: `question:${job.dedupeKey}`,
      message: { channel: params.channelId, text: `<@${params.userId}> asked: ${escapeText(params.question, 1000)}` },
    });
    threadTs = asked.messageTs;
  }
  const result = await answerQuestion(deps, ctx, { question: params.question, sayWhichSafe: params.via === "dm" || params.channelId.startsWith("D") });
  // The answer is data from the database and chat: escape it so it cannot mention or link on its own.
  const text = escapeText(result.answer, 3500);
  await postOnce(deps.ctx.db, deps.api, { key: `answer:${job.dedupeKey}`, message: { channel: params.channelId, thread_ts: threadTs, text } });
}

async function runAction(deps: SlackDeps, job: SlackJob, params: ActionJob): Promise<void> {
  const ctx = treasuryFor(deps, params.safe, params.workspace);
  const actor = await resolveActor(ctx, params.userId);
  switch (params.actionId) {
    case actionIds.review: {
      if (!actor.isOwner) {
        assertOwner(actor, "approve payments");
      }
      return;
    }
    case actionIds.reject: {
      assertOwner(actor, "reject proposals");
      let rejectionHash = job.result ? (JSON.parse(job.result) as { safeTxHash?: string }).safeTxHash : undefined;
      if (!rejectionHash) {
        // One rule (core/proposals/reject.ts): nobody signed → cancelled off-chain; someone signed → an on-chain rejection.
        const result = await rejectProposal(ctx, { safeTxHash: params.safeTxHash, by: { name: proposerOf(actor), isOwner: actor.isOwner } });
        if (result.action === "cancel") {
          await refreshCard(deps, ctx, params.safeTxHash);
          await ephemeral(deps, params.channelId, params.userId, "Cancelled. Nobody had signed it, so no on-chain rejection was needed (no gas); the nonce is free again.");
          return;
        }
        rejectionHash = result.rejection.safeTxHash;
        recordSlackProposal(deps.ctx.db, { jobId: job.id, safeTxHash: rejectionHash, slackUserId: params.userId, channelId: params.channelId });
      }
      const original = findCard(ctx, params.safeTxHash);
      await publishCard(deps, ctx, { safeTxHash: rejectionHash, channelId: original?.channelId ?? params.channelId, threadTs: original?.messageTs });
      await refreshCard(deps, ctx, params.safeTxHash);
      await ephemeral(deps, params.channelId, params.userId, "Rejection proposed in the thread. Owners sign it like a payment; once executed, the original can never run.");
      return;
    }
    case actionIds.cancel: {
      const origin = readProposalOrigin(deps.ctx.db, params.safeTxHash);
      const proposedIt = origin?.slackUserId === params.userId || undefined;
      await rejectProposal(ctx, { safeTxHash: params.safeTxHash, by: { name: proposerOf(actor), isOwner: actor.isOwner, proposedIt }, cancelOnly: true });
      await refreshCard(deps, ctx, params.safeTxHash);
      return;
    }
    default:
      throw new ReplyError("That button is not one this app knows; the card may be out of date.");
  }
}
