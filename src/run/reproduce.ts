import type { HttpRequestEvidence } from '../results/types.ts';

// Headers the HTTP client computes itself; curl computes them too.
const IMPLIED = new Set(['host', 'content-length', 'connection']);

/** A curl command line that sends the same bytes, for a tester to repeat a failure by hand. */
export function curlFor(request: HttpRequestEvidence): string {
  const parts = ['curl', '-sS', '-i', '-X', request.method, quote(request.url)];
  const sent = Object.keys(request.headers);
  for (const [name, value] of Object.entries(request.headers)) {
    if (!IMPLIED.has(name)) parts.push('-H', quote(`${name}: ${value}`));
  }
  const body = request.body;
  if (body?.text !== undefined) {
    // curl adds a form content-type to --data-binary unless told not to; the case may have sent none.
    if (!sent.includes('content-type')) parts.push('-H', quote('content-type:'));
    parts.push('--data-binary', quote(body.text.length ? body.text : ''));
    return parts.join(' ');
  }
  if (body?.base64 !== undefined) {
    if (!sent.includes('content-type')) parts.push('-H', quote('content-type:'));
    parts.push('--data-binary', '@-');
    return `printf '%s' ${quote(body.base64)} | base64 -d | ${parts.join(' ')}`;
  }
  return parts.join(' ');
}

function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
