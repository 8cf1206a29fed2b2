/**
 * Server-side HTML with escaping by default: every value interpolated into
 * `html\`...\`` is escaped unless it is itself the result of `html` (or `raw`).
 * Memos, labels, names and anything else people typed are data, never markup.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const escapes: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

/** Escapes text for use in HTML content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (character) => escapes[character]);
}

type Interpolation = SafeHtml | string | number | bigint | boolean | null | undefined | Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return "";
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

/** Tagged template: escapes each interpolated value; arrays are joined; null, undefined and false render nothing. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0];
  for (let index = 0; index < values.length; index++) out += render(values[index]) + strings[index + 1];
  return new SafeHtml(out);
}

/** Markup we wrote ourselves (never pass user text here). */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/**
 * JSON for a `<script type="application/json">` block: `<`, `>`, `&` and the
 * line separators are escaped so no value can close the script element.
 */
export function jsonForScript(value: unknown): SafeHtml {
  const text = JSON.stringify(value, (_key, item) => (typeof item === "bigint" ? item.toString() : item))
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
  return new SafeHtml(text);
}
