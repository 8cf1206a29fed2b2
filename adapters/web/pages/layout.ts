import { html, jsonForScript, type SafeHtml } from "./html.ts";

export type PageParameters = {
  title: string;
  body: SafeHtml;
  /** Handed to the wallet script as JSON (escaped so it cannot close the script element). */
  pageData?: unknown;
  /** Cache-busting version of the wallet script; left out, the page loads no script. */
  scriptVersion?: string;
};

/** The document around every page: styles and the wallet script come from /assets, nothing inline runs. */
export function renderPage({ title, body, pageData, scriptVersion }: PageParameters): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<link rel="stylesheet" href="/assets/pages.css">
</head>
<body>
<main>
${body}
</main>
${pageData === undefined ? "" : html`<script type="application/json" id="page-data">${jsonForScript(pageData)}</script>`}
${scriptVersion ? html`<script src="/assets/wallet.js?v=${scriptVersion}" defer></script>` : ""}
</body>
</html>
`.value;
}

/**
 * Content-Security-Policy for the pages: scripts and styles only from this
 * origin, no frames, no form posts elsewhere. The wallet talks to the page
 * through `window.ethereum`, so no other origin is needed.
 */
export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export const pagesCss = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5d6678; --line: #d9dee8; --bg: #f5f7fb; --card: #fff;
  --ok: #17703a; --ok-bg: #e3f4e8; --warn: #8a5200; --warn-bg: #fff3dc; --bad: #a4161a; --bad-bg: #fde6e6; --accent: #2d5bd7;
  --mark: #ffd24a; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 860px; margin: 0 auto; padding: 24px 16px 48px; overflow-wrap: anywhere; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 0 0 10px; }
.subtitle { color: var(--muted); margin: 0 0 18px; }
section.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px; margin: 0 0 14px; min-width: 0; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 13px; }
th.amount, td.amount { text-align: right; width: 38%; }
.amount-value { display: block; font-variant-numeric: tabular-nums; font-weight: 600; }
dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 4px 16px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; min-width: 0; }
.mono, code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 13px; overflow-wrap: anywhere; }
.label { font-weight: 600; }
.address { color: var(--muted); display: block; }
.address.token { font-size: 12px; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12px; font-weight: 700; text-transform: uppercase; letter-spacing: .03em; vertical-align: middle; }
.badge.pending { background: #e6ecfb; color: var(--accent); }
.badge.executed { background: var(--ok-bg); color: var(--ok); }
.badge.failed, .badge.rejected, .badge.cancelled, .badge.replaced { background: var(--bad-bg); color: var(--bad); }
ul.warnings { list-style: none; padding: 0; margin: 0; }
ul.warnings li { background: var(--warn-bg); color: var(--warn); border-radius: 6px; padding: 8px 10px; margin: 0 0 8px; }
.warning-title { display: block; }
.warning-text { margin: 2px 0 0; }
.lookalike { container-type: inline-size; margin: 8px 0 0; background: #fff; color: var(--ink); border: 1px solid #f0d9a8; border-radius: 6px; padding: 6px 8px; }
.lookalike-row + .lookalike-row { margin-top: 6px; }
.lookalike-label { display: block; color: var(--muted); font-size: 12px; }
/* 42 characters of a monospace font are about 25.3em wide: the font shrinks so both addresses stay on one line each, one above the other. */
.lookalike-address { display: block; font-size: min(15px, 3.8cqi); letter-spacing: 0; line-height: 1.6; }
.lookalike-address mark { background: var(--mark); color: #000; font-weight: 700; border-radius: 2px; }
.lookalike .hint { margin: 4px 0 0; }
.ok { color: var(--ok); }
.bad { color: var(--bad); }
ul.approvals { list-style: none; padding: 0; margin: 6px 0 0; }
ul.approvals li { padding: 3px 0; }
ul.approvals li.signed::before { content: "\\2713  "; color: var(--ok); font-weight: 700; }
ul.approvals li.waiting::before { content: "\\25CB  "; color: var(--muted); }
ul.approvals li .you { color: var(--ok); font-weight: 600; }
#you-signed { margin: 8px 0 0; font-weight: 600; }
.hashes dd { font-size: 14px; background: #f0f3f9; border-radius: 4px; padding: 2px 6px; }
.hint { color: var(--muted); font-size: 13px; margin: 8px 0 0; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; margin: 10px 0 0; }
button { font: inherit; font-weight: 600; border: 1px solid var(--accent); background: var(--accent); color: #fff; padding: 7px 16px; border-radius: 7px; cursor: pointer; max-width: 100%; }
button.secondary { background: #fff; color: var(--accent); }
button.danger { background: #fff; color: var(--bad); border-color: var(--bad); }
button:disabled { opacity: .45; cursor: not-allowed; }
#wallet-status { margin: 0; }
.message { margin: 12px 0 0; padding: 8px 12px; border-radius: 6px; }
.message:empty { display: none; }
.message.info { background: #e6ecfb; color: var(--accent); }
.message.success { background: var(--ok-bg); color: var(--ok); }
.message.error { background: var(--bad-bg); color: var(--bad); }
details summary { cursor: pointer; color: var(--muted); }
.memo { white-space: pre-wrap; }
@media (max-width: 560px) {
  main { padding: 16px 10px 32px; }
  h1 { font-size: 20px; }
  section.card { padding: 12px 12px; }
  ul.warnings li { padding: 8px 8px; }
  .lookalike { padding: 6px 6px; }
  th, td { padding: 6px 4px; }
  dl.facts { grid-template-columns: minmax(0, 1fr); gap: 0; }
  dl.facts dt { margin-top: 6px; font-size: 13px; }
  .hashes dd { font-size: 13px; }
}
`;
