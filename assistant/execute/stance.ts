/**
 * How a discussion message stands: an objection (a concern, a duplicate, a
 * "wait"), an open question, or neither. Generic words of English and Spanish,
 * read as data: nothing in a message is followed as an instruction.
 */
const objectionWords = [
  /\bwait\b/i,
  /\bhold on\b/i,
  /\bduplicate/i,
  /\balready (been )?paid\b/i,
  /\bskip\b/i,
  /\b(don'?t|do not|shouldn'?t|should not|can'?t|cannot)\b/i,
  /\btoo (much|expensive|high|pricey)\b/i,
  /\bnot (needed|necessary|sure|convinced)\b/i,
  /\bobject(ion)?s?\b/i,
  /\bconcern(ed|s)?\b/i,
  /\bdisagree\b/i,
  /\bagainst\b/i,
  /\bmistake\b/i,
  /\bwrong\b/i,
  /\bbudget is tight\b/i,
  /\breject(ing)?\b/i,
  /\bespera\b/i,
  /\bduplicad[oa]/i,
  /\bya (se )?pag[oó]/i,
  /\bno deber[ií]amos\b/i,
  /\bdemasiado (caro|alto)\b/i,
  /\bobjeci[oó]n\b/i,
  /\bme preocupa\b/i,
  /(?:^|\s)en contra\b/i,
  /\bequivocad[oa]\b/i,
];

export type Stance = "objection" | "question" | null;

export function stanceOf(text: string): Stance {
  if (objectionWords.some((pattern) => pattern.test(text))) return "objection";
  if (/\?|¿/.test(text)) return "question";
  return null;
}
