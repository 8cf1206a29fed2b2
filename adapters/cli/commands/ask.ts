import type { Command } from "commander";
import { askTreasury } from "../../../assistant/ask.ts";
import { printJson } from "../output.ts";
import { withAssistant } from "../assistant-session.ts";

/** `treasury ask [--json] "<question>"`: answers from the database, with receipts. */
export function registerAsk(program: Command): void {
  program
    .command("ask")
    .description("ask the treasury assistant a question (works from the database; no chain needed)")
    .argument("[question...]", "the question, e.g. \"How much did we pay Acme this year?\"")
    .option("--json", "print { answer, citations } as JSON")
    .option("--no-llm", "answer with the built-in rules even when an LLM is configured")
    .action(async (words: string[], options: { json?: boolean; llm?: boolean }) =>
      withAssistant(async (ctx) => {
        const result = await askTreasury(ctx, { question: words.join(" "), rulesOnly: options.llm === false });
        if (options.json) printJson({ answer: result.answer, citations: result.citations, mode: result.mode, note: result.note });
        else console.log(result.answer);
      }),
    );
}
