// The manual as a reader meets it: README.md and docs/*.md link only to files the repository has (and to headings
// those pages have), and no page sends a reader to a file outside the repository, which an npm user never has.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/package-root.ts';

const ROOT = PACKAGE_ROOT;
// Folders that hold no page of ours: installed or built code, run output, git's own.
const SKIPPED = new Set(['node_modules', '.git', 'dist', 'out']);

function markdownFiles(folder: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...markdownFiles(path));
    else if (entry.name.endsWith('.md')) found.push(path);
  }
  return found;
}

/** The text outside fenced code blocks: a link inside a code sample is not a link. */
function prose(markdown: string): string {
  return markdown.replace(/^ {0,3}```[\s\S]*?^ {0,3}```/gm, '');
}

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens. */
function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  for (const [, heading] of prose(markdown).matchAll(/^#{1,6} +(.+)$/gm)) {
    found.add(
      (heading ?? '')
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    );
  }
  return found;
}

interface Link {
  page: string;
  target: string;
}

function relativeLinks(page: string): Link[] {
  const links: Link[] = [];
  for (const [, target] of prose(readFileSync(page, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)) {
    if (target === undefined || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    links.push({ page, target });
  }
  return links;
}

/** What is wrong with a link, or undefined when it leads somewhere. */
function brokenReason({ page, target }: Link): string | undefined {
  const [path = '', anchor] = target.split('#');
  const file = path === '' ? page : join(dirname(page), path);
  if (relative(ROOT, file).startsWith('..')) return 'outside the repository';
  if (!existsSync(file)) return 'no such file';
  if (anchor === undefined || !file.endsWith('.md') || statSync(file).isDirectory()) return undefined;
  return anchors(readFileSync(file, 'utf8')).has(anchor) ? undefined : `no heading #${anchor}`;
}

const pages = markdownFiles(ROOT);
const manual = [join(ROOT, 'README.md'), ...markdownFiles(join(ROOT, 'docs'))];

describe('the manual (README.md and docs/)', () => {
  it('has the pages the README sends a reader to', () => {
    const names = manual.map((page) => relative(ROOT, page));
    for (const page of [
      'docs/cli.md',
      'docs/real-hardware.md',
      'docs/mq-channel.md',
      'docs/configuration.md',
      'docs/lab-and-ci.md',
      'docs/writing-cases.md',
      'docs/proving-the-checker.md',
      'docs/api.md',
    ])
      expect(names).toContain(page);
  });

  it('README opens with the two commands a newcomer runs, and sends a reader to every page of docs/', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme.split('\n').slice(2, 6)).toEqual([
      '```sh',
      'npm ci && npx sophon-conformance demo     # reference device + certification suite + reports',
      'npm ci && npm test                        # typecheck, lint, spec validation, unit and end-to-end tests',
      '```',
    ]);
    const linked = new Set(relativeLinks(join(ROOT, 'README.md')).map((link) => link.target.split('#')[0]));
    const unlinked = manual
      .map((page) => relative(ROOT, page))
      .filter((page) => page.startsWith('docs/') && !linked.has(page));
    expect(unlinked, 'docs pages the README does not link').toEqual([]);
  });

  it('links only to files the repository has, and to headings those pages have (every page of the repository)', () => {
    expect(pages).toEqual(expect.arrayContaining(manual));
    const links = pages.flatMap(relativeLinks);
    expect(links.length).toBeGreaterThan(20);
    const broken = links
      .map((link) => ({ link, reason: brokenReason(link) }))
      .filter(({ reason }) => reason !== undefined)
      .map(({ link, reason }) => `${relative(ROOT, link.page)}: (${link.target}) ${reason}`);
    expect(broken).toEqual([]);
  });

  it('tells a broken link from a working one', () => {
    const readme = join(ROOT, 'README.md');
    expect(brokenReason({ page: readme, target: 'docs/cli.md' })).toBeUndefined();
    expect(brokenReason({ page: readme, target: 'docs/real-hardware.md#reliability' })).toBeUndefined();
    expect(brokenReason({ page: readme, target: 'docs/nowhere.md' })).toBe('no such file');
    expect(brokenReason({ page: readme, target: 'docs/real-hardware.md#nowhere' })).toBe('no heading #nowhere');
    expect(brokenReason({ page: readme, target: '../README.md' })).toBe('outside the repository');
  });

  it('no page of the repository points to files outside it', () => {
    const outside = /\.\.\/shared|\bdesign\.md\b|\bsophon-api\.md\b/;
    const offending = pages.flatMap((page) =>
      readFileSync(page, 'utf8')
        .split('\n')
        .map((line, index) => ({ line, at: `${relative(ROOT, page)}:${index + 1}` }))
        .filter(({ line }) => outside.test(line))
        .map(({ line, at }) => `${at}: ${line.trim()}`),
    );
    expect(offending).toEqual([]);
  });
});
