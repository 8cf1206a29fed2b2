import type { LedgerDirectory } from "../db/ledger/directory.ts";
import { distance } from "fastest-levenshtein";

/** Lower case, accents and punctuation removed, single spaces: how names and questions are compared. */
export function normalize(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/['’]s\b/g, "")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** Words of a text, normalized. */
export function wordsOf(text: string): string[] {
  const normal = normalize(text);
  return normal ? normal.split(" ") : [];
}

/** 0..1: 1 - edit distance / length of the longer string. */
export function similarity(a: string, b: string): number {
  if (a === b) return 1;
  const longest = Math.max(a.length, b.length);
  return longest === 0 ? 1 : 1 - distance(a, b) / longest;
}

/** Best similarity of a name to a label: the whole label, or the label's words one by one for a one-word name. */
export function nameSimilarity(name: string, label: string): number {
  const a = normalize(name);
  const b = normalize(label);
  let best = similarity(a, b);
  const nameWords = a.split(" ");
  const labelWords = b.split(" ");
  if (nameWords.length < labelWords.length) {
    // Compare with the label's first words, as many as the name has ("blue print" vs "blue print co").
    best = Math.max(best, similarity(a, labelWords.slice(0, nameWords.length).join(" ")) * 0.95);
    if (nameWords.length === 1) for (const word of labelWords) best = Math.max(best, similarity(a, word) * 0.9);
  }
  return best;
}

/** The words a person may use for the chain's own coin: its symbol and name, and "ether" where it is Ether. */
export function nativeCoinWords(directory: Pick<LedgerDirectory, "native">): string[] {
  const words = [normalize(directory.native.symbol), normalize(directory.native.name)];
  if (directory.native.symbol === "ETH") words.push("ether", "ethers");
  return words;
}
