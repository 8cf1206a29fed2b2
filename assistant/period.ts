/** A span of time: `from` inclusive, `to` exclusive (unix seconds, UTC), and how to say it. */
export type Period = { from: number; to: number; label: string };

const months = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
const monthPattern = "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?";

const utc = (year: number, month: number, day = 1) => Date.UTC(year, month, day) / 1000;
const monthIndex = (word: string) => months.findIndex((name) => name.startsWith(word.toLowerCase().slice(0, 3)));
const day = (unix: number) => new Date(unix * 1000).toISOString().slice(0, 10);

function span(from: number, to: number, label: string): Period {
  return { from, to, label: `${label} (${day(from)} to ${day(to - 86400)})` };
}

/**
 * Finds a period in a question: "in Q3 2026", "in March", "first half",
 * "this year", "last month", "in 2026", "since April", "between March and
 * June". Relative words count from `now` (unix seconds; the caller says what
 * now is). A month or quarter without a year is the latest one that has begun
 * by `now`. Returns undefined when the question names no period.
 */
export function parsePeriod(question: string, now: number): Period | undefined {
  const text = question.toLowerCase();
  const nowDate = new Date(now * 1000);
  const thisYear = nowDate.getUTCFullYear();
  const yearIn = (source: string) => {
    const match = /(?<![-\w/.])(19\d{2}|20\d{2}|21\d{2})(?![-\w/])/.exec(source);
    return match ? Number(match[1]) : undefined;
  };
  const explicitYear = yearIn(text);
  const lastYear = /\blast year\b|\bprevious year\b/.test(text);
  const baseYear = explicitYear ?? (lastYear ? thisYear - 1 : thisYear);
  const yearWord = explicitYear ? String(explicitYear) : lastYear ? `last year, ${baseYear}` : `${baseYear}`;

  let match = /\bbetween (${monthPattern})\w* and (${monthPattern})\w*/.exec(text);
  if (match) {
    const a = monthIndex(match[1]);
    const b = monthIndex(match[2]);
    if (a <= b) return span(utc(baseYear, a), utc(baseYear, b + 1), `${months[a]} to ${months[b]} ${baseYear}`);
  }

  match = /\b(?:q([1-4])|(first|second|third|fourth|1st|2nd|3rd|4th) quarter)\b/.exec(text);
  if (match) {
    const quarter = match[1] ? Number(match[1]) : ["first", "second", "third", "fourth"].indexOf(match[2]) + 1 || ["1st", "2nd", "3rd", "4th"].indexOf(match[2]) + 1;
    let year = baseYear;
    if (!explicitYear && !lastYear && utc(year, (quarter - 1) * 3) > now) year -= 1;
    return span(utc(year, (quarter - 1) * 3), utc(year, quarter * 3), `Q${quarter} ${year}`);
  }

  match = /\b(first|second|1st|2nd) half\b|\bh([12])\b/.exec(text);
  if (match) {
    const half = match[2] ? Number(match[2]) : /first|1st/.test(match[1]) ? 1 : 2;
    let year = baseYear;
    if (!explicitYear && !lastYear && utc(year, (half - 1) * 6) > now) year -= 1;
    return span(utc(year, (half - 1) * 6), utc(year, half * 6), `the ${half === 1 ? "first" : "second"} half of ${year}`);
  }

  if (/\bthis month\b/.test(text)) {
    const m = nowDate.getUTCMonth();
    return span(utc(thisYear, m), utc(thisYear, m + 1), `this month (${months[m]} ${thisYear})`);
  }
  if (/\blast month\b|\bprevious month\b/.test(text)) {
    const m = nowDate.getUTCMonth() - 1;
    const from = utc(thisYear, m);
    return span(from, utc(thisYear, m + 1), `last month (${months[(m + 12) % 12]} ${new Date(from * 1000).getUTCFullYear()})`);
  }
  match = /\b(?:last|past) (\d{1,3}) days\b/.exec(text);
  if (match) {
    const days = Number(match[1]);
    return { from: now - days * 86400, to: now + 1, label: `the last ${days} days (${day(now - days * 86400)} to ${day(now)})` };
  }

  match = new RegExp(`\\b(since|after|from|before|until) (${monthPattern})\\b`).exec(text);
  if (match) {
    const m = monthIndex(match[2]);
    let year = baseYear;
    if (!explicitYear && !lastYear && utc(year, m) > now) year -= 1;
    if (match[1] === "before" || match[1] === "until") return span(utc(year, 0), utc(year, m), `${year} before ${months[m]}`);
    return { from: utc(year, m), to: now + 1, label: `since ${months[m]} ${year} (${day(utc(year, m))} to ${day(now)})` };
  }

  match = new RegExp(`\\b(?:in|during|for|of|over)\\s+(${monthPattern})\\b`).exec(text) ?? new RegExp(`\\b(${monthPattern})\\s+(?:20\\d{2})\\b`).exec(text);
  if (match && !(match[1] === "may" && !/\b(in|during|for|of|over)\s+may\b|\bmay\s+20\d{2}\b/.test(text))) {
    const m = monthIndex(match[1]);
    let year = baseYear;
    if (!explicitYear && !lastYear && utc(year, m) > now) year -= 1;
    return span(utc(year, m), utc(year, m + 1), `${months[m][0].toUpperCase()}${months[m].slice(1)} ${year}`);
  }

  if (/\bthis year\b|\bso far\b|\bytd\b|\byear to date\b/.test(text))
    return span(utc(thisYear, 0), utc(thisYear + 1, 0), `this year (${thisYear})`);
  if (lastYear) return span(utc(baseYear, 0), utc(baseYear + 1, 0), `last year (${baseYear})`);
  if (explicitYear) return span(utc(explicitYear, 0), utc(explicitYear + 1, 0), `${yearWord}`);
  return undefined;
}

/** Turns a "YYYY-MM-DD" (or full ISO) date into unix seconds; undefined when it is not a date. */
export function parseDate(text: string | undefined): number | undefined {
  if (!text) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const ms = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

export { day as isoDay };
