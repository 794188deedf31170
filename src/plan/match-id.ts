/**
 * Whether a case id is selected by a pattern: a glob over dotted segments (`*` one segment or part of
 * one, `**` any number of segments) or a plain prefix ending at a segment boundary.
 */
export function matchesId(id: string, pattern: string): boolean {
  if (!pattern.includes('*')) return id === pattern || id.startsWith(`${pattern}.`);
  return globToRegExp(pattern).test(id);
}

const cache = new Map<string, RegExp>();

function globToRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    const source = pattern
      .split('**')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^.]*'))
      .join('.*');
    re = new RegExp(`^${source}$`);
    cache.set(pattern, re);
  }
  return re;
}
