import { connectionOf } from "../db/connection.ts";
import { loadDirectory } from "../search/activity.ts";
import { queryWords } from "../search/search.ts";
import type { AssistantContext } from "./context.ts";
import { knownCategories, resolveCounterparty, type Counterparty } from "./data.ts";
import { parsePeriod, type Period } from "./period.ts";

export type QuestionEntities = {
  counterparty?: Counterparty & { matched: string; kind: string | null };
  category?: string;
  token?: string;
  period?: Period;
  /** The words left once the entities are taken out (for ranking matches). */
  words: string[];
};

export type Intent =
  | { type: "empty" }
  | { type: "too_long"; length: number }
  | { type: "owners"; entities: QuestionEntities }
  | { type: "pending"; entities: QuestionEntities }
  | { type: "rejected"; entities: QuestionEntities; cancelled: boolean }
  | { type: "approvals"; entities: QuestionEntities }
  | { type: "balances"; entities: QuestionEntities }
  | { type: "largest"; entities: QuestionEntities; direction: "in" | "out"; smallest: boolean }
  | { type: "why"; entities: QuestionEntities }
  | { type: "total"; entities: QuestionEntities; direction: "in" | "out"; count: boolean }
  | { type: "list"; entities: QuestionEntities; direction: "in" | "out" }
  | { type: "search"; entities: QuestionEntities };

/** Longest question the rules read; longer ones get a clear refusal. */
export const maxQuestionLength = 1000;

const genericFirstWords = new Set(["open", "the", "new", "bright", "north", "south", "first", "global", "united", "sam", "ivy", "tom", "rosa", "priya"]);
const categorySynonyms: Record<string, string> = {
  hosting: "infrastructure",
  infra: "infrastructure",
  servers: "infrastructure",
  server: "infrastructure",
  audit: "security",
  audits: "security",
  contractor: "contractors",
  freelancers: "contractors",
  lawyers: "legal",
  lawyer: "legal",
  flights: "travel",
  trips: "travel",
  trip: "travel",
  prizes: "grants",
  hackathon: "grants",
  grant: "grants",
  copywriting: "content",
  writing: "content",
  branding: "design",
};

const normal = (text: string) => ` ${queryWords(text).join(" ")} `;

/** Finds payee, category, token and period in a question, using the names the database knows. */
export function extractEntities(ctx: AssistantContext, question: string, now: number): QuestionEntities {
  const directory = loadDirectory(ctx.db);
  let text = normal(question);
  const aliases: { alias: string; label: string; kind: string | null }[] = [];
  const labels = new Set([...directory.book.values()].map((entry) => entry.label.toLowerCase()));
  for (const entry of directory.book.values()) {
    const full = normal(entry.label).trim();
    const base = normal(entry.label.replace(/\s*\(.*$/, "")).trim();
    aliases.push({ alias: full, label: entry.label, kind: entry.kind });
    if (base !== full && !labels.has(entry.label.replace(/\s*\(.*$/, "").toLowerCase())) aliases.push({ alias: base, label: entry.label, kind: entry.kind });
    const words = base.split(" ");
    if (words.length > 1 && words[0].length >= 4 && !genericFirstWords.has(words[0])) aliases.push({ alias: words[0], label: entry.label, kind: entry.kind });
    if (words.length > 2) aliases.push({ alias: words.slice(0, 2).join(" "), label: entry.label, kind: entry.kind });
  }
  const memberNames = connectionOf(ctx.db).prepare("SELECT name FROM members").pluck().all() as string[];
  for (const name of memberNames) aliases.push({ alias: normal(name).trim(), label: name, kind: "member" });
  let counterparty: QuestionEntities["counterparty"];
  const matches = aliases.filter((a) => a.alias && text.includes(` ${a.alias} `));
  matches.sort((a, b) => b.alias.length - a.alias.length || a.label.length - b.label.length);
  const best = matches[0];
  if (best) {
    const resolved = resolveCounterparty(ctx.db, best.label);
    if (resolved) {
      counterparty = { ...resolved, matched: best.alias, kind: best.kind };
      text = text.replace(` ${best.alias} `, " ");
      // Drop the rest of the label too ("Lumen" matched: "audit" is still the payee's name, not a category).
      for (const word of normal(best.label).trim().split(" ")) text = text.replace(` ${word} `, " ");
    }
  }

  const tokenSymbols = new Set<string>(["eth", ...[...directory.tokens.values()].map((t) => t.symbol.toLowerCase())]);
  let token: string | undefined;
  for (const word of text.trim().split(" ")) {
    if (tokenSymbols.has(word)) token = word.toUpperCase();
    else if (word === "ether") token = "ETH";
  }
  if (token) text = text.replace(` ${token.toLowerCase()} `, " ");

  const categories = new Set(knownCategories(ctx.db));
  let category: string | undefined;
  for (const word of text.trim().split(" ")) {
    const candidate = categories.has(word) ? word : categories.has(`${word}s`) ? `${word}s` : categorySynonyms[word];
    if (candidate && categories.has(candidate)) {
      category = candidate;
      text = text.replace(` ${word} `, " ");
      break;
    }
  }
  const period = parsePeriod(question, now);
  return { counterparty, category, token, period, words: text.trim().split(" ").filter(Boolean) };
}

const has = (pattern: RegExp, text: string) => pattern.test(text);

/** Maps a question to the tool that answers it. Deterministic: the same question over the same data gives the same intent. */
export function parseQuestion(ctx: AssistantContext, question: string, now: number): Intent {
  const trimmed = question.trim();
  if (trimmed === "" || queryWords(trimmed).length === 0) return { type: "empty" };
  if (trimmed.length > maxQuestionLength) return { type: "too_long", length: trimmed.length };
  const q = trimmed.toLowerCase();
  const entities = extractEntities(ctx, trimmed, now);

  if (has(/\bwho (approved|signed|authori[sz]ed|okayed|ok'd|agreed)|\bapprovals?\b|\bapproved\b|\bsigned off\b|\bwho signed\b|\bsigners? (of|for|on)\b/, q) && !has(/\bhow (much|many)\b/, q))
    return { type: "approvals", entities };
  if (has(/\b(owners?|threshold|signers?|multisig members|who can (sign|approve))\b/, q)) return { type: "owners", entities };
  if (has(/\b(pending|waiting|awaiting|outstanding|open proposals?|in the queue|not (yet )?executed|need(s)? (an? )?(approval|signature))\b/, q))
    return { type: "pending", entities };
  if (has(/\b(reject(ed|ion|ions|s)?|turned down|declined|refused)\b/, q)) return { type: "rejected", entities, cancelled: false };
  if (has(/\b(cancel(l)?ed|cancellations?|withdrawn)\b/, q)) return { type: "rejected", entities, cancelled: true };
  if (has(/\b(balances?|holdings?|how much (money )?(do|does) (we|the safe|the treasury) (have|hold)|what('s| is) in the (safe|treasury)|funds left|left in the)\b/, q))
    return { type: "balances", entities };

  const direction = directionOf(q, entities);
  if (has(/\b(largest|biggest|highest|most expensive|smallest|lowest|cheapest|top)\b/, q))
    return { type: "largest", entities, direction, smallest: has(/\b(smallest|lowest|cheapest)\b/, q) };
  if (has(/^why\b|\bwhy\b|\breason\b|\bpurpose\b|\bwhat (was|were|is) (it|that|the .+) for\b|\bexplain\b|\bwhat for\b/, q)) return { type: "why", entities };
  if (has(/\bhow (much|many)\b|\btotal\b|\bsum\b|\bspen[dt]\b|\bcount\b|\bnumber of\b|\bcost\b|\bhow often\b/, q))
    return { type: "total", entities, direction, count: has(/\bhow many\b|\bcount\b|\bnumber of\b|\bhow often\b/, q) };
  if (has(/\b(list|show|which|what) .*\b(payments?|transactions?|transfers?|deposits?|invoices?)\b|\b(payments?|transfers?|deposits?) (to|from)\b/, q))
    return { type: "list", entities, direction };
  if (has(/\b(paid|pay|payments?|received|deposits?)\b/, q) && (entities.counterparty || entities.category))
    return { type: "total", entities, direction, count: false };
  return { type: "search", entities };
}

function directionOf(q: string, entities: QuestionEntities): "in" | "out" {
  if (has(/\b(we paid|did we pay|we pay|we spent|did we spend|paid to|payments? to|we sent|spent on|spend on|payouts?|outgoing)\b/, q)) return "out";
  if (has(/\b(paid us|pay us|sent us|send us|gave us|given us|received|receive|income|incoming|deposit(s|ed)?|came in|raised|revenue|earned|donat\w*|from (our )?(clients?|funders?))\b/, q))
    return "in";
  const kind = entities.counterparty?.kind;
  if (kind === "funder" || kind === "client") return "in";
  return "out";
}
