import { shortMessageOf } from "../core/errors.ts";
import type { AssistantContext, Citation } from "./context.ts";
import { withSources } from "./format.ts";
import { answerWithLlm, llmSettings, type ToolCallRecord } from "./llm.ts";
import { answerWithRules } from "./rules.ts";

export type AskTreasuryParameters = {
  question: string;
  /** Skip the LLM even when one is configured. */
  rulesOnly?: boolean;
  /** LLM rounds and time limit (defaults 4 rounds, 30 s). */
  maxRounds?: number;
  timeoutMs?: number;
};

export type AskTreasuryReturnType = {
  /** The answer for people, with its sources listed at the end. */
  answer: string;
  citations: Citation[];
  mode: "llm" | "rules" | "search";
  /** Why the answer did not come from the LLM when one is configured, or how the search ran. */
  note?: string;
  toolCalls?: ToolCallRecord[];
};

/**
 * Answers a question about the treasury. Read-only: it never proposes, signs
 * or executes. With OPENAI_BASE_URL and OPENAI_MODEL set it lets the model
 * call the read-only tools; otherwise, or when the model is unreachable or
 * slow, it answers with the deterministic rules and says so. Never throws for
 * a question, however odd; every failure becomes a short answer.
 */
export async function askTreasury(ctx: AssistantContext, params: AskTreasuryParameters): Promise<AskTreasuryReturnType> {
  const question = typeof params.question === "string" ? params.question : "";
  const settings = params.rulesOnly ? undefined : llmSettings(ctx);
  let note: string | undefined;
  if (settings && question.trim() !== "" && question.length <= 4000) {
    try {
      const result = await answerWithLlm(ctx, { question, settings, maxRounds: params.maxRounds, timeoutMs: params.timeoutMs });
      return { answer: withSources(result.answer, result.citations), citations: result.citations, mode: "llm", toolCalls: result.toolCalls };
    } catch (error) {
      ctx.logger?.warn({ err: shortMessageOf(error) }, "LLM answer failed; answering with the rules");
      note = `The language model (${settings.model}) was not available: ${shortMessageOf(error)}. This answer comes from the built-in rules.`;
    }
  }
  try {
    const result = await answerWithRules(ctx, question);
    const answer = note ? `${result.answer}\n(${note})` : result.answer;
    return { answer: withSources(answer, result.citations), citations: result.citations, mode: result.mode, note };
  } catch (error) {
    ctx.logger?.error({ err: shortMessageOf(error) }, "assistant failed");
    return {
      answer: `Sorry, I could not answer that (${shortMessageOf(error)}). Try asking about payments, deposits, proposals, owners or balances.`,
      citations: [],
      mode: "rules",
      note,
    };
  }
}
