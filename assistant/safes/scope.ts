/**
 * Which Safes a question is about, read from its words (English and
 * Spanish): all of them ("across all our Safes", "en todas las tesorerías"),
 * one named by its registered name ("in the grants Safe", "en la Safe de
 * grants"), a name no Safe has ("in the foo Safe": refused, never widened),
 * or none said (the caller's Safe). The words naming the Safes are taken out
 * of the question the rest of the assistant reads.
 */
export type SafeScope =
  | { kind: "default"; question: string }
  | { kind: "all"; question: string }
  | { kind: "named"; name: string; question: string }
  | { kind: "unknown"; name: string; question: string };

const safeWord = "(?:safes?|treasur(?:y|ies)|multisigs?|tesorer[ií]as?)";

/** "across all our Safes", "in all treasuries", "for every Safe", "en todas las Safes", "en todas nuestras tesorerías". */
const allSafes = [
  new RegExp(`\\b(?:across|in|for|over|of|from|on)\\s+(?:all|every|each)\\s+(?:of\\s+)?(?:our\\s+|the\\s+|my\\s+)?(?:${safeWord})\\b`, "iu"),
  new RegExp(`\\b(?:all|every|each)\\s+(?:of\\s+)?(?:our\\s+|the\\s+|my\\s+)?(?:${safeWord})\\b`, "iu"),
  new RegExp(`\\b(?:(?:en|de|para)\\s+)?(?:tod[ao]s|cada)\\s+(?:(?:las|los|nuestr[ao]s|mis)\\s+)?(?:${safeWord})\\b`, "iu"),
];

/** Words that sit where a Safe's name would but are not one ("in the Safe", "in our Safe", "la Safe de la DAO"). */
const notNames = new Set([
  "the", "our", "my", "your", "this", "that", "a", "one", "same", "other", "whole", "entire", "each", "every", "all", "gnosis", "multisig", "treasury", "safe",
  "la", "el", "los", "las", "nuestra", "nuestro", "esta", "este", "esa", "ese", "una", "un", "mi", "tu", "su", "misma",
]);

const word = "[\\p{L}\\p{N}_][\\p{L}\\p{N}_.-]*";
/** "in the foo Safe", "from our foo safe", "en la Safe de foo", "en la Safe llamada foo", "the Safe called foo". */
const namedSafe = [
  new RegExp(`\\b(?:in|on|for|from|of|at|by|to)\\s+(?:the\\s+|our\\s+)?["“']?(${word})["”']?\\s+safe\\b`, "iu"),
  new RegExp(`\\bsafe\\s+(?:called|named|llamada|de\\s+nombre)\\s+["“']?(${word})["”']?`, "iu"),
  new RegExp(`\\b(?:en|de|desde|para|a)\\s+la\\s+safe\\s+(?:de\\s+)?["“']?(${word})["”']?`, "iu"),
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The question without the matched words (and the punctuation they leave behind). */
function without(question: string, match: RegExpMatchArray, replacement = ""): string {
  const start = match.index ?? 0;
  return `${question.slice(0, start)} ${replacement} ${question.slice(start + match[0].length)}`.replace(/\s+([?!.,;:])/g, "$1").replace(/\s{2,}/g, " ").trim();
}

/**
 * Reads which Safes `question` asks about, given the registered names.
 * A registered name next to "Safe", "treasury" or "tesorería" names that
 * Safe; an unregistered word in a "the X Safe" position is an unknown Safe.
 */
export function safeScopeOf(question: string, names: string[]): SafeScope {
  for (const pattern of allSafes) {
    const match = question.match(pattern);
    if (match) return { kind: "all", question: without(question, match) };
  }
  // Longest names first, so "grants-2" is not read as "grants".
  for (const name of [...names].sort((a, b) => b.length - a.length)) {
    const n = escapeRegExp(name);
    const patterns = [
      new RegExp(`(?:\\b(?:in|on|for|from|of|at|by|to)\\s+)?(?:the\\s+|our\\s+)?["“']?${n}["”']?\\s+${safeWord}(?![\\p{L}\\p{N}_-])`, "iu"),
      new RegExp(`(?:\\b(?:in|on|for|from|of|at|by|to)\\s+)?(?:the\\s+)?${safeWord}\\s+(?:called\\s+|named\\s+)?["“']?${n}["”']?(?![\\p{L}\\p{N}_-])`, "iu"),
      new RegExp(`(?:\\b(?:en|de|desde|para|a)\\s+)?(?:la\\s+)?${safeWord}\\s+(?:de\\s+|llamada\\s+)?["“']?${n}["”']?(?![\\p{L}\\p{N}_-])`, "iu"),
    ];
    for (const pattern of patterns) {
      const match = question.match(pattern);
      if (!match) continue;
      // "in the grants Safe" goes; "the grants Safe" as the subject becomes "the Safe".
      const subject = !/^(?:in|on|for|from|of|at|by|to|en|de|desde|para|a)\s/iu.test(match[0]);
      return { kind: "named", name, question: without(question, match, subject ? "the Safe" : "") };
    }
  }
  for (const pattern of namedSafe) {
    const match = question.match(pattern);
    const candidate = match?.[1]?.replace(/[.-]+$/, "");
    if (match && candidate && !notNames.has(candidate.toLowerCase())) return { kind: "unknown", name: candidate, question: without(question, match) };
  }
  return { kind: "default", question };
}
