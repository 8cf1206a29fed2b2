import { createHash } from "node:crypto";
import type { App, types } from "@slack/bolt";
import type { TreasuryContext } from "../../core/context.ts";
import { TreasuryError, shortMessageOf } from "../../core/errors.ts";
import { actionIds } from "./card.ts";
import { checkAmounts, commandHelp, parseTreasuryCommand, type TreasuryCommand } from "./commands/parse.ts";
import type { SlackDeps } from "./deps.ts";
import { concernsDiscussion, discussionEventOf } from "./discussion.ts";
import type { ActionJob, AssistantJob, CommandJob, DiscussionJob, PayeeJob, ProposeJob } from "./jobs.ts";
import { buildPaymentModal, paymentModalCallbackId, readPaymentSubmission } from "./modal.ts";
import { knownTokens } from "../../core/proposals/tokens.ts";
import { listCategories } from "../../db/proposals.ts";
import { acceptRequest, markIfReceived, readChannelBindingWithSafe, type NewJob, type ProposalCardAt } from "../../db/slack.ts";
import { findProposalCardAt } from "../../db/discussion.ts";
import { checkPayments } from "./pay-check.ts";
import { defaultChannelOf, defaultTreasuryOf, safeWords, servesSeveralSafes, treasuryOfProposal, treasuryToBind } from "./safes.ts";
import { addPayeeActionId, buildPayeeModal, payeeModalCallbackId, readAddPayeeButton, readPayeeSubmission } from "./payee-modal.ts";

/** The longest question we pass to the assistant. */
export const maxQuestionLength = 2000;

export type RequestCounters = { accepted: number; duplicates: number; refused: number };

/** The id Slack's retries share: the event id, else the trigger id, else a digest of the body. */
export function requestIdOf(body: Record<string, any>): string {
  if (typeof body?.event_id === "string") return `event:${body.event_id}`;
  const kind = typeof body?.command === "string" ? "command" : String(body?.type ?? "request");
  if (typeof body?.trigger_id === "string" && body.trigger_id) {
    const action = Array.isArray(body.actions) && body.actions[0] ? `:${body.actions[0].action_id}:${body.actions[0].action_ts}` : "";
    return `${kind}:${body.trigger_id}${action}`;
  }
  return `${kind}:${createHash("sha256").update(JSON.stringify(body)).digest("hex")}`;
}

/**
 * Which treasury a channel of a workspace speaks for, or why none does: only
 * a binding made in that workspace, to a Safe of that workspace, counts. DMs
 * speak for the workspace's default treasury.
 */
export async function treasuryOfChannel(
  deps: SlackDeps,
  channelId: string | undefined,
  workspace: string,
  cardTs?: string,
): Promise<{ ctx: TreasuryContext; card?: ProposalCardAt | null } | { refusal: string }> {
  if (!channelId) return { refusal: "I can't tell which channel this came from." };
  // With `cardTs` (a reply's thread), the proposal whose card that is comes with the binding, in the same read.
  const binding = await readChannelBindingWithSafe(deps.ctx.db, channelId, workspace, cardTs);
  if (binding) {
    const ctx = [...deps.treasuries.values()].find((candidate) => candidate.safeAddress === binding.safeAddress && candidate.chainId === binding.chainId);
    if (ctx && binding.safeWorkspace === workspace) return { ctx, card: binding.card };
    return { refusal: `This channel is bound to the Safe ${binding.safeAddress} on chain ${binding.chainId}, which this app does not serve here.` };
  }
  if (channelId.startsWith("D")) {
    const ctx = defaultTreasuryOf(deps, workspace);
    return ctx ? { ctx } : { refusal: "This workspace has several Safes (or none): ask in a channel bound to one with `/treasury bind`." };
  }
  const defaultChannel = defaultChannelOf(deps, workspace);
  const home = defaultChannel ? ` Use <#${defaultChannel}>,` : "";
  return { refusal: `This channel is not bound to a treasury.${home} or ask an owner to run \`/treasury bind\` here.` };
}

/**
 * Registers the request path: every listener only checks the input, writes the
 * request id and its jobs in one transaction, and acknowledges. Slow work (the
 * chain, the assistant, the Web API) happens in the worker. Requests whose id
 * was accepted before (Slack retries) are acknowledged and dropped.
 */
export function registerHandlers(app: App, deps: SlackDeps, counters: RequestCounters): void {
  const db = deps.ctx.db;
  const accept = async (requestId: string, kind: string, teamId: string | undefined, jobs: NewJob[] = []) => {
    const fresh = await acceptRequest(db, { requestId, kind, teamId, jobs });
    if (fresh) counters.accepted += 1;
    else counters.duplicates += 1;
    if (fresh && jobs.length) deps.wake();
    return fresh;
  };

  app.use(async (args: any) => {
    const body = args.body as Record<string, any>;
    const requestId = requestIdOf(body);
    args.context.requestId = requestId;
    // The workspace every look-up of this request is scoped to: Bolt authorized the team with its own token.
    const workspace = deps.workspaceOf(args.context.teamId ?? body.team_id ?? body.team?.id ?? body.user?.team_id);
    args.context.workspace = workspace;
    if (body.type === "event_callback") {
      // An event's retry is told apart where it is recorded (acceptRequest): one transaction, no look first.
      await accept(requestId, `event:${body.event?.type}`, body.team_id, await jobsForEvent(deps, body.event ?? {}, workspace));
      return;
    }
    // A command or an interaction answers with more than an ack (a form opened, a reply): a retry must not redo that.
    if (await markIfReceived(db, requestId)) {
      counters.duplicates += 1;
      if (typeof args.ack === "function") await args.ack();
      return;
    }
    await args.next();
  });

  app.command(/.*/, async ({ command, ack, context }) => {
    const requestId = String(context.requestId);
    const workspace = String(context.workspace ?? "");
    const reply = (text: string) => ack({ response_type: "ephemeral", text });
    if (command.command !== "/treasury") {
      await accept(requestId, "command", command.team_id);
      return reply(`This app only answers \`/treasury\`, not \`${String(command.command).slice(0, 40)}\`.`);
    }
    let parsed: TreasuryCommand;
    try {
      parsed = parseTreasuryCommand(String(command.text ?? ""));
      if (parsed.kind === "pay") checkAmounts(knownTokens(deps.ctx), parsed.payments);
    } catch (error) {
      if (!(error instanceof TreasuryError)) throw error;
      counters.refused += 1;
      await accept(requestId, "command", command.team_id);
      return reply(`:warning: ${shortMessageOf(error)}`);
    }
    const base = { channelId: command.channel_id, userId: command.user_id, workspace };
    if (parsed.kind === "help") {
      await accept(requestId, "command", command.team_id);
      return reply(commandHelp);
    }
    if (parsed.kind === "bind") {
      let toBind: TreasuryContext;
      try {
        toBind = treasuryToBind(deps, parsed.safe, workspace);
      } catch (error) {
        if (!(error instanceof TreasuryError)) throw error;
        counters.refused += 1;
        await accept(requestId, "command", command.team_id);
        return reply(`:warning: ${shortMessageOf(error)}`);
      }
      await accept(requestId, "command", command.team_id, [{ kind: "command", payload: { ...base, safe: toBind.safeAddress, command: "bind" } satisfies CommandJob }]);
      return ack();
    }
    const target = await treasuryOfChannel(deps, command.channel_id, workspace);
    if ("refusal" in target) {
      counters.refused += 1;
      await accept(requestId, "command", command.team_id);
      return reply(`:warning: ${target.refusal}`);
    }
    const safe = target.ctx.safeAddress;
    switch (parsed.kind) {
      case "modal": {
        await accept(requestId, "command", command.team_id);
        await ack();
        deps
          .apiFor(workspace)
          .openView(command.trigger_id, buildPaymentModal(knownTokens(target.ctx), base, listCategories(target.ctx.db)))
          .catch((error) => deps.logger.warn({ err: shortMessageOf(error) }, "could not open the payment form"));
        return;
      }
      case "pay": {
        const cardChannelId = command.channel_id.startsWith("D") ? defaultChannelOf(deps, workspace) : command.channel_id;
        if (!cardChannelId) return reply(":warning: Propose payments in the treasury channel (one bound with `/treasury bind`), not in a DM.");
        // Everything the database can tell is checked before the ack, so a mistake is answered at once (the chain is not asked here).
        const check = checkPayments(target.ctx, { payments: parsed.payments, memo: parsed.memo });
        if (!check.ok) {
          counters.refused += 1;
          await accept(requestId, "command", command.team_id);
          return ack({ response_type: "ephemeral", text: check.text, blocks: check.blocks as types.KnownBlock[] });
        }
        const job: ProposeJob = { ...base, safe, payments: parsed.payments, memo: parsed.memo, cardChannelId };
        await accept(requestId, "command", command.team_id, [{ kind: "propose", payload: job }]);
        const summary = parsed.payments.map((payment) => `${payment.amount} ${payment.token} to ${payment.payee}`).join(", ");
        const from = servesSeveralSafes(deps, target.ctx) ? ` from ${safeWords(target.ctx)}` : "";
        return reply(`Proposing ${summary.slice(0, 500)}${from}… the card will appear in the channel.`);
      }
      case "ask": {
        if (parsed.question.length > maxQuestionLength) {
          await accept(requestId, "command", command.team_id);
          return reply(`:warning: That question is ${parsed.question.length} characters long; ask in under ${maxQuestionLength}.`);
        }
        await accept(requestId, "command", command.team_id, [
          { kind: "assistant", payload: { ...base, safe, question: parsed.question, via: "command" } satisfies AssistantJob },
        ]);
        return ack();
      }
      default:
        await accept(requestId, "command", command.team_id, [{ kind: "command", payload: { ...base, safe, command: parsed.kind } satisfies CommandJob }]);
        return ack();
    }
  });

  app.action(/.*/, async ({ ack, body, action, context }) => {
    await ack();
    const requestId = String(context.requestId);
    const workspace = String(context.workspace ?? "");
    const interaction = body as Record<string, any>;
    if ((action as any)?.action_id === addPayeeActionId) {
      if (await accept(requestId, "action", interaction.team?.id)) await openPayeeForm(deps, interaction, (action as any).value, workspace);
      return;
    }
    const channelId: string | undefined = interaction.channel?.id ?? interaction.container?.channel_id;
    const userId: string | undefined = interaction.user?.id;
    const actionId = String((action as any)?.action_id ?? "");
    if (body.type !== "block_actions" || !channelId || !userId) {
      counters.refused += 1;
      await accept(requestId, "action", interaction.team?.id);
      return;
    }
    const safeTxHash = String((action as any)?.value ?? "");
    // The proposal knows its Safe: a card's button acts on that Safe in whichever channel of its workspace it is clicked.
    // Another workspace's proposal is not found here: the button then acts on the channel's own Safe, which has no such proposal.
    const target = await treasuryOfChannel(deps, channelId, workspace);
    const own = treasuryOfProposal(deps, safeTxHash, workspace) ?? ("ctx" in target ? target.ctx : defaultTreasuryOf(deps, workspace));
    if (!own) {
      counters.refused += 1;
      await accept(requestId, "action", interaction.team?.id, [
        { kind: "command", payload: { safe: deps.ctx.safeAddress, workspace, channelId, userId, command: "refuse", refusal: "refusal" in target ? target.refusal : "This proposal is not one of this workspace's." } satisfies CommandJob },
      ]);
      return;
    }
    if (!Object.values(actionIds).includes(actionId as any)) counters.refused += 1;
    await accept(requestId, "action", interaction.team?.id, [{ kind: "action", payload: { safe: own.safeAddress, workspace, actionId, safeTxHash, userId, channelId } satisfies ActionJob }]);
  });

  app.view({ type: "view_closed", callback_id: /.*/ } as any, async ({ ack, context }) => {
    await accept(String(context.requestId), "view_closed", undefined);
    await ack();
  });

  app.view(/.*/, async ({ ack, body, view, context }) => {
    const requestId = String(context.requestId);
    const workspace = String(context.workspace ?? "");
    if (view.callback_id === payeeModalCallbackId) {
      const origin = modalOrigin(view);
      const target = origin ? await treasuryOfChannel(deps, origin.channelId, workspace) : { refusal: "This form lost track of its channel; close it and run /treasury again." };
      if ("refusal" in target) {
        counters.refused += 1;
        await accept(requestId, "view", body.team?.id ?? undefined);
        return ack({ response_action: "errors", errors: { label: target.refusal.slice(0, 150) } });
      }
      const read = readPayeeSubmission(target.ctx, view as any);
      if (!read.ok) {
        counters.refused += 1;
        await accept(requestId, "view", body.team?.id ?? undefined);
        return ack({ response_action: "errors", errors: read.errors });
      }
      const { submission } = read;
      const job: PayeeJob = {
        safe: target.ctx.safeAddress,
        workspace,
        channelId: submission.origin.channelId,
        userId: body.user.id,
        label: submission.label,
        address: submission.address,
        category: submission.category,
        pending: submission.origin.pending,
      };
      await accept(requestId, "view", body.team?.id ?? undefined, [{ kind: "payee_add", payload: job }]);
      return ack();
    }
    if (view.callback_id !== paymentModalCallbackId) {
      counters.refused += 1;
      await accept(requestId, "view", body.team?.id ?? undefined);
      return ack();
    }
    const origin = modalOrigin(view);
    const fallback = defaultTreasuryOf(deps, workspace);
    const target = origin ? await treasuryOfChannel(deps, origin.channelId, workspace) : fallback ? { ctx: fallback } : { refusal: "Open this form from a channel bound to a Safe." };
    if ("refusal" in target) {
      await accept(requestId, "view", body.team?.id ?? undefined);
      return ack({ response_action: "errors", errors: { payee_1: target.refusal.slice(0, 150) } });
    }
    const read = readPaymentSubmission(target.ctx, view as any);
    if (!read.ok) {
      counters.refused += 1;
      await accept(requestId, "view", body.team?.id ?? undefined);
      return ack({ response_action: "errors", errors: read.errors });
    }
    const { submission } = read;
    const cardChannelId = submission.origin.channelId.startsWith("D") ? defaultChannelOf(deps, workspace) : submission.origin.channelId;
    if (!cardChannelId) {
      await accept(requestId, "view", body.team?.id ?? undefined);
      return ack({ response_action: "errors", errors: { payee_1: "Open this form from the treasury channel." } });
    }
    const job: ProposeJob = {
      safe: target.ctx.safeAddress,
      workspace,
      channelId: submission.origin.channelId,
      userId: body.user.id,
      payments: submission.payments,
      memo: submission.memo,
      category: submission.category,
      cardChannelId,
    };
    await accept(requestId, "view", body.team?.id ?? undefined, [{ kind: "propose", payload: job }]);
    await ack();
  });

  app.shortcut(/.*/, async ({ ack, context }) => {
    await accept(String(context.requestId), "shortcut", undefined);
    await ack();
  });

  app.options(/.*/, async ({ ack, context }) => {
    await accept(String(context.requestId), "options", undefined);
    await ack({ options: [] });
  });
}

/** The jobs one Events API callback needs (none for most channel chatter), scoped to the workspace it came from. */
export async function jobsForEvent(deps: SlackDeps, event: Record<string, any>, workspace: string): Promise<NewJob[]> {
  if (event.bot_id || event.subtype === "bot_message") return [];
  const tooLong = (length: number) => `That question is ${length} characters long; ask in under ${maxQuestionLength}.`;
  if (event.type === "app_mention") {
    const threadTs = String(event.thread_ts ?? event.ts ?? "");
    const target = await treasuryOfChannel(deps, event.channel, workspace);
    const question = String(event.text ?? "").replace(/<@[A-Z0-9]+>/g, "").trim();
    const base = { channelId: event.channel, userId: event.user, via: "mention" as const, threadTs, workspace };
    if ("refusal" in target) return [{ kind: "assistant", payload: { ...base, safe: deps.ctx.safeAddress, question: "", refusal: target.refusal } satisfies AssistantJob }];
    if (question.length > maxQuestionLength) return [{ kind: "assistant", payload: { ...base, safe: target.ctx.safeAddress, question: "", refusal: tooLong(question.length) } satisfies AssistantJob }];
    return [{ kind: "assistant", payload: { ...base, safe: target.ctx.safeAddress, question: question || "status" } satisfies AssistantJob }];
  }
  if (event.type !== "message") return [];
  const jobs: NewJob[] = [];
  if (event.channel_type === "im" && !event.subtype && typeof event.user === "string") {
    const question = String(event.text ?? "").trim();
    if (!question) return jobs;
    const target = await treasuryOfChannel(deps, event.channel, workspace);
    const base = { channelId: event.channel, userId: event.user, via: "dm" as const, threadTs: event.thread_ts ?? event.ts, workspace };
    const refusal = "refusal" in target ? target.refusal : question.length > maxQuestionLength ? tooLong(question.length) : undefined;
    const safe = "ctx" in target ? target.ctx.safeAddress : deps.ctx.safeAddress;
    jobs.push({ kind: "assistant", payload: (refusal ? { ...base, safe, question: "", refusal } : { ...base, safe, question }) satisfies AssistantJob });
    return jobs;
  }
  const discussion = discussionEventOf(event);
  if (!discussion) return jobs;
  const parentTs: string | undefined =
    discussion.change === "posted" ? discussion.threadTs : (event.message?.thread_ts ?? event.previous_message?.thread_ts);
  const target = await treasuryOfChannel(deps, event.channel, workspace, parentTs);
  const ctx = "ctx" in target ? target.ctx : defaultTreasuryOf(deps, workspace);
  if (!ctx) return jobs;
  // The thread's card came with the binding when the channel is bound; else it is looked up here.
  const known = "ctx" in target ? target.card : undefined;
  const card = known !== undefined ? (known ?? undefined) : parentTs !== undefined ? findProposalCardAt(ctx.db, event.channel, parentTs) : undefined;
  // A new reply concerns a discussion exactly when its thread is a card's (the job is given the card); an edit or a
  // deletion, when its message is stored.
  const concerns = card !== undefined || (discussion.change !== "posted" && concernsDiscussion(ctx, discussion));
  const cardOfJob = card && { safeTxHash: card.safeTxHash, permalink: card.permalink };
  if (concerns) jobs.push({ kind: "discussion", payload: { safe: ctx.safeAddress, workspace, event: discussion, ...(cardOfJob && { card: cardOfJob }) } satisfies DiscussionJob });
  return jobs;
}

/** The channel and user a form was opened for (its `private_metadata`), or undefined. */
function modalOrigin(view: { private_metadata?: string }): { channelId: string; userId: string } | undefined {
  try {
    const parsed = JSON.parse(String(view?.private_metadata ?? ""));
    return typeof parsed?.channelId === "string" && typeof parsed?.userId === "string" ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * "Add a payee": opens the payee form at once (a trigger id lives 3 seconds,
 * so this is not queued). From a message it opens a new form that proposes
 * the waiting payment once the payee is added; from the payment form it is
 * pushed on top of it, and closing it returns there.
 */
async function openPayeeForm(deps: SlackDeps, interaction: Record<string, any>, value: unknown, workspace: string): Promise<void> {
  const button = readAddPayeeButton(value);
  const userId: string | undefined = interaction.user?.id;
  const fromForm = interaction.container?.type === "view" || typeof interaction.view?.id === "string";
  const formOrigin = fromForm ? modalOrigin(interaction.view ?? {}) : undefined;
  const channelId: string | undefined = fromForm ? formOrigin?.channelId : (interaction.channel?.id ?? interaction.container?.channel_id);
  if (!channelId || !userId || typeof interaction.trigger_id !== "string") return;
  const target = await treasuryOfChannel(deps, channelId, workspace);
  const ctx = "ctx" in target ? target.ctx : defaultTreasuryOf(deps, workspace);
  if (!ctx) return;
  const api = deps.apiFor(workspace);
  const view = buildPayeeModal({ categories: listCategories(ctx.db), label: button.label, origin: { channelId, userId, ...(fromForm ? {} : { pending: button.pending }) } });
  (fromForm ? api.pushView(interaction.trigger_id, view) : api.openView(interaction.trigger_id, view)).catch((error) =>
    deps.logger.warn({ err: shortMessageOf(error) }, "could not open the payee form"),
  );
}
