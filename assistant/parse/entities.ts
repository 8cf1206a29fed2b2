import type { LedgerDirectory } from "../../db/ledger/directory.ts";
import { nativeCoinWords, normalize, similarity } from "../text.ts";
import { categorySynonyms, commonWords, monthNames, weakNameWords } from "./lexicon.ts";

export type LinkKind = "counterparty" | "person" | "token" | "category";

/** A name in the question linked to the database, with how sure the match is. */
export type Link = {
  kind: LinkKind;
  label: string;
  text: string;
  start: number;
  end: number;
  confidence: number;
  alsoPerson?: string;
  /** Several different names share this alias: the question must say which. */
  options?: string[];
};

type Target = { kind: LinkKind; label: string; alsoPerson?: string };

const monthWords = new Set(monthNames.flatMap((m) => m.full));
const baseOf = (label: string) => label.replace(/\s*\(.*\)\s*$/, "").trim();

/** The aliases of every name the database knows: full labels, base labels, distinctive words, first names, symbols, categories. */
export function aliasTable(directory: LedgerDirectory): Map<string, Target[]> {
  const table = new Map<string, Target[]>();
  const add = (alias: string, target: Target) => {
    const key = normalize(alias);
    if (!key) return;
    const list = table.get(key) ?? [];
    if (!list.some((t) => t.kind === target.kind && t.label === target.label)) list.push(target);
    table.set(key, list);
  };
  const memberNames = new Map(directory.members.map((m) => [normalize(m.name), m.name]));
  const labels = directory.book.map((e) => e.label);
  const wordOwners = new Map<string, Set<string>>();
  const categoryWords = new Set([...directory.categories.map(normalize), ...Object.keys(categorySynonyms)]);
  for (const label of [...labels, ...directory.members.map((m) => m.name)])
    for (const word of normalize(baseOf(label)).split(" ")) wordOwners.set(word, new Set([...(wordOwners.get(word) ?? []), normalize(baseOf(label))]));
  for (const entry of directory.book) {
    const asPerson = memberNames.get(normalize(entry.label));
    add(entry.label, { kind: "counterparty", label: entry.label, alsoPerson: asPerson });
    add(baseOf(entry.label), { kind: "counterparty", label: entry.label, alsoPerson: asPerson });
    const words = normalize(baseOf(entry.label)).split(" ");
    if (words.length >= 3) add(words.slice(0, 2).join(" "), { kind: "counterparty", label: entry.label });
    for (const word of words)
      if (word.length >= 3 && !commonWords.has(word) && !weakNameWords.has(word) && !categoryWords.has(word) && !monthWords.has(word) && (wordOwners.get(word)?.size ?? 0) === 1)
        add(word, { kind: "counterparty", label: entry.label, alsoPerson: asPerson });
  }
  for (const member of directory.members) {
    const inBook = directory.book.some((e) => normalize(e.label) === normalize(member.name));
    const target: Target = { kind: "person", label: member.name };
    add(member.name, target);
    for (const word of normalize(member.name).split(" "))
      if (word.length >= 2 && !commonWords.has(word) && !monthWords.has(word) && (wordOwners.get(word)?.size ?? 0) === 1) add(word, target);
    if (inBook) continue;
  }
  for (const token of directory.tokens) {
    add(token.symbol, { kind: "token", label: token.symbol });
    add(token.name.replace(/\(.*?\)/g, ""), { kind: "token", label: token.symbol });
  }
  for (const alias of nativeCoinWords(directory)) add(alias, { kind: "token", label: directory.native.symbol });
  for (const category of directory.categories) {
    add(category, { kind: "category", label: category });
    const n = normalize(category);
    add(n.endsWith("s") ? n.slice(0, -1) : `${n}s`, { kind: "category", label: category });
  }
  for (const [word, targets] of Object.entries(categorySynonyms)) {
    const target = directory.categories.find((c) => targets.includes(normalize(c)));
    if (target && !table.get(word)?.some((t) => t.kind === "counterparty" && normalize(baseOf(t.label)) === word)) add(word, { kind: "category", label: target });
  }
  return table;
}

type Token = { word: string; start: number; end: number };

/** Spanish words for the qualifiers address books put in parentheses ("new address?"). */
const qualifierSynonyms: Record<string, string> = { nueva: "new", nuevo: "new", direccion: "address", cuenta: "account", antigua: "old", antiguo: "old", vieja: "old", viejo: "old" };

function tokensOf(text: string): Token[] {
  const out: Token[] = [];
  for (const match of text.matchAll(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu)) {
    const word = match[0].replace(/['’]s$/, "").replace(/['’]/g, "");
    out.push({ word, start: match.index!, end: match.index! + match[0].length });
  }
  return out;
}

/**
 * Finds the names a question mentions and links each to the database: the
 * longest exact alias first, then close spellings (with a lower confidence).
 * A person's name that is also a payee is kept as both; the parser decides by
 * the words around it. Returns the text with each link replaced by `@i@`.
 */
export function linkEntities(text: string, directory: LedgerDirectory, table = aliasTable(directory)): { links: Link[]; marked: string } {
  const tokens = tokensOf(text);
  const byWordCount = new Map<number, [string, Target[]][]>();
  for (const entry of table) {
    const count = entry[0].split(" ").length;
    byWordCount.set(count, [...(byWordCount.get(count) ?? []), entry]);
  }
  const candidates: (Link & { n: number })[] = [];
  for (let n = Math.min(6, tokens.length); n >= 1; n--)
    for (let i = 0; i + n <= tokens.length; i++) {
      const slice = tokens.slice(i, i + n);
      const phrase = slice.map((t) => t.word).join(" ");
      const start = slice[0].start;
      const end = slice[n - 1].end;
      const exact = table.get(phrase);
      if (exact) {
        const payees = [...new Set(exact.filter((t) => t.kind === "counterparty").map((t) => normalize(baseOf(t.label))))];
        const options = payees.length > 1 ? [...new Set(exact.filter((t) => t.kind === "counterparty").map((t) => t.label))] : undefined;
        for (const target of exact) candidates.push({ ...target, text: text.slice(start, end), start, end, confidence: 1, n, ...(options && target.kind === "counterparty" ? { options } : {}) });
        continue;
      }
      if (phrase.length < 5 || slice.every((t) => commonWords.has(t.word) || /^\d+$/.test(t.word))) continue;
      for (const [alias, targets] of byWordCount.get(n) ?? []) {
        if (alias.length < 5) continue;
        const score = similarity(phrase, alias);
        if (score >= 0.86)
          for (const target of targets)
            if (target.kind !== "token") candidates.push({ ...target, text: text.slice(start, end), start, end, confidence: Math.round(score * 100) / 100, n });
      }
    }
  candidates.sort((a, b) => b.n - a.n || b.confidence - a.confidence || a.start - b.start);
  const chosen: Link[] = [];
  for (const candidate of candidates) {
    const overlaps = chosen.some((c) => candidate.start < c.end && c.start < candidate.end);
    const same = chosen.find((c) => c.start === candidate.start && c.end === candidate.end);
    if (same && same.confidence === candidate.confidence && same.kind !== candidate.kind) {
      // One name, two meanings (a member who is also a payee): remember both.
      if (candidate.kind === "person") same.alsoPerson = candidate.label;
      else if (same.kind === "person" && candidate.kind === "counterparty") {
        Object.assign(same, { kind: "counterparty", label: candidate.label, alsoPerson: same.label });
      }
      continue;
    }
    if (overlaps) continue;
    const { n: _n, ...link } = candidate;
    chosen.push(link);
  }
  // A name with a qualified twin ("X (new address?)"): the twin when the question uses its qualifier words.
  const words = new Set(tokens.flatMap((t) => [t.word, qualifierSynonyms[t.word] ?? t.word]));
  for (const link of chosen) {
    if (link.kind !== "counterparty") continue;
    const twins = directory.book.filter((e) => e.label !== link.label && normalize(baseOf(e.label)) === normalize(baseOf(link.label)) && /\(.*\)/.test(e.label));
    for (const twin of twins) {
      const qualifier = normalize(/\((.*)\)/.exec(twin.label)![1]).split(" ").filter((w) => !commonWords.has(w) || w === "new" || w === "old");
      if (qualifier.length && qualifier.every((w) => words.has(w))) link.label = twin.label;
    }
  }
  chosen.sort((a, b) => a.start - b.start);
  let marked = text;
  for (let i = chosen.length - 1; i >= 0; i--) marked = `${marked.slice(0, chosen[i].start)} @${i}@ ${marked.slice(chosen[i].end)}`;
  return { links: chosen, marked: marked.replace(/\s+/g, " ") };
}
