import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import type { DeviceBehaviour } from './device-behaviour.ts';
import { type JsonReading, readJsonObject } from './strict-json.ts';
import { VendorError } from './vendor-error.ts';

/** The media type of a Content-Type header, lower-cased, without parameters; undefined when absent. */
export function mediaTypeOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  return (header.split(';', 1)[0] ?? '').trim().toLowerCase();
}

/**
 * Refuses any body that is not `application/json` (HTTP-2: media type case-insensitive, parameters
 * such as `charset` allowed) in `onRequest`, i.e. before a byte of the body is read or parsed, so a
 * text/plain body is UNSUPPORT_CONTENT_TYPE even when it is also malformed JSON.
 */
export function contentTypeGuard({ requests }: DeviceBehaviour): onRequestHookHandler {
  return (request, _reply, done) => {
    const header = request.headers['content-type'];
    const mediaType = mediaTypeOf(header);
    // A firmware may compare the whole header with one string (fault charset-refused).
    const exact = requests.contentTypeMatch === 'media-type' || header === 'application/json';
    if (mediaType === 'application/json' && exact) return done();
    // A firmware may only reject what it cannot decode (fault accepts-text-plain).
    if (mediaType === 'text/plain' && requests.textPlain === 'read-as-json') return done();
    done(
      new VendorError(
        'UNSUPPORT_CONTENT_TYPE',
        header === undefined
          ? 'missing Content-Type; only application/json is supported'
          : `unsupported Content-Type ${JSON.stringify(header.slice(0, 100))}; only application/json is supported`,
      ),
    );
  };
}

/** The request body as a JSON object, or INVALID_REQUEST_JSON (HTTP-3). */
export function jsonObjectBody(request: FastifyRequest, reading: JsonReading = {}): Record<string, unknown> {
  const result = readJsonObject(bodyBytes(request), reading);
  if (!result.ok) throw new VendorError('INVALID_REQUEST_JSON', result.message);
  return result.value;
}

/** The raw body bytes the catch-all parser kept; undefined when the request had no body at all. */
export function bodyBytes(request: FastifyRequest): Uint8Array | undefined {
  return request.body instanceof Uint8Array ? request.body : undefined;
}
