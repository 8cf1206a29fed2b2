import { shortMessageOf } from "../core/errors.ts";
import type { LedgerDirectory } from "../db/ledger/directory.ts";
import { directoryOf } from "./directory.ts";
import { counterpartyActivity } from "../db/ledger/money.ts";
import { searchActivity } from "../search/search.ts";
import { dateOf, referenceNow, txCitation, messageCitation, proposalCitation, type AssistantContext, type Citation } from "./context.ts";
import { quote } from "./answer/format.ts";
import { renderResult } from "./answer/render.ts";
import { actionReply, compareClarify, didYouMean, emptyReply, errorReply, injectionNote, scopeReply, tooLongReply } from "./answer/replies.ts";
import { withSources } from "./answer/sources.ts";
import { AmbiguousNameError, PlanError, UnknownNameError } from "./execute/errors.ts";
import { executePlan } from "./execute/index.ts";
import { resolveCounterparty, resolvePerson, resolveToken } from "./execute/resolve.ts";
import { answerWithLlm, llmSettings, type ToolCallRecord } from "./llm.ts";
import { detectLanguage, maxQuestionLength, parseQuestion, type Language, type UnknownName } from "./parse/index.ts";
import type { QueryPlan } from "./plan.ts";
import type { PlanResult } from "./execute/types.ts";
import { answerBySafe, type OneSafeAnswer } from "./safes/answer.ts";
import { historyStart } from "./tools.ts";
import { shortHash } from "../core/short.ts";

export type AskTreasuryParameters = {
  question: string;
  /** The Safe was not chosen by the asker (a DM): with several Safes, the answer names the one it used. */
  sayWhichSafe?: boolean;
  /** Skip the LLM even when one is configured. */
  rulesOnly?: boolean;
  /** LLM rounds and time limit (defaults 4 rounds, 30 s). */
  maxRounds?: number;
  timeoutMs?: number;
};

/** An answer (see `OneSafeAnswer`), with the tool calls the model made when an LLM answered. */
export type AskTreasuryReturnType = OneSafeAnswer & { toolCalls?: ToolCallRecord[] };

type Answer = { text: string; citations: Citation[]; mode: "rules" | "search"; plan?: QueryPlan; language: Language; result?: PlanResult };

/**
 * Answers a question about the treasury's Safes. Read-only. The question is
 * about the Safe `ctx.db` is bound to unless it names another registered
 * Safe ("in the grants Safe") or asks across all of them ("across all our
 * Safes"): then it is answered per Safe, with a total per token where the
 * token is the same (see assistant/safes/). A Safe name that is not
 * registered is named back with the known names, never widened.
 */
export async function askTreasury(ctx: AssistantContext, params: AskTreasuryParameters): Promise<AskTreasuryReturnType> {
  return (await answerBySafe(ctx, params, { askOne: askOneSafe, parseOne: answerWithParser })) ?? askOneSafe(ctx, params);
}

/**
 * Answers a question about one Safe (the one `ctx.db` is bound to). Read-only: it never proposes, signs
 * or executes. With OPENAI_BASE_URL and OPENAI_MODEL set the model fills the
 * same query plans through tool calling; otherwise, or when the model is
 * unreachable or slow, the built-in parser fills them and the answer says so.
 * Every figure comes from an executed plan. Never throws for a question,
 * however odd; every failure becomes a short answer. The same question gives
 * the same answer through the CLI, Slack and any other caller.
 */
export async function askOneSafe(ctx: AssistantContext, params: AskTreasuryParameters): Promise<AskTreasuryReturnType> {
  const question = typeof params.question === "string" ? params.question : "";
  const settings = params.rulesOnly ? undefined : llmSettings(ctx);
  let note: string | undefined;
  const language = detectLanguage(question);
  if (settings && question.trim() !== "" && question.length <= 4000) {
    try {
      const result = await answerWithLlm(ctx, { question, settings, maxRounds: params.maxRounds, timeoutMs: params.timeoutMs });
      return {
        answer: withSources(result.answer, result.citations, language),
        headline: result.answer.split("\n")[0],
        citations: result.citations,
        mode: "llm",
        language,
        plan: result.plans.at(-1)?.plan,
        toolCalls: result.toolCalls,
      };
    } catch (error) {
      ctx.logger?.warn({ err: shortMessageOf(error) }, "LLM answer failed; answering with the built-in parser");
      note =
        language === "es"
          ? `El modelo de lenguaje (${settings.model}) no estaba disponible: ${shortMessageOf(error)}. Esta respuesta viene del analizador integrado.`
          : `The language model (${settings.model}) was not available: ${shortMessageOf(error)}. This answer comes from the built-in parser.`;
    }
  }
  let answer: Answer;
  try {
    answer = await answerWithParser(ctx, question);
  } catch (error) {
    ctx.logger?.error({ err: shortMessageOf(error) }, "assistant failed");
    answer = {
      text: language === "es" ? `Lo siento, no pude responder (${shortMessageOf(error)}). ${scopeReply("es")}` : `Sorry, I could not answer that (${shortMessageOf(error)}). ${scopeReply("en")}`,
      citations: [],
      mode: "rules",
      language,
    };
  }
  const text = note ? `${answer.text}\n(${note})` : answer.text;
  return {
    answer: withSources(text, answer.citations, answer.language),
    headline: text.split("\n")[0],
    citations: answer.citations,
    mode: answer.mode,
    language: answer.language,
    plan: answer.plan,
    note,
  };
}

/** The no-LLM path: parse into a plan, execute it, render it in the question's language. */
export async function answerWithParser(ctx: AssistantContext, question: string): Promise<Answer> {
  const { directory, aliases } = directoryOf(ctx.db);
  const now = referenceNow(ctx).at;
  const activity = (label: string) => {
    try {
      return counterpartyActivity(ctx.db, resolveCounterparty(directory, label).addresses);
    } catch {
      return { paidTo: 0, receivedFrom: 0 };
    }
  };
  const outcome = parseQuestion(directory, question, now, activity, aliases);
  const language = outcome.language;
  const plain = (text: string, mode: Answer["mode"] = "rules"): Answer => ({ text, citations: [], mode, language });
  switch (outcome.kind) {
    case "empty":
      return plain(emptyReply(language));
    case "too_long":
      return plain(tooLongReply(language, outcome.length, maxQuestionLength));
    case "action":
      return plain(actionReply(language));
    case "clarify":
      return plain(compareClarify(language));
    case "ambiguous":
      return plain(errorReply(new AmbiguousNameError("payee", outcome.name, outcome.options), language)!);
    case "unknown":
      return plain(unknownReply(directory, outcome.unknown, language));
    case "out_of_scope": {
      const prefix = outcome.injection ? `${injectionNote(language)}\n` : "";
      if (outcome.explicit) return plain(`${prefix}${scopeReply(language)}`);
      const searched = searchFallback(ctx, question, language);
      return searched ?? plain(`${prefix}${scopeReply(language)}`);
    }
    case "plan": {
      try {
        const result = await executePlan(ctx, outcome.plan);
        const rendered = renderResult(result, language, historyStart(ctx));
        const text = `${rendered.headline}\n${rendered.body}${outcome.injection ? `\n${injectionNote(language)}` : ""}`;
        return { text, citations: result.citations, mode: "rules", plan: result.plan, language, result };
      } catch (error) {
        const reply = errorReply(error, language);
        if (reply) return { ...plain(reply), plan: outcome.plan };
        if (error instanceof PlanError) return { ...plain(error.shortMessage), plan: outcome.plan };
        throw error;
      }
    }
  }
}

function unknownReply(directory: LedgerDirectory, unknown: UnknownName[], language: Language): string {
  const lines: string[] = [];
  for (const name of unknown) {
    try {
      const resolved =
        name.what === "token" ? resolveToken(directory, name.name).symbol : name.what === "person" ? resolvePerson(directory, name.name).name : resolveCounterparty(directory, name.name, name.what).label;
      lines.push(didYouMean(language, name.name, [resolved]));
    } catch (error) {
      lines.push(errorReply(error, language) ?? (error instanceof UnknownNameError ? error.shortMessage : String(error)));
    }
  }
  return lines.join("\n");
}

/** When no plan fits: a labelled word search (never a figure of its own). */
function searchFallback(ctx: AssistantContext, question: string, language: Language): Answer | undefined {
  let hits;
  try {
    hits = searchActivity(ctx.db, { query: question.slice(0, 500), limit: 5 });
  } catch {
    return undefined;
  }
  if (hits.length === 0) return undefined;
  const es = language === "es";
  const citations = hits.map((hit) =>
    hit.kind === "message" ? messageCitation(hit.ref, hit.title, hit.permalink) : hit.txHash ? txCitation(ctx, hit.txHash, hit.title) : proposalCitation(hit.safeTxHash ?? hit.ref, hit.title, hit.permalink),
  );
  const lines = hits.map((h) => `• ${dateOf(h.occurredAt)} [${h.kind}] ${h.title}${h.kind === "message" ? `: ${quote(h.body, 140)}` : ""}${h.txHash ? ` (tx ${shortHash(h.txHash)})` : ""}`);
  const head = es
    ? "No he podido convertir eso en una pregunta exacta. Resultados de búsqueda (no es una respuesta exacta):"
    : "I could not map that to a question I answer exactly. Top search results (not an exact answer):";
  return { text: `${head}\n${lines.join("\n")}\n${scopeReply(language)}`, citations, mode: "search", language };
}
