import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Faults } from './faults.ts';
import { BODY_LIMIT, sendVendorError, toVendorError, VendorError, writeClientError } from './vendor-error.ts';

/**
 * A Fastify server that speaks only the vendor's dialect: every answer that is not a command's own
 * result is the `{"error":{"code","message"}}` envelope (HTTP-14), whatever went wrong and wherever
 * (unknown path, wrong method, body too large, malformed HTTP, internal error).
 */
export function createVendorServer(faults: Faults): FastifyInstance {
  // Fault error-status-200: the envelope is right, the status says success.
  const statusOverride = faults.has('error-status-200') ? 200 : undefined;
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    // Slow clients are held off: the whole request within 10 s, idle sockets dropped after 30 s.
    requestTimeout: 10_000,
    connectionTimeout: 30_000,
    // Node checks the header and request deadlines only every connectionsCheckingInterval (30 s by
    // default), which would let a stalled client hold a socket three times longer than intended.
    http: { headersTimeout: 5_000, requestTimeout: 10_000, connectionsCheckingInterval: 1_000 },
    keepAliveTimeout: 5_000,
    // A reboot drops every connection, busy or idle, as a power cycle would.
    forceCloseConnections: true,
    // Fastify's own 503 body during close would leak its format; a closing device just drops requests.
    return503OnClosing: false,
    exposeHeadRoutes: false,
    clientErrorHandler: (error, socket) => writeClientError(error, socket, statusOverride),
    frameworkErrors: (error, _request, reply) => {
      sendVendorError(reply, toVendorError(error), statusOverride);
    },
  });

  // One parser for every content type, keeping the raw bytes: the content type is judged in
  // onRequest (request-guards.ts) and the JSON by the strict reader (strict-json.ts), never by Fastify.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error, _request, reply) => {
    const vendorError = toVendorError(error);
    if (vendorError.code === 'INTERNAL_ERROR')
      process.stderr.write(`reference device: internal error: ${String(error)}\n`);
    sendVendorError(reply, vendorError, statusOverride);
  });

  // Unrouted requests are answered in onRequest, before Fastify would read and parse their body
  // (a body in an unknown media type must not turn a 404 into a 415).
  const answerUnrouted = (request: FastifyRequest, reply: FastifyReply): void => {
    const path = request.url.split('?', 1)[0] ?? request.url;
    const error = app.hasRoute({ url: path, method: 'POST' })
      ? // 405: none of the five documented codes is about methods. The method is the part of the
        // request that is wrong, so INVALID_ARGUMENTS is the closest (HTTP-17 asks only for an error).
        new VendorError('INVALID_ARGUMENTS', `method ${request.method} not allowed on ${path}; use POST`, 405)
      : new VendorError('INVALID_ARGUMENTS', `no such command: ${path.slice(0, 200)}`, 404);
    if (error.status === 405) reply.header('allow', 'POST');
    sendVendorError(reply, error, statusOverride);
  };
  app.addHook('onRequest', (request, reply, done) => {
    if (request.is404) return answerUnrouted(request, reply);
    done();
  });
  app.setNotFoundHandler(answerUnrouted);
  return app;
}
