import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { packagePath } from '../../src/package-root.ts';

/** The client assets of reports/html/ (not compiled: shipped as they are), read once and inlined into every page. */
export type PageScript = 'report.js' | 'compare.js' | 'run-index.js' | 'fleet.js';

/** Styles a page adds after the shared report.css. */
export type PageStyle = 'fleet.css' | 'ledger.css';

const assets = new Map<string, string>();

function asset(name: string): string {
  let text = assets.get(name);
  if (text === undefined) {
    text = readFileSync(packagePath('reports', 'html', name), 'utf8');
    assets.set(name, text);
  }
  return text;
}

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * JSON for a `<script type="application/json">` element: `<` is written `\u003c`, so no string in the
 * data (an evidence body holding `</script>` or `<!--`) can end the element early. JSON.parse reads it back unchanged.
 */
export function embedJson(data: unknown): string {
  return escapeForScript(JSON.stringify(data));
}

/** The escaping embedJson applies, for any piece of JSON text: each character is replaced alone, so pieces may be escaped one by one. */
export function escapeForScript(json: string): string {
  return json
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

function mustNotClose(text: string, tag: string, name: string): string {
  if (new RegExp(`</${tag}`, 'i').test(text)) throw new Error(`${name} must not contain </${tag}`);
  return text;
}

export interface PageInput {
  /** The document title (plain text). */
  title: string;
  /** The data the page script draws, embedded as JSON. */
  data: unknown;
  dataId: string;
  script: PageScript;
  /** Plain-text lines shown when scripts are off. */
  fallback: string[];
  /** The page's own styles, after the shared ones. */
  style?: PageStyle;
  /** Further JSON the page script reads beside its data (views of it computed here, so the script only draws). */
  extraData?: { id: string; data: unknown }[];
}

/**
 * One self-contained HTML document: inline CSS, inline script, the data as JSON. Its Content-Security-Policy
 * allows only this page's own script and style (by hash) and data: images, so the page cannot load
 * anything from any host, even if a report held markup.
 */
export function renderPage(input: PageInput): string {
  const { head, tail } = pageParts(input);
  return `${head}${embedJson(input.data)}${tail}`;
}

/**
 * The page around its embedded data: what comes before the JSON and what comes after, so a large report's
 * data can be streamed between them (see escapeForScript) instead of being held as one string.
 */
export function pageParts(input: Omit<PageInput, 'data'>): { head: string; tail: string } {
  const css = mustNotClose(
    input.style ? `${asset('report.css')}\n${asset(input.style)}` : asset('report.css'),
    'style',
    input.style ?? 'report.css',
  );
  const js = mustNotClose(`${asset('common.js')}\n${asset(input.script)}`, 'script', input.script);
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(js)}`,
    `style-src ${sha256(css)}`,
    'img-src data:',
    "form-action 'self'",
    "base-uri 'none'",
  ].join('; ');
  const fallback = input.fallback.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n');
  const extra = (input.extraData ?? [])
    .map(({ id, data }) => `<script type="application/json" id="${escapeHtml(id)}">${embedJson(data)}</script>\n`)
    .join('');
  const head = `${documentHead(input.title, csp, css)}
<body>
<div id="app"><noscript><div class="page"><div class="card">
${fallback}
</div></div></noscript></div>
${extra}<script type="application/json" id="${input.dataId}">`;
  const tail = `</script>
<script>${js}</script>
</body>
</html>
`;
  return { head, tail };
}

/** A small page with no script (the report browser's 404 and error pages), in both languages. */
export function renderNoticePage(input: { title: string; message: string; backHref?: string }): string {
  const css = mustNotClose(asset('report.css'), 'style', 'report.css');
  const back = input.backHref ? `<p><a href="${escapeHtml(input.backHref)}">← All runs · 全部运行记录</a></p>` : '';
  return `${documentHead(input.title, scriptlessPolicy(css), css)}
<body>
<main class="page"><section class="card notice">
<h2>${escapeHtml(input.title)}</h2>
<p>${escapeHtml(input.message)}</p>
${back}
</section></main>
</body>
</html>
`;
}

/**
 * A page drawn on the server, with no script at all (the ledger's pages: read-only tables and a certificate
 * that must print the same with scripts off). `body` is trusted markup: the caller escapes what it holds.
 */
export function renderStaticPage(input: { title: string; body: string; style?: PageStyle }): string {
  const css = mustNotClose(
    input.style ? `${asset('report.css')}\n${asset(input.style)}` : asset('report.css'),
    'style',
    input.style ?? 'report.css',
  );
  return `${documentHead(input.title, scriptlessPolicy(css), css)}
<body>
${input.body}
</body>
</html>
`;
}

// The policy of a page with no script: its one inline style, images from data: URLs, nothing else.
function scriptlessPolicy(css: string): string {
  return ["default-src 'none'", `style-src ${sha256(css)}`, 'img-src data:', "base-uri 'none'"].join('; ');
}

// The head every page shares: its policy, its inline style, no favicon request.
function documentHead(title: string, csp: string, css: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="color-scheme" content="light">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<style>${css}</style>
</head>`;
}
