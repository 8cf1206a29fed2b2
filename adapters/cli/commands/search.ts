import { hybridSearch } from "../../../search/search.ts";
import { printJson, printTable } from "../output.ts";
import { withAssistant } from "../session.ts";

export type SearchOptions = { json?: boolean; limit: string };

/** `treasury search [--json] [--limit n] "<text>"`: payments, deposits, proposals and messages ranked by words and meaning. */
export function searchCommand(words: string[], options: SearchOptions): Promise<void> {
  return withAssistant(async (ctx) => {
    const limit = Math.min(50, Math.max(1, Number.parseInt(options.limit, 10) || 10));
    const result = await hybridSearch(ctx.db, { query: words.join(" "), embedder: ctx.embedder, limit });
    if (options.json) {
      printJson({ mode: result.mode, note: result.note, results: result.hits });
      return;
    }
    if (result.hits.length === 0) console.log("Nothing matches.");
    printTable(
      result.hits.map((hit, index) => [
        String(index + 1),
        new Date(hit.occurredAt * 1000).toISOString().slice(0, 10),
        hit.kind,
        hit.title.length > 90 ? `${hit.title.slice(0, 89)}…` : hit.title,
        hit.txHash ?? hit.permalink ?? "",
      ]),
    );
    if (result.note) console.log(result.note);
  });
}
