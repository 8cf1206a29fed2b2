import { askTreasury, type AskTreasuryReturnType } from "../../assistant/ask.ts";
import type { TreasuryContext } from "../../core/context.ts";

export type AssistantAnswer = AskTreasuryReturnType;

/**
 * Where `/treasury ask`, mentions and DMs go: the treasury assistant. Read-only.
 * The answer already lists its sources at the end.
 */
export function answerQuestion(ctx: TreasuryContext, { question }: { question: string }): Promise<AssistantAnswer> {
  return askTreasury(ctx, { question });
}
