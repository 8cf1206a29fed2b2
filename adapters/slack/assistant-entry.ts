import { askTreasury, type AskTreasuryReturnType } from "../../assistant/ask.ts";
import type { TreasuryContext } from "../../core/context.ts";
import type { SlackDeps } from "./deps.ts";

export type AssistantAnswer = AskTreasuryReturnType;

/**
 * Where `/treasury ask`, mentions and DMs go: the treasury assistant. Read-only.
 * The answer already lists its sources at the end. It is about `ctx`'s Safe
 * (the channel's) unless the question names another Safe or all of them;
 * `sayWhichSafe` (a DM, where nobody chose a Safe) heads it with the Safe's
 * name when the treasury runs several.
 */
export function answerQuestion(deps: SlackDeps, ctx: TreasuryContext, { question, sayWhichSafe }: { question: string; sayWhichSafe?: boolean }): Promise<AssistantAnswer> {
  return askTreasury(assistantContext(deps, ctx), { question, sayWhichSafe });
}

/** The assistant's view of a treasury: its database (read only) and chain, with the assistant's settings. */
export function assistantContext(deps: SlackDeps, ctx: TreasuryContext) {
  return { db: ctx.db, chainId: ctx.chainId, logger: ctx.logger, ...deps.settings.assistant };
}
