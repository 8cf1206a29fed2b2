import { boundSafeId, forSafe, listSafes, readSafe, type RegisteredSafe } from "../../db/safes.ts";
import type { AssistantContext, Citation } from "../context.ts";
import { dedupeCitations } from "../context.ts";
import { withSources } from "../answer/sources.ts";
import type { PlanResult } from "../execute/types.ts";
import { detectLanguage, type Language } from "../parse/index.ts";
import type { QueryPlan } from "../plan.ts";
import { safeScopeOf } from "./scope.ts";
import { totalsAcrossSafes, type SafeTotals } from "./totals.ts";

/** An answer of the assistant, for one Safe or across several. */
export type OneSafeAnswer = {
  /** The answer for people: a headline with the figure, the detail, then its sources. */
  answer: string;
  /** The first line alone. */
  headline: string;
  citations: Citation[];
  mode: "llm" | "rules" | "search";
  language: Language;
  /** The query plan the figures come from (rules), or the last one the model ran (LLM). */
  plan?: QueryPlan;
  /** Why the answer did not come from the LLM when one is configured, or how the search ran. */
  note?: string;
};

/** The parser path's answer for one Safe, with the executed plan's result when a plan ran. */
export type ParsedAnswer = { text: string; citations: Citation[]; mode: "rules" | "search"; plan?: QueryPlan; language: Language; result?: PlanResult };

export type AnswerBySafeDependencies = {
  /** Answers about the Safe the context's database is bound to (LLM or parser). */
  askOne: (ctx: AssistantContext, params: { question: string; rulesOnly?: boolean; maxRounds?: number; timeoutMs?: number }) => Promise<OneSafeAnswer>;
  /** The parser path for one Safe (figures to add up come from its executed plan). */
  parseOne: (ctx: AssistantContext, question: string) => Promise<ParsedAnswer>;
};

/**
 * Routes a question by the Safes it names. Returns undefined when it is
 * about the context's own Safe as usual (the caller answers it). Otherwise:
 * another registered Safe named → answered on that Safe's rows, headed by
 * its name; all Safes → answered on each Safe's rows, then a total per token
 * only where the token is the same (same chain and address); an unknown
 * name → refused with the known names; no Safe bound and several registered
 * → asks which. With `sayWhichSafe` and several Safes, the usual answer is
 * headed by the Safe it is about.
 */
export async function answerBySafe(
  ctx: AssistantContext,
  params: { question: string; sayWhichSafe?: boolean; rulesOnly?: boolean; maxRounds?: number; timeoutMs?: number },
  deps: AnswerBySafeDependencies,
): Promise<OneSafeAnswer | undefined> {
  if (typeof params.question !== "string") return undefined;
  let safes: RegisteredSafe[];
  try {
    safes = listSafes(ctx.db);
  } catch {
    return undefined;
  }
  const homeId = boundSafeId(ctx.db);
  const home = homeId === undefined ? undefined : readSafe(ctx.db, homeId);
  const scope = safeScopeOf(params.question, safes.map((safe) => safe.name));
  const language = detectLanguage(params.question);
  const es = language === "es";
  const names = safes.map((safe) => safe.name).join(", ");
  const plain = (text: string): OneSafeAnswer => ({ answer: text, headline: text.split("\n")[0], citations: [], mode: "rules", language });
  const headed = (safe: RegisteredSafe, answer: OneSafeAnswer): OneSafeAnswer => {
    const head = es ? `Safe «${safe.name}»: ` : `Safe “${safe.name}”: `;
    return { ...answer, answer: `${head}${answer.answer}`, headline: `${head}${answer.headline}` };
  };
  switch (scope.kind) {
    case "unknown":
      return plain(
        es
          ? `Ninguna Safe se llama «${scope.name}» aquí; las Safes son: ${names || "ninguna"}. Pregunta por una de ellas o por todas.`
          : `No Safe is called “${scope.name}” here; the Safes are: ${names || "none"}. Ask about one of them, or across all of them.`,
      );
    case "named": {
      const safe = safes.find((candidate) => candidate.name.toLowerCase() === scope.name.toLowerCase())!;
      const target = safe.id === homeId ? ctx : safeContext(ctx, safe);
      return headed(safe, await deps.askOne(target, { ...params, question: scope.question }));
    }
    case "all":
      // One Safe is all of them: the usual answer.
      if (safes.length === 1) return deps.askOne(safes[0].id === homeId ? ctx : safeContext(ctx, safes[0]), { ...params, question: scope.question });
      return answerAcrossSafes(ctx, safes, scope.question, language, deps);
    case "default": {
      if (!home) {
        if (safes.length === 1) return deps.askOne(safeContext(ctx, safes[0]), params);
        if (safes.length > 1)
          return plain(
            es
              ? `Esta tesorería tiene ${safes.length} Safes (${names}): di de cuál («en la Safe de ${safes[0].name}») o pregunta «en todas las Safes».`
              : `This treasury runs ${safes.length} Safes (${names}): say which one (“in the ${safes[0].name} Safe”) or ask “across all our Safes”.`,
          );
        return undefined;
      }
      if (params.sayWhichSafe && safes.length > 1) return headed(home, await deps.askOne(ctx, params));
      return undefined;
    }
  }
}

/**
 * The assistant's context for another registered Safe: the same settings and
 * "now", the database bound to that Safe, its chain. Live chain checks are
 * not carried over (the client is the first Safe's).
 */
export function safeContext(ctx: AssistantContext, safe: RegisteredSafe): AssistantContext {
  return { db: forSafe(ctx.db, safe.id), config: ctx.config, chainId: safe.chainId, logger: ctx.logger, embedder: ctx.embedder, now: ctx.now };
}

/** The same plan on each Safe's rows, answered per Safe, then the totals that may be added (see totalsAcrossSafes). */
async function answerAcrossSafes(ctx: AssistantContext, safes: RegisteredSafe[], question: string, language: Language, deps: AnswerBySafeDependencies): Promise<OneSafeAnswer> {
  const es = language === "es";
  const homeId = boundSafeId(ctx.db);
  const parts: SafeTotals[] = [];
  const sections: string[] = [];
  const citations: Citation[] = [];
  let plan: QueryPlan | undefined;
  for (const safe of safes) {
    const target = safe.id === homeId ? ctx : safeContext(ctx, safe);
    const answer = await deps.parseOne(target, question);
    sections.push(`*${safe.name}*: ${answer.text}`);
    citations.push(...answer.citations);
    plan ??= answer.plan;
    parts.push({ safe, result: answer.result });
  }
  const totals = totalsAcrossSafes(parts, language);
  const head = es
    ? `En las ${safes.length} Safes (${safes.map((safe) => safe.name).join(", ")}):`
    : `Across all ${safes.length} Safes (${safes.map((safe) => safe.name).join(", ")}):`;
  const text = [head, ...sections, ...totals].join("\n");
  const unique = dedupeCitations(citations);
  return { answer: withSources(text, unique, language), headline: head, citations: unique, mode: "rules", language, plan };
}
