import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { DeviceBehaviour } from './device-behaviour.ts';
import { answeredWithError, sendJson, type VendorError } from './vendor-error.ts';

/**
 * The status an error envelope is sent with: one status for every error, else one status for every client error
 * (HTTP-14 asks for some 4xx, not which), else the code's own (vendor-error.ts).
 */
export function errorStatus({ answers }: DeviceBehaviour): (error: VendorError) => number {
  const { errorStatus: every, clientErrorStatus: client } = answers;
  return (error) => {
    if (every !== 'per-code') return every;
    if (client !== 'per-code' && (error.status === 400 || error.status === 415)) return client;
    return error.status;
  };
}

/** How every answer of a listener is labelled and framed (HTTP-11: the body is pinned, the rest is not). */
export function styleAnswers(app: FastifyInstance, { answers }: DeviceBehaviour): void {
  const relabel = answers.contentType !== 'application/json';
  const close = answers.connection === 'close';
  const chunked = answers.framing === 'chunked';
  if (!relabel && !close && !chunked) return;
  app.addHook('onSend', async (_request, reply, payload) => {
    if (relabel && reply.getHeader('content-type') === 'application/json') {
      reply.header('content-type', answers.contentType);
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
 * A request with another method on a path that only takes POST (HTTP-17), when the device answers it otherwise
 * than with the 405 envelope; false when the envelope applies.
 */
export function answerOtherMethod(
  reply: FastifyReply,
  method: string,
  path: string,
  { requests }: DeviceBehaviour,
): boolean {
  if (requests.otherMethods === 'get-usage-200' && method === 'GET') {
    sendJson(reply, 200, { usage: `POST ${path} with a JSON body {"users"|"events"|"all": true}` });
    return true;
  }
  if (requests.otherMethods === 'bare-405') {
    // An error answer all the same: the faults that act on the error path (reboots-after-error…) see it.
    answeredWithError.add(reply.request);
    reply.code(405).header('allow', 'POST').send();
    return true;
  }
  return false;
}
