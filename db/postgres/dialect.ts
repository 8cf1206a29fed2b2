/**
 * The SQL of `db/` is written for SQLite. These are the differences of syntax
 * alone that a mechanical rewrite covers for PostgreSQL; what differs in
 * meaning (full-text search, vectors, the catalog) each module says for both
 * engines itself, and the functions SQLite has and PostgreSQL lacks are made
 * in the PostgreSQL schema (`migrations/postgres/`).
 *
 * - parameters `?`, `?NNN`, `@name`, `:name`, `$name` become `$1`, `$2`…;
 * - `INSERT OR IGNORE INTO …` becomes `INSERT INTO … ON CONFLICT DO NOTHING`;
 * - `x IS ?` / `x IS NOT ?` (SQLite's null-safe equality) become
 *   `IS NOT DISTINCT FROM` / `IS DISTINCT FROM`;
 * - `+column` (SQLite's "do not use an index here") loses its `+`;
 * - `LIKE` becomes `ILIKE` (SQLite's LIKE ignores ASCII case);
 * - `AS someName` keeps its capitals (PostgreSQL folds unquoted names to lower case);
 * - `CAST(x AS INTEGER)` casts to BIGINT (SQLite's integers have 64 bits).
 *
 * Text in quotes and comments is never rewritten.
 */
export type TranslatedSql = {
  text: string;
  /** For each `$n` (n = index + 1): the caller's positional index, or the name of a named parameter. */
  parameters: (number | string)[];
};

type Piece = { code: true; text: string } | { code: false; text: string };

/** Splits SQL into code and the parts never rewritten (quoted strings, quoted names, comments). */
function pieces(sql: string): Piece[] {
  const out: Piece[] = [];
  let code = "";
  let i = 0;
  const flush = () => {
    if (code) out.push({ code: true, text: code });
    code = "";
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const end = (close: string, from: number) => {
      let j = from;
      for (;;) {
        const k = sql.indexOf(close, j);
        if (k === -1) return sql.length;
        // A doubled quote inside a quoted text is the quote itself.
        if (close.length === 1 && sql[k + 1] === close) {
          j = k + 2;
          continue;
        }
        return k + close.length;
      }
    };
    let stop = -1;
    if (c === "'" || c === '"' || c === "`") stop = end(c, i + 1);
    else if (c === "-" && sql[i + 1] === "-") stop = end("\n", i + 2);
    else if (c === "/" && sql[i + 1] === "*") stop = end("*/", i + 2);
    if (stop === -1) {
      code += c;
      i++;
      continue;
    }
    flush();
    out.push({ code: false, text: sql.slice(i, stop) });
    i = stop;
  }
  flush();
  return out;
}

const placeholder = /\?(\d+)?|[@:$]([A-Za-z_][A-Za-z0-9_]*)/g;

/** Rewrites one statement (or several, for `exec`) from SQLite's syntax to PostgreSQL's. */
export function toPostgres(sql: string): TranslatedSql {
  const parameters: (number | string)[] = [];
  const numberOf = new Map<number | string, number>();
  let positional = 0;
  const slot = (source: number | string) => {
    let n = numberOf.get(source);
    if (n === undefined) {
      parameters.push(source);
      numberOf.set(source, (n = parameters.length));
    }
    return `$${n}`;
  };
  const parts = pieces(sql);
  let text = "";
  let ignoreConflicts = false;
  for (const part of parts) {
    if (!part.code) {
      text += part.text;
      continue;
    }
    let code = part.text.replace(placeholder, (match, digits: string | undefined, name: string | undefined, offset: number, whole: string) => {
      // `::type` casts are PostgreSQL's own, and `a:b` never occurs in our SQL outside parameters.
      if (match.startsWith(":") && whole[offset - 1] === ":") return match;
      if (name !== undefined) return slot(name);
      if (digits !== undefined) return slot(Number(digits) - 1);
      return slot(positional++);
    });
    code = code.replace(/\bINSERT\s+OR\s+IGNORE\s+INTO\b/gi, () => {
      ignoreConflicts = true;
      return "INSERT INTO";
    });
    code = code.replace(/\bIS\s+NOT\s+(?=\$\d)/gi, "IS DISTINCT FROM ").replace(/\bIS\s+(?=\$\d)/gi, "IS NOT DISTINCT FROM ");
    code = code.replace(/(^|[\s(,=])\+(?=[A-Za-z_])/g, "$1");
    code = code.replace(/\bNOT\s+LIKE\b/gi, "NOT ILIKE").replace(/(?<!NOT\s+)\bLIKE\b/gi, "ILIKE");
    code = code.replace(/\bAS\s+INTEGER\b/gi, "AS BIGINT");
    code = code.replace(/\bAS\s+([A-Za-z_][A-Za-z0-9_]*)/g, (match, name: string) => (/[a-z]/.test(name) && /[A-Z]/.test(name) ? `AS "${name}"` : match));
    text += code;
  }
  if (ignoreConflicts) text = withConflictsIgnored(text);
  return { text, parameters };
}

/** Adds `ON CONFLICT DO NOTHING` to an insert, before its `RETURNING` if it has one. */
function withConflictsIgnored(text: string): string {
  const trimmed = text.trimEnd().replace(/;$/, "");
  const returning = /\bRETURNING\b/i.exec(trimmed);
  if (returning) return `${trimmed.slice(0, returning.index)}ON CONFLICT DO NOTHING ${trimmed.slice(returning.index)}`;
  return `${trimmed} ON CONFLICT DO NOTHING`;
}
