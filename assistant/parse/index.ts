import type { LedgerDirectory } from "../../db/ledger/directory.ts";
import type { AmountFilter, Grouping, Measure, PlanFilters, PlanPeriod, PlanStatus, QueryPlan, Subject } from "../plan.ts";
import { normalize } from "../text.ts";
import { aliasTable, linkEntities, type Link } from "./entities.ts";
import { commonWords, englishMarkers, lexicon as X, monthNames, numberWords, spanishMarkers, type Language } from "./lexicon.ts";
import { numberPattern, parseNumber } from "./numbers.ts";
import { findPeriods } from "./periods.ts";

export type { Language } from "./lexicon.ts";

/** Longest question the parser reads; longer ones get a clear refusal. */
export const maxQuestionLength = 1000;

/** A name the question uses that the database does not hold: reported, never dropped. */
export type UnknownName = { what: "payee" | "sender" | "person" | "token"; name: string };

export type ParseOutcome =
  | { kind: "plan"; language: Language; plan: QueryPlan; links: Link[]; injection: boolean; unknown: UnknownName[] }
  | { kind: "empty"; language: Language }
  | { kind: "too_long"; language: Language; length: number }
  | { kind: "action"; language: Language }
  | { kind: "out_of_scope"; language: Language; injection: boolean; explicit: boolean }
  | { kind: "unknown"; language: Language; unknown: UnknownName[] }
  | { kind: "clarify"; language: Language; about: "compare_period"; options: string[] }
  | { kind: "ambiguous"; language: Language; name: string; options: string[] };

/** Spanish or English, by the words used (Spanish also by ¿ ¡ ñ and accents). */
export function detectLanguage(question: string): Language {
  const q = question.toLowerCase();
  let es = /[¿¡ñ]|[áéíóú]/.test(q) ? 2 : 0;
  let en = 0;
  const plain = normalize(question);
  for (const word of plain.split(" ")) {
    if (spanishMarkers.test(word)) es += 1;
    if (englishMarkers.test(word)) en += 1;
  }
  return es > en ? "es" : "en";
}

/** Lower case, accents removed, punctuation kept where numbers and ranges need it. */
export function normalizeQuestion(question: string): string {
  return ` ${question
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[’‘`´]/g, "'")
    .replace(/[–—]/g, "-")
    .replace(/[¿¡"“”«»()[\]{}!;:*_|\\]/g, " ")
    .replace(/\s+/g, " ")
    .trim()} `;
}

const has = (pattern: RegExp, text: string) => pattern.test(text);
const markerIndex = (marker: string) => Number(/@(\d+)@/.exec(marker)?.[1] ?? -1);
const questionWords = new Set(
  "how what who whom which did do does is are was were why when where show list give tell compare please can could would has have any qué que cuanto cuantos cuantas cual cuales quien quienes como donde cuando hay dime muestra lista compara the a an and our in on at for of by to from with i we you ok safe eth usd".split(" "),
);
const acronyms = /^(Q[1-4]|H[12]|T[1-4]|YTD|ETH|USD|INV|ID|OK|API|CLI|CSV|UTC|DAO|NFT|IBAN|KYC)$/;

/**
 * Fills a query plan from an English or Spanish question, with no LLM. Names
 * are linked against the database (payees, senders, members, tokens,
 * categories); a name it cannot link is returned as unknown, never dropped. A
 * question to act (pay, sign) or about something else (prices, weather) is
 * recognised as such. Instructions inside the question are data: they are
 * flagged and their figures are never used.
 */
export function parseQuestion(
  directory: LedgerDirectory,
  question: string,
  now: number,
  counterpartyActivity?: (label: string) => { paidTo: number; receivedFrom: number },
  aliases = aliasTable(directory),
): ParseOutcome {
  const language = detectLanguage(question);
  const trimmed = question.replace(/\u0000/g, "").trim();
  if (trimmed.length > maxQuestionLength) return { kind: "too_long", language, length: trimmed.length };
  if (normalize(trimmed) === "") return { kind: "empty", language };
  let text = normalizeQuestion(trimmed);

  const injection = has(X.injection, text);
  if (!injection && has(X.action, text.trim())) return { kind: "action", language };
  if (injection) {
    // The instruction itself is data: drop it (and the verb it asks for) before reading the question.
    const global = new RegExp(X.injection.source, "gu");
    text = text.replace(global, " ").replace(/(?<![\p{L}])(?:and |y )?(?:say|tell|state|report|answer|respond|di|responde|contesta)(?: that| que)?(?![\p{L}])/gu, " ");
  }

  const { links, marked } = linkEntities(text, directory, aliases);
  const ambiguous = links.find((link) => link.options && link.options.length > 1);
  if (ambiguous) return { kind: "ambiguous", language, name: ambiguous.text.trim(), options: ambiguous.options! };
  const periodsFound = findPeriods(marked, language, now);
  let rest = periodsFound.periods.length ? periodsFound.rest : marked;
  const periods: PlanPeriod[] = periodsFound.periods.map((p) => p.period);

  const linkAt = (marker: string) => links[markerIndex(marker)];
  const used = new Set<number>();
  const filters: PlanFilters = {};
  const unknown: UnknownName[] = [];

  // People in roles.
  const roles: [keyof PlanFilters, RegExp[]][] = [
    ["proposedBy", X.proposedBy],
    ["approvedBy", X.approvedBy],
    ["executedBy", X.executedBy],
    ["authors", X.authoredBy],
  ];
  for (const [field, patterns] of roles)
    for (const pattern of patterns) {
      const match = pattern.exec(rest);
      if (!match) continue;
      const link = linkAt(match[1]);
      if (!link) continue;
      const person = link.kind === "person" ? link.label : link.alsoPerson;
      if (!person) continue;
      (filters[field] as string[] | undefined) = [...((filters[field] as string[] | undefined) ?? []), person];
      used.add(markerIndex(match[1]));
      rest = rest.replace(match[0], " ");
    }

  // Events: "after <member> became an owner", "before we paid <payee>".
  const ownerEvent = X.ownerEvent.exec(rest);
  const removedEvent = X.removedEvent.exec(rest);
  const thresholdEvent = X.thresholdEvent.exec(rest);
  const relationOf = (word: string): "before" | "after" => (/^(before|antes)/.test(word) ? "before" : "after");
  const personOf = (marker: string) => {
    const link = linkAt(marker);
    return link ? (link.kind === "person" ? link.label : (link.alsoPerson ?? link.label)) : undefined;
  };
  if (removedEvent && personOf(removedEvent[2])) {
    filters.event = { relation: relationOf(removedEvent[1]), event: "owner_removed", who: personOf(removedEvent[2]) };
    used.add(markerIndex(removedEvent[2]));
    rest = rest.replace(removedEvent[0], " ");
  } else if (ownerEvent && personOf(ownerEvent[2]) && (ownerEvent[3] || /became|become|joined|added|se hizo|convirtio|fue nombrad|entro|paso a ser/.test(ownerEvent[0]))) {
    filters.event = { relation: relationOf(ownerEvent[1]), event: "owner_added", who: personOf(ownerEvent[2]) };
    used.add(markerIndex(ownerEvent[2]));
    rest = rest.replace(ownerEvent[0], " ");
  } else if (thresholdEvent) {
    filters.event = { relation: relationOf(thresholdEvent[1]), event: "threshold_changed" };
    rest = rest.replace(thresholdEvent[0], " ");
  }

  // Subject.
  const messagesAsked = has(X.messages, rest);
  let timing: PlanFilters["timing"];
  if (has(X.beforeExecution, rest) && messagesAsked) timing = "before_execution";
  else if (has(X.afterExecution, rest) && messagesAsked) timing = "after_execution";
  if (!timing && !filters.event) {
    const paidEvent = X.paidEvent.exec(rest);
    if (paidEvent && linkAt(paidEvent[2])) {
      filters.event = { relation: relationOf(paidEvent[1]), event: "proposal_executed", proposal: linkAt(paidEvent[2]).label };
      used.add(markerIndex(paidEvent[2]));
      rest = rest.replace(paidEvent[0], " ");
    }
  }

  const statuses: PlanStatus[] = [];
  if (has(X.pending, rest)) statuses.push("pending");
  if (has(X.rejected, rest)) statuses.push("rejected");
  if (has(X.cancelled, rest)) statuses.push("cancelled");
  const executedWord = has(X.executed, rest);

  const why = has(X.why, rest);
  const safety = has(X.safety, rest) || has(X.safeAdjective, rest);
  const runway = has(X.runway, rest);
  const netFlow = has(X.netFlow, rest) && !runway;
  const depositsStrong = has(X.depositsStrong, rest);
  const paymentsWord = has(X.payments, rest);

  let subject: Subject | undefined;
  if (filters.authors) subject = "messages";
  else if (has(X.owners, rest) && !has(X.payments, rest.replace(/\bpayment(s)?\b/g, ""))) subject = "owners";
  else if (has(X.balances, rest) && !runway) subject = "balances";
  else if (messagesAsked && !has(/\bwho approved|quien aprobo\b/, rest)) subject = "messages";
  else if (has(X.approvals, rest) && !has(X.count, rest.replace(/how many approvals|cuantas aprobaciones/, "")) ) subject = "approvals";
  else if (has(X.approvals, rest)) subject = "approvals";
  else if (safety || why || statuses.length || has(X.proposals, rest)) subject = "proposals";
  else if (depositsStrong && !/\b(?:did|has|have)\s+@\d+@\s+receive/.test(rest)) subject = "deposits";
  else if (paymentsWord) subject = "payments";

  if (!subject && filters.proposedBy) subject = "proposals";
  if (!subject && filters.approvedBy) subject = "approvals";

  // Counterparties, tokens, categories from the links (people in roles already taken).
  const counterparties: string[] = [];
  const tokens: string[] = [];
  const categories: string[] = [];
  const people: string[] = [];
  for (const [index, link] of links.entries()) {
    if (used.has(index)) continue;
    if (link.kind === "token") tokens.push(link.label);
    else if (link.kind === "category") categories.push(link.label);
    else if (link.kind === "counterparty") counterparties.push(link.label);
    else people.push(link.label);
  }
  // A member named with no role: a payee when the question is about money, else a person of the subject.
  for (const person of people) {
    if (subject === "approvals") (filters.approvedBy ??= []).push(person);
    else if (subject === "messages") (filters.authors ??= []).push(person);
    else if (subject === "proposals") (filters.proposedBy ??= []).push(person);
    else if (subject === "owners" && filters.event === undefined) filters.event = { relation: "after", event: "owner_added", who: person };
    else counterparties.push(person);
  }

  // Money questions about a name only ever paid (or only ever sending): the data says which way.
  if ((!subject || (subject === "payments" && depositsStrong)) && counterparties.length && counterpartyActivity) {
    const activity = counterparties.map((c) => counterpartyActivity(c));
    const onlyIn = activity.every((a) => a.receivedFrom > 0 && a.paidTo === 0);
    const onlyOut = activity.every((a) => a.paidTo > 0 && a.receivedFrom === 0);
    if (onlyIn) subject = "deposits";
    else if (onlyOut || !subject) subject = subject ?? "payments";
  }

  // Amount comparison.
  let amount: AmountFilter | undefined;
  const between = new RegExp(`(?<![\\p{L}\\p{N}])(?:between|entre)\\s+(${numberPattern})\\s*(?:(@\\d+@)\\s*)?(?:and|y)\\s+(${numberPattern})\\s*(@\\d+@)?`, "u").exec(rest);
  if (between) {
    const a = parseNumber(between[1], language);
    const b = parseNumber(between[3], language);
    const tokenLink = between[4] ? linkAt(between[4]) : between[2] ? linkAt(between[2]) : undefined;
    if (a && b) {
      amount = { op: "between", value: a, upTo: b, token: tokenLink?.kind === "token" ? tokenLink.label : undefined };
      rest = rest.replace(between[0], " ");
    }
  }
  const compareOp = new RegExp(`${X.amountOp.source}(${numberPattern})\\s*(@\\d+@|[a-z][a-z0-9]{1,7})?`, "u").exec(rest);
  if (!amount && compareOp) {
    const value = parseNumber(compareOp[2].trim(), language);
    const after = compareOp[3];
    const tokenLink = after?.startsWith("@") ? linkAt(after) : undefined;
    if (value) {
      const opWord = compareOp[1];
      const op: AmountFilter["op"] = /^(over|above|more than|greater than|exceeding|bigger than|larger than|mas de|mayor|superior|por encima|>)/.test(opWord)
        ? opWord === ">=" ? "at_least" : "over"
        : /^(at least|no less than|al menos|como minimo|>=)/.test(opWord)
          ? "at_least"
          : /^(exactly|exactamente)/.test(opWord)
            ? "exactly"
            : /^(at most|no more than|up to|como maximo|hasta|<=)/.test(opWord)
              ? "at_most"
              : "under";
      amount = { op, value, token: tokenLink?.kind === "token" ? tokenLink.label : undefined };
      if (after && !after.startsWith("@") && /^[a-z]{2,7}$/.test(after) && !commonWords.has(after) && !(after in numberWords) && /[A-Z]{2,7}/.test(question))
        unknown.push({ what: "token", name: after.toUpperCase() });
      rest = rest.replace(compareOp[0], " ");
    }
  }
  if (amount && !subject) subject = "payments";

  // Unknown tokens: an all-caps word the database does not know, in money talk.
  for (const match of question.matchAll(/(?<![\p{L}\p{N}-])([A-Z][A-Z0-9]{1,6})(?![\p{L}\p{N}-])/gu)) {
    const word = match[1];
    if (acronyms.test(word) || links.some((l) => l.kind === "token" && l.label.toUpperCase() === word) || /^\d/.test(word)) continue;
    if (links.some((l) => normalize(l.text) === word.toLowerCase())) continue;
    if (/^[A-Z]$/.test(word) || questionWords.has(word.toLowerCase())) continue;
    if (!unknown.some((u) => u.name === word)) unknown.push({ what: "token", name: word });
  }
  // Lower-case token-like word in "how much X does/do/did …".
  const howMuchX = /(?:how much|cuanto|cuantos)\s+([a-z][a-z0-9]{2,6})\s+(?:do|does|did|have|has|is|are|tenemos|hay)(?![\p{L}\p{N}])/u.exec(rest);
  if (howMuchX && !commonWords.has(howMuchX[1]) && !(howMuchX[1] in numberWords) && !unknown.some((u) => u.name === howMuchX[1].toUpperCase()))
    unknown.push({ what: "token", name: howMuchX[1].toUpperCase() });

  /** A capitalised name that holds a linked name plus other name words ("X Y Studio" when only "X Y Travel" exists): not that link. */
  const extendsLink = (name: string) => {
    const words = normalize(name).split(" ");
    const link = links.find((l) => normalize(name).includes(normalize(l.text)));
    if (!link) return false;
    const linked = new Set(normalize(link.text).split(" "));
    return words.some((word) => !linked.has(word) && !commonWords.has(word) && !questionWords.has(word) && !isMonth(word) && !/^\d/.test(word));
  };

  // Unknown names in a name slot: capitalised words no link covers, or unknown words after "pay", "to", "from"…
  const covered = (start: number, end: number) => links.some((l) => start < l.end && l.start < end);
  // Sentence marks end a name ("Payee? Ignore…" is not one name).
  const original = ` ${trimmed.replace(/[¿?¡!.,;:"“”()]/g, " | ")} `;
  const slot = /(?<![\p{L}\p{N}])(?:pay|paid|pays|paying|to|from|with|by|spent on|spend on|pagamos a|pagado a|pagaron a|pago a|pagos a|pagos de|recibimos de|recibido de|de parte de|le pagamos a|a)\s+((?:[A-Z][\p{L}\p{N}&'.-]*)(?:\s+(?:&|of|de|del|y|and|[A-Z][\p{L}\p{N}&'.-]*))*)/gu;
  for (const match of original.matchAll(slot)) {
    const name = match[1].replace(/\s+(?:&|of|de|del|y|and)$/u, "").trim();
    const words = name.split(/\s+/);
    if (words.every((word) => questionWords.has(word.toLowerCase()) || commonWords.has(normalize(word)) || acronyms.test(word) || isMonth(word) || /^\d/.test(word))) continue;
    const lowered = normalizeQuestion(name).trim();
    const position = text.indexOf(` ${lowered} `);
    if (position >= 0 && covered(position + 1, position + 1 + lowered.length)) continue;
    if (!extendsLink(name) && links.some((l) => normalize(l.text) === normalize(name) || normalize(name).includes(normalize(l.text)))) continue;
    if (tokens.some((t) => t.toLowerCase() === name.toLowerCase()) || unknown.some((u) => u.name === name)) continue;
    const what: UnknownName["what"] = /^(by)$/.test(match[0].split(/\s+/)[0]) ? "person" : subject === "deposits" || /^(from|recibimos|recibido|de parte)/.test(match[0]) ? "sender" : "payee";
    // About a proposal or its discussion, an unknown name is a word of its memo: the executor says when no proposal matches.
    if (what !== "person" && subject && ["approvals", "messages", "proposals"].includes(subject)) continue;
    unknown.push({ what, name });
  }
  const personSlot = /(?<![\p{L}\p{N}])(?:approved by|proposed by|signed by|executed by|did|has|aprobad[oa]s? por|propuest[oa]s? por|firmad[oa]s? por|aprob[oó]|firm[oó]|propuso|ejecut[oó]|dijo)\s+([A-Z][\p{L}'-]+)(?:\s+(?:approve|sign|propose|say|object))?/gu;
  for (const match of original.matchAll(personSlot)) {
    const name = match[1];
    if (questionWords.has(name.toLowerCase()) || commonWords.has(normalize(name)) || links.some((l) => normalize(l.text).split(" ").includes(normalize(name)))) continue;
    if (!unknown.some((u) => u.name === name)) unknown.push({ what: "person", name });
  }

  // Any other capitalised word no link covers, mid-sentence, in a money question: a name we do not know.
  if (subject && ["payments", "deposits", "balances"].includes(subject))
    for (const match of trimmed.matchAll(/(?<=[\p{L}\p{N},] )([A-Z][\p{L}'-]{2,}(?:\s+[A-Z][\p{L}'-]+)*)/gu)) {
      const name = match[1];
      const lowered = normalize(name);
      if (name.split(/\s+/).every((word) => questionWords.has(word.toLowerCase()) || commonWords.has(normalize(word)) || acronyms.test(word) || isMonth(word))) continue;
      if (!extendsLink(name) && links.some((l) => normalize(l.text).includes(lowered) || lowered.includes(normalize(l.text)))) continue;
      if (unknown.some((u) => normalize(u.name).includes(lowered) || lowered.includes(normalize(u.name)))) continue;
      const around = normalizeQuestion(trimmed);
      const what: UnknownName["what"] = /approv|aprob|sign|firm|propos|propus|said|dijo/.test(around) ? "person" : subject === "deposits" ? "sender" : "payee";
      unknown.push({ what, name });
    }

  if (injection) {
    // Figures inside an instruction are claims, not filters.
    amount = undefined;
  }

  // Measure.
  const limitMatch = X.top.exec(rest);
  const limitWord = limitMatch?.[1] ?? limitMatch?.[2];
  const limit = limitWord ? (/^\d+$/.test(limitWord) ? Number(limitWord) : numberWords[limitWord]) : undefined;
  const topAsked = !!limitMatch && (limit !== undefined || /top/.test(limitMatch[0]));
  let groupBy: Grouping | undefined;
  const average = has(X.average, rest);
  const perMonth = has(X.perMonth, rest);
  if (has(X.groupPayee, rest)) groupBy = "payee";
  else if (has(X.groupCategory, rest)) groupBy = "category";
  else if (has(X.groupToken, rest)) groupBy = "token";
  else if (has(X.groupQuarter, rest)) groupBy = "quarter";
  else if (has(X.groupProposer, rest)) groupBy = "proposer";
  else if (has(X.groupApprover, rest)) groupBy = "approver";
  else if (has(X.groupAuthor, rest)) groupBy = "author";
  else if (has(X.groupStatus, rest)) groupBy = "status";
  else if (has(X.groupMonth, rest) && !average) groupBy = "month";
  if (/which month|what month|que mes|en que mes/.test(rest)) groupBy = "month";
  if (/which quarter|what quarter|que trimestre/.test(rest)) groupBy = "quarter";
  if (/which category|what category|que categoria/.test(rest)) groupBy = "category";

  let measure: Measure | undefined;
  if (average) measure = "average";
  else if (has(X.count, rest)) measure = "count";
  else if (groupBy && (has(X.most, rest) || topAsked)) measure = "sum";
  else if (topAsked && (subject === "payments" || subject === "deposits")) measure = "list";
  else if (has(X.max, rest)) measure = "max";
  else if (has(X.min, rest)) measure = "min";
  else if (has(X.first, rest)) measure = "first";
  else if (has(X.last, rest)) measure = "last";
  else if (has(X.sum, rest)) measure = "sum";
  else if (has(X.list, rest)) measure = "list";

  // Derived figures.
  let derived: QueryPlan["derived"];
  if (runway) {
    const windowMatch = /(?:last|past|ultimos|ultimas)\s+(\d{1,2}|[a-z]+)\s+(?:months|meses)/.exec(marked);
    const windowMonths = windowMatch ? (Number(windowMatch[1]) || numberWords[windowMatch[1]] || 3) : 3;
    derived = { kind: "runway", windowMonths: Math.min(24, Math.max(1, windowMonths)) };
    if (windowMatch) periods.splice(0, periods.length);
    subject = "payments";
    measure = "sum";
  } else if (netFlow) {
    derived = { kind: "net_flow" };
    subject = "payments";
    measure = "sum";
  } else if (has(X.compare, rest) && periods.length === 2 && subject !== "balances" && subject !== "owners") {
    derived = { kind: "compare" };
    subject = subject && ["payments", "deposits", "proposals"].includes(subject) ? subject : "payments";
    if (!measure || !["sum", "count", "average"].includes(measure)) measure = subject === "proposals" ? "count" : "sum";
  } else if (has(X.compare, rest) && periods.length === 1 && /\b(compare|compara|vs|versus|against|frente a)\b/.test(rest))
    return { kind: "clarify", language, about: "compare_period", options: [] };

  if (!subject) {
    if (counterparties.length || categories.length || groupBy) subject = "payments";
    else if (tokens.length && (measure === "sum" || has(/how much|cuanto/, rest))) subject = "balances";
    else if (groupBy || measure === "average" || (measure && periods.length)) subject = "payments";
  }
  if (has(X.tellMeAbout, rest) && (counterparties.length || categories.length) && !measure) subject = "proposals";

  if (has(X.outOfScope, rest) && links.length === 0 && !periods.length) return { kind: "out_of_scope", language, injection, explicit: true };
  if (unknown.length) return { kind: "unknown", language, unknown };
  if (!subject) {
    if (has(X.outOfScope, rest) || links.length === 0) return { kind: "out_of_scope", language, injection, explicit: has(X.outOfScope, rest) || injection };
    subject = "payments";
  }
  if (has(X.outOfScope, rest) && links.length === 0 && !periods.length) return { kind: "out_of_scope", language, injection, explicit: true };

  // Fill the plan.
  if (subject === "proposals") {
    if (statuses.length) filters.status = statuses;
    else if (why && executedWord) filters.status = ["executed"];
  } else if ((subject === "approvals" || subject === "messages") && statuses.length) filters.status = statuses;
  if (counterparties.length) filters.counterparties = [...new Set(counterparties)];
  if (tokens.length && subject !== "owners") filters.tokens = [...new Set(tokens)];
  if (categories.length && subject !== "balances" && subject !== "owners") filters.categories = [...new Set(categories)];
  if (periods.length) filters.periods = periods;
  if (amount && ["payments", "deposits", "proposals"].includes(subject)) filters.amount = amount;
  if (timing) filters.timing = timing;
  if (subject === "messages") {
    if (has(X.objection, rest)) filters.stance = "objection";
    else if (has(X.question, rest)) filters.stance = "question";
  }
  if (subject === "balances") {
    delete filters.counterparties;
    delete filters.categories;
    if (periods.length > 1) filters.periods = [periods.at(-1)!];
  }

  // A proposal named by number, or by words, for questions about one proposal.
  const nonce = /(?:#|nonce\s*#?|proposal\s*#?|propuesta\s*#?|n[º°o]\s*)(\d{1,6})(?![\p{L}\p{N}])/u.exec(rest);
  if (nonce && ["proposals", "approvals", "messages"].includes(subject)) filters.proposal = `#${nonce[1]}`;
  else if (["approvals", "messages"].includes(subject) || (subject === "proposals" && (why || safety))) {
    const words = rest
      .replace(/@\d+@/g, " ")
      .split(/[^\p{L}\p{N}-]+/u)
      .filter((word) => word.length > 2 && !commonWords.has(word) && !questionWords.has(word) && !isLexiconWord(word));
    if (words.length) filters.proposal = words.slice(0, 8).join(" ");
  }

  if (!measure) {
    measure =
      subject === "balances"
        ? "sum"
        : subject === "owners" || subject === "proposals" || subject === "approvals" || subject === "messages"
          ? "list"
          : filters.amount
            ? "list"
            : "sum";
  }
  if (subject === "owners" && !["count", "list", "first", "last"].includes(measure)) measure = "list";
  if ((subject === "approvals" || subject === "messages") && !["count", "list", "first", "last"].includes(measure)) measure = groupBy ? "count" : "list";
  if (subject === "balances") measure = "sum";
  if (groupBy && ["list", "first", "last"].includes(measure)) measure = subject === "payments" || subject === "deposits" ? "sum" : "count";
  if (subject === "deposits" && groupBy && ["proposer", "approver", "status", "author"].includes(groupBy)) groupBy = undefined;

  const plan: QueryPlan = { measure, over: subject, filters, language };
  if (groupBy) plan.groupBy = groupBy;
  if (average && perMonth) plan.per = "month";
  if (limit !== undefined && Number.isFinite(limit) && limit >= 1) plan.limit = Math.min(100, limit);
  if ((topAsked || (groupBy && has(X.most, rest))) && !plan.limit) plan.limit = topAsked ? 5 : 1;
  if (topAsked || (groupBy && has(X.most, rest) && !derived)) plan.order = has(X.min, rest) ? "asc" : "desc";
  if (measure === "list" && subject !== "payments" && subject !== "deposits") delete plan.order;
  if (groupBy && (groupBy === "month" || groupBy === "quarter") && !has(X.most, rest) && !topAsked) delete plan.order;
  if (derived) plan.derived = derived;
  if (subject === "proposals" && (why || has(X.tellMeAbout, rest) || statuses.includes("rejected") || statuses.includes("cancelled"))) plan.include = ["discussion"];
  if (subject === "proposals" && safety) plan.include = ["warnings"];
  return { kind: "plan", language, plan, links, injection, unknown: [] };
}

const monthWords = new Set(monthNames.flatMap((m) => [...m.full, ...m.short]));
const isMonth = (word: string) => monthWords.has(normalize(word));

const lexiconWords = new Set(
  `approved approve approval approvals signed sign sign-off payment proposal proposals who why what discussed said object objected anyone before after paid paying pay
   aprobo firmo aprobaron discutio dijo objeto alguien antes despues pagamos pagar pago propuesta pagado safe seguro segura address direccion new nueva nuevo
   legit trust risky warnings reason purpose explain motivo razon hilo thread questions preguntas concerns executed ejecutada ejecutado pending pendiente`.split(/\s+/),
);
const isLexiconWord = (word: string) => lexiconWords.has(word) || isMonth(word);
