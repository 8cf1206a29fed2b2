import type { Citation } from "./context.ts";

/** Longest answer we post: comfortably inside one Slack message. */
export const maxAnswerLength = 3000;

/**
 * Finishes an answer for people: the text (trimmed to Slack size), then up to
 * `maxSources` receipts, each an explorer link or Slack permalink when there
 * is one, else the full hash.
 */
export function withSources(answer: string, citations: Citation[], maxSources = 6): string {
  let text = answer.trim();
  const shown = citations.slice(0, maxSources);
  const lines = shown.map((c) => `• ${c.label}: ${c.url ?? c.ref}`);
  if (citations.length > shown.length) lines.push(`• …and ${citations.length - shown.length} more`);
  const sources = lines.length ? `\nSources:\n${lines.join("\n")}` : "";
  const room = maxAnswerLength - sources.length;
  if (text.length > room) text = `${text.slice(0, Math.max(200, room - 2))}…`;
  return `${text}${sources}`;
}
