import { askTreasury } from "../../../assistant/ask.ts";
import { printJson } from "../output.ts";
import { withAssistant } from "../session.ts";

export type AskOptions = { json?: boolean; llm?: boolean };

/** `treasury ask [--json] [--no-llm] "<question>"`: answers from the database, with receipts. */
export function askCommand(words: string[], options: AskOptions): Promise<void> {
  return withAssistant(async (ctx) => {
    const result = await askTreasury(ctx, { question: words.join(" "), rulesOnly: options.llm === false });
    if (options.json) printJson({ answer: result.answer, citations: result.citations, mode: result.mode, note: result.note });
    else console.log(result.answer);
  });
}
