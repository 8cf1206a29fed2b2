import type { PlanPeriod } from "../plan.ts";
import { monthLabels, monthNames, numberWords, type Language } from "./lexicon.ts";

export type FoundPeriod = { period: PlanPeriod; index: number; future?: boolean };

const fullAlt = monthNames.flatMap((m) => m.full).join("|");
const anyAlt = monthNames.flatMap((m) => [...m.full, ...m.short]).sort((a, b) => b.length - a.length).join("|");
const yearPart = `(?:\\s*,?\\s*(?:of |de |del )?(20\\d{2}))?`;
const B = "(?<![\\p{L}\\p{N}-])";
const E = "(?![\\p{L}\\p{N}])";

const monthIndex = (word: string) => monthNames.findIndex((m) => m.full.includes(word) || m.short.includes(word));
const iso = (unix: number) => new Date(unix * 1000).toISOString().slice(0, 10);
const utc = (year: number, month: number, day = 1) => Date.UTC(year, month, day) / 1000;

function span(fromYear: number, fromMonth: number, toYear: number, toMonthExclusive: number, label: string): PlanPeriod {
  return { from: iso(utc(fromYear, fromMonth)), to: iso(utc(toYear, toMonthExclusive) - 86_400), label };
}

const ordinalsEs = ["primer", "segundo", "tercer", "cuarto"];

function labels(language: Language) {
  const m = monthLabels[language];
  return language === "es"
    ? {
        month: (i: number, y: number) => `${m[i]} de ${y}`,
        range: (a: number, b: number, y: number) => `de ${m[a]} a ${m[b]} de ${y}`,
        quarter: (q: number, y: number) => `el ${ordinalsEs[q - 1]} trimestre de ${y}`,
        half: (h: number, y: number) => `el ${h === 1 ? "primer" : "segundo"} semestre de ${y}`,
        year: (y: number) => `${y}`,
        thisYear: (y: number) => `este año (${y})`,
        lastYear: (y: number) => `el año pasado (${y})`,
        thisMonth: (i: number, y: number) => `este mes (${m[i]} de ${y})`,
        lastMonth: (i: number, y: number) => `el mes pasado (${m[i]} de ${y})`,
        nextMonth: (i: number, y: number) => `el mes que viene (${m[i]} de ${y})`,
        lastQuarter: (q: number, y: number) => `el trimestre pasado (T${q} de ${y})`,
        thisQuarter: (q: number, y: number) => `este trimestre (T${q} de ${y})`,
        nextQuarter: (q: number, y: number) => `el próximo trimestre (T${q} de ${y})`,
        nextYear: (y: number) => `el año que viene (${y})`,
        lastDays: (n: number, unit: string) => `los últimos ${n} ${unit === "months" ? "meses" : unit === "weeks" ? "semanas" : "días"}`,
        since: (i: number, y: number) => `desde ${m[i]} de ${y}`,
        before: (i: number, y: number) => `${y} antes de ${m[i]}`,
        dates: (a: string, b: string) => `del ${a} al ${b}`,
      }
    : {
        month: (i: number, y: number) => `${m[i]} ${y}`,
        range: (a: number, b: number, y: number) => `${m[a]} to ${m[b]} ${y}`,
        quarter: (q: number, y: number) => `Q${q} ${y}`,
        half: (h: number, y: number) => `the ${h === 1 ? "first" : "second"} half of ${y}`,
        year: (y: number) => `${y}`,
        thisYear: (y: number) => `this year (${y})`,
        lastYear: (y: number) => `last year (${y})`,
        thisMonth: (i: number, y: number) => `this month (${m[i]} ${y})`,
        lastMonth: (i: number, y: number) => `last month (${m[i]} ${y})`,
        nextMonth: (i: number, y: number) => `next month (${m[i]} ${y})`,
        lastQuarter: (q: number, y: number) => `last quarter (Q${q} ${y})`,
        thisQuarter: (q: number, y: number) => `this quarter (Q${q} ${y})`,
        nextQuarter: (q: number, y: number) => `next quarter (Q${q} ${y})`,
        nextYear: (y: number) => `next year (${y})`,
        lastDays: (n: number, unit: string) => `the last ${n} ${unit}`,
        since: (i: number, y: number) => `since ${m[i]} ${y}`,
        before: (i: number, y: number) => `${y} before ${m[i]}`,
        dates: (a: string, b: string) => `${a} to ${b}`,
      };
}

const wordNumber = (text: string) => (/^\d+$/.test(text) ? Number(text) : (numberWords[text] ?? NaN));

/**
 * Finds the periods a question names, in the order it names them, with labels
 * in its language: months and ranges of months ("jan-jun", "de enero a
 * junio"), quarters ("Q3", "tercer trimestre", "last quarter"), halves ("H1",
 * "primer semestre"), years, "this/last/next month|quarter|year", "el mes
 * pasado", "the last 90 days", "since April", ISO dates. A month or quarter
 * without a year is the latest that has begun by `now` (unless the question
 * names a year elsewhere). "Next …" gives a period in the future, which the
 * executor reports as having no data yet. Returns the text with the periods
 * blanked out.
 */
export function findPeriods(text: string, language: Language, now: number): { periods: FoundPeriod[]; rest: string } {
  const L = labels(language);
  const nowDate = new Date(now * 1000);
  const thisYear = nowDate.getUTCFullYear();
  const thisMonth = nowDate.getUTCMonth();
  const found: FoundPeriod[] = [];
  let rest = text;
  const take = (pattern: RegExp, make: (m: RegExpExecArray) => PlanPeriod | undefined) => {
    const global = new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`);
    let match: RegExpExecArray | null;
    while ((match = global.exec(rest))) {
      const period = make(match);
      if (!period) continue;
      found.push({ period, index: match.index });
      rest = rest.slice(0, match.index) + " ".repeat(match[0].length) + rest.slice(match.index + match[0].length);
      global.lastIndex = match.index + match[0].length;
    }
  };
  const standaloneYear = () => {
    const years = [...rest.matchAll(new RegExp(`${B}(20\\d{2})${E}`, "gu"))].map((m) => Number(m[1]));
    return years.length === 1 ? years[0] : undefined;
  };
  const latestYear = (month: number) => (utc(thisYear, month) > now ? thisYear - 1 : thisYear);

  // ISO dates: "2026-03-01 to 2026-03-31", "from 2026-03-01 until 2026-04-15".
  take(new RegExp(`(\\d{4}-\\d{2}-\\d{2})\\s*(?:to|through|until|-|a|al|hasta)\\s*(\\d{4}-\\d{2}-\\d{2})`, "u"), (m) => ({ from: m[1], to: m[2], label: L.dates(m[1], m[2]) }));
  take(new RegExp(`(?:on|el|del dia)\\s+(\\d{4}-\\d{2}-\\d{2})`, "u"), (m) => ({ from: m[1], to: m[1], label: m[1] }));

  // Ranges of months: "jan-jun", "from january to june 2026", "between march and june", "de enero a junio".
  take(
    new RegExp(`${B}(?:(from|between|de|desde|entre)\\s+)?(${anyAlt})${E}\\.?\\s*(?:-|–|to|through|thru|until|till|and|a|al|hasta|y)\\s*(${anyAlt})${E}\\.?${yearPart}`, "u"),
    (m) => {
      const and = /\b(and|y)\b/.test(m[0].replace(m[2], "").replace(m[3], ""));
      if (and && !m[1]) return undefined;
      if (and && m[1] === "de") return undefined;
      const a = monthIndex(m[2]);
      const b = monthIndex(m[3]);
      if (a < 0 || b < 0 || a > b) return undefined;
      const year = m[4] ? Number(m[4]) : (standaloneYear() ?? latestYear(a));
      return span(year, a, year, b + 1, L.range(a, b, year));
    },
  );

  // Quarters.
  const quarter = (q: number, year: number) => span(year, (q - 1) * 3, year, q * 3, L.quarter(q, year));
  const currentQuarter = Math.floor(thisMonth / 3) + 1;
  take(new RegExp(`${B}(?:last|previous|past) quarter${E}|${B}(?:el )?(?:trimestre (?:pasado|anterior)|ultimo trimestre)${E}`, "u"), () => {
    const q = currentQuarter === 1 ? 4 : currentQuarter - 1;
    const year = currentQuarter === 1 ? thisYear - 1 : thisYear;
    return { ...quarter(q, year), label: L.lastQuarter(q, year) };
  });
  take(new RegExp(`${B}(?:this|current) quarter${E}|${B}(?:este|el actual) trimestre${E}`, "u"), () => ({ ...quarter(currentQuarter, thisYear), label: L.thisQuarter(currentQuarter, thisYear) }));
  take(new RegExp(`${B}next quarter${E}|${B}(?:el )?(?:proximo|siguiente) trimestre${E}|${B}trimestre que viene${E}`, "u"), () => {
    const q = currentQuarter === 4 ? 1 : currentQuarter + 1;
    const year = currentQuarter === 4 ? thisYear + 1 : thisYear;
    return { ...quarter(q, year), label: L.nextQuarter(q, year) };
  });
  take(
    new RegExp(`${B}(?:q([1-4])|t([1-4])|(first|second|third|fourth|1st|2nd|3rd|4th) quarter|(primer|segundo|tercer|cuarto) trimestre|trimestre ([1-4]))${E}${yearPart}`, "u"),
    (m) => {
      const q = Number(m[1] ?? m[2] ?? m[5] ?? 0) || (m[3] ? ["first", "second", "third", "fourth"].indexOf(m[3]) + 1 || ["1st", "2nd", "3rd", "4th"].indexOf(m[3]) + 1 : ordinalsEs.indexOf(m[4]) + 1);
      const year = m[6] ? Number(m[6]) : (standaloneYear() ?? latestYear((q - 1) * 3));
      return quarter(q, year);
    },
  );

  // Halves.
  take(new RegExp(`${B}(?:h([12])|(first|second|1st|2nd) half(?: of the year)?|(primer|segundo) semestre|(primera|segunda) mitad(?: del ano)?)${E}${yearPart}`, "u"), (m) => {
    const h = m[1] ? Number(m[1]) : /first|1st|primer|primera/.test(m[0]) ? 1 : 2;
    const year = m[5] ? Number(m[5]) : (standaloneYear() ?? latestYear((h - 1) * 6));
    return span(year, (h - 1) * 6, year, h * 6, L.half(h, year));
  });

  // Relative months and years.
  take(new RegExp(`${B}(?:this month|current month|este mes|el mes actual)${E}`, "u"), () => span(thisYear, thisMonth, thisYear, thisMonth + 1, L.thisMonth(thisMonth, thisYear)));
  take(new RegExp(`${B}(?:last month|previous month|el mes pasado|mes pasado|el mes anterior)${E}`, "u"), () => {
    const d = new Date(Date.UTC(thisYear, thisMonth - 1, 1));
    return span(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCFullYear(), d.getUTCMonth() + 1, L.lastMonth(d.getUTCMonth(), d.getUTCFullYear()));
  });
  take(new RegExp(`${B}(?:next month|el (?:mes que viene|proximo mes|mes siguiente))${E}`, "u"), () => {
    const d = new Date(Date.UTC(thisYear, thisMonth + 1, 1));
    return span(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCFullYear(), d.getUTCMonth() + 1, L.nextMonth(d.getUTCMonth(), d.getUTCFullYear()));
  });
  take(new RegExp(`${B}(?:next year|el (?:ano que viene|proximo ano|ano siguiente))${E}`, "u"), () => span(thisYear + 1, 0, thisYear + 2, 0, L.nextYear(thisYear + 1)));
  take(new RegExp(`${B}(?:last year|previous year|el ano pasado|ano pasado|el ano anterior)${E}`, "u"), () => span(thisYear - 1, 0, thisYear, 0, L.lastYear(thisYear - 1)));
  take(new RegExp(`${B}(?:this year|so far this year|year to date|ytd|so far|este ano|en lo que va del ano|en lo que va de ano|hasta ahora|en el ano)${E}`, "u"), () => span(thisYear, 0, thisYear + 1, 0, L.thisYear(thisYear)));
  take(new RegExp(`${B}(?:(?:the )?(?:last|past)|(?:los |las )?(?:ultimos|ultimas))\\s+(\\d{1,3}|[a-z]+)\\s+(days|weeks|months|dias|semanas|meses)${E}`, "u"), (m) => {
    const n = wordNumber(m[1]);
    if (!Number.isFinite(n) || n <= 0) return undefined;
    const unit = /^(day|dia)/.test(m[2]) ? "days" : /^(week|semana)/.test(m[2]) ? "weeks" : "months";
    const from =
      unit === "months" ? Date.UTC(thisYear, thisMonth - n, nowDate.getUTCDate()) / 1000 : now - n * (unit === "weeks" ? 7 : 1) * 86_400;
    return { from: iso(from), to: iso(now), label: L.lastDays(n, unit) };
  });

  // Since / before a month.
  take(new RegExp(`${B}(since|after|from|starting|desde|a partir de|despues de)\\s+(${fullAlt})${E}${yearPart}`, "u"), (m) => {
    const i = monthIndex(m[2]);
    const year = m[3] ? Number(m[3]) : (standaloneYear() ?? latestYear(i));
    return { from: iso(utc(year, i)), to: iso(now), label: L.since(i, year) };
  });
  take(new RegExp(`${B}(before|until|till|antes de|hasta)\\s+(${fullAlt})${E}${yearPart}`, "u"), (m) => {
    const i = monthIndex(m[2]);
    const year = m[3] ? Number(m[3]) : (standaloneYear() ?? latestYear(i));
    if (i === 0) return undefined;
    return span(year, 0, year, i, L.before(i, year));
  });

  // Single months: "in March", "March 2026", "en marzo", "de mayo"; "may" needs a preposition or a year.
  take(new RegExp(`${B}(?:(in|during|for|of|over|en|durante|de|del mes de)\\s+)?(${anyAlt})${E}\\.?${yearPart}`, "u"), (m) => {
    const word = m[2];
    const full = monthNames.some((n) => n.full.includes(word));
    if (!full && !m[3]) return undefined;
    if ((word === "may" || word === "mar") && !m[1] && !m[3]) return undefined;
    if (!m[1] && !m[3] && !full) return undefined;
    const i = monthIndex(word);
    const year = m[3] ? Number(m[3]) : (standaloneYear() ?? latestYear(i));
    return span(year, i, year, i + 1, L.month(i, year));
  });

  // Years.
  take(new RegExp(`${B}(?:(?:in|during|for|of|en|durante|del|de|el ano)\\s+)?(20\\d{2})${E}`, "u"), (m) => span(Number(m[1]), 0, Number(m[1]) + 1, 0, L.year(Number(m[1]))));

  found.sort((a, b) => a.index - b.index);
  for (const f of found) f.future = Date.parse(`${f.period.from}T00:00:00Z`) / 1000 > now;
  return { periods: found, rest };
}
