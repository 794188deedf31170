import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Faults } from './faults.ts';
import type { Variants } from './variants.ts';
import { answeredWithError, sendJson, type VendorError } from './vendor-error.ts';

/**
 * The status an error envelope is sent with: the fault error-status-200's 200, else the variant's one status
 * for every client error (HTTP-14 asks for some 4xx, not which), else the code's own (vendor-error.ts).
 */
export function errorStatus(faults: Faults, variants: Variants): (error: VendorError) => number {
  const clientStatus = variants.has('client-errors-422') ? 422 : variants.has('client-errors-400') ? 400 : undefined;
  return (error) => {
    if (faults.has('error-status-200')) return 200;
    if (clientStatus !== undefined && (error.status === 400 || error.status === 415)) return clientStatus;
    return error.status;
  };
}

/** How the variants label and frame every answer of a listener (HTTP-11: the body is pinned, the rest is not). */
export function styleAnswers(app: FastifyInstance, variants: Variants): void {
  const charset = variants.has('charset-in-answers');
  const close = variants.has('connection-close');
  const chunked = variants.has('chunked-answers');
  if (!charset && !close && !chunked) return;
  app.addHook('onSend', async (_request, reply, payload) => {
    if (charset && reply.getHeader('content-type') === 'application/json') {
      reply.header('content-type', 'application/json; charset=utf-8');
    }
    if (close) reply.header('connection', 'close');
    if (chunked && Buffer.isBuffer(payload) && payload.length > 0) {
      reply.removeHeader('content-length');
      return Readable.from([payload]);
    }
    return payload;
  });
}

/**
 * A request with another method on a path that only takes POST (HTTP-17), as a variant answers it; false when
 * the default envelope answer applies.
 */
export function answerOtherMethod(reply: FastifyReply, method: string, path: string, variants: Variants): boolean {
  if (variants.has('get-answers-200') && method === 'GET') {
    sendJson(reply, 200, { usage: `POST ${path} with a JSON body {"users"|"events"|"all": true}` });
    return true;
  }
  if (variants.has('other-methods-bare-405')) {
    // An error answer all the same: the faults that act on the error path (reboots-after-error…) see it.
    answeredWithError.add(reply.request);
    reply.code(405).header('allow', 'POST').send();
    return true;
  }
  return false;
}
