import type { Citation } from "../context.ts";
import type { Language } from "../parse/lexicon.ts";
import { words } from "./words.ts";

/** Longest answer we post: comfortably inside one Slack message. */
export const maxAnswerLength = 3000;

/**
 * Finishes an answer for people: the text (trimmed to Slack size), then up to
 * `maxSources` receipts, each an explorer link or Slack permalink when there
 * is one, else the full hash.
 */
export function withSources(answer: string, citations: Citation[], language: Language = "en", maxSources = 6): string {
  let text = answer.trim();
  const shown = citations.slice(0, maxSources);
  const lines = shown.map((c) => `• ${c.label}: ${c.url ?? c.ref}`);
  if (citations.length > shown.length) lines.push(`• ${words[language].more(citations.length - shown.length)}`);
  const sources = lines.length ? `\n${words[language].sources}:\n${lines.join("\n")}` : "";
  const room = maxAnswerLength - sources.length;
  if (text.length > room) {
    const cut = text.slice(0, Math.max(200, room - 2));
    // Never leave a code block open.
    text = `${cut}…${(cut.match(/```/g)?.length ?? 0) % 2 === 1 ? "\n```" : ""}`;
  }
  return `${text}${sources}`;
}
