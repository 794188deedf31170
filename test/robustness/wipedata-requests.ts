// fast-check arbitraries of whole wipedata requests for the inject fuzzer: a Content-Type (HTTP-2),
// odd headers that must change nothing, and a body from wipedata-bodies.ts; with what they call for.
import fc from 'fast-check';
import type { WipedataCode } from './vendor-envelope.ts';
import { anyBody, type GeneratedBody } from './wipedata-bodies.ts';

/** What a request calls for. */
export type RequestVerdict = { valid: true; changes: boolean } | { valid: false; code: WipedataCode };

export interface WipeRequest {
  /** undefined: no Content-Type header. */
  contentType: string | undefined;
  headers: Record<string, string>;
  body: Uint8Array;
  verdict: RequestVerdict;
  kind: string;
}

/** The media type as HTTP-2 reads it: before any parameter, without surrounding space, any case. */
export function acceptedContentType(header: string | undefined): boolean {
  return header !== undefined && (header.split(';', 1)[0] ?? '').trim().toLowerCase() === 'application/json';
}

/** `application/json` in random letter case, with parameters (charset and others). */
const acceptedType = fc
  .tuple(
    fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }),
    fc.constantFrom(
      '',
      '; charset=utf-8',
      ';charset=UTF-8',
      '; charset="utf-8"',
      ' ; foo=bar',
      '; charset=latin1',
      ';',
    ),
  )
  .map(([upper, parameters]) => {
    const media = [...'application/json'].map((char, i) => (upper[i] ? char.toUpperCase() : char)).join('');
    return `${media}${parameters}`;
  });

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) });

/** Anything else, a missing header included: UNSUPPORT_CONTENT_TYPE. */
const refusedType = fc
  .oneof(
    fc.constantFrom(
      undefined,
      '',
      'text/plain',
      'text/json',
      'application/jsonp',
      'application/json-seq',
      'application/json5',
      'application/problem+json',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      '*/*',
      'application/*',
      'json',
      'application /json',
      'application\\json',
      'application/json/',
      'charset=utf-8; application/json',
    ),
    printable.map((text) => text.slice(0, 60)),
  )
  .filter((header) => !acceptedContentType(header));

/** Headers that must not change how a wipedata request is read. */
const oddHeaders = fc.dictionary(
  fc.oneof(
    fc.stringMatching(/^x-[a-z0-9-]{1,20}$/),
    fc.constantFrom(
      'accept',
      'accept-encoding',
      'accept-charset',
      'user-agent',
      'cookie',
      'authorization',
      'x-http-method-override',
      'x-forwarded-for',
      'x-forwarded-proto',
      'origin',
      'referer',
      'range',
      'if-match',
      'cache-control',
      'pragma',
      'x-requested-with',
    ),
  ),
  fc.oneof(
    printable.map((text) => text.trim().slice(0, 200)),
    fc.constantFrom('GET', 'DELETE', 'text/html', 'gzip, br', 'bytes=0-0', 'x'.repeat(8_000), '*'),
  ),
  { maxKeys: 4 },
);

function requestOf(contentType: string | undefined, headers: Record<string, string>, body: GeneratedBody): WipeRequest {
  const accepted = acceptedContentType(contentType);
  const verdict: RequestVerdict = accepted
    ? body.verdict
    : { valid: false, code: 'UNSUPPORT_CONTENT_TYPE' as WipedataCode };
  const kind = accepted ? body.kind : `content-type ${JSON.stringify(contentType)}`;
  return { contentType, headers, body: body.bytes, verdict, kind };
}

/** Mostly an accepted Content-Type (so the bodies are read), sometimes a refused one. */
export const wipeRequest: fc.Arbitrary<WipeRequest> = fc
  .tuple(fc.oneof({ arbitrary: acceptedType, weight: 4 }, { arbitrary: refusedType, weight: 1 }), oddHeaders, anyBody)
  .map(([contentType, headers, body]) => requestOf(contentType, headers, body));
