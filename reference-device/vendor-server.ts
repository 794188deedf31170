import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { answerOtherMethod, errorStatus, styleAnswers } from './answer-style.ts';
import { answerWhileDraining, isDraining } from './body-drain.ts';
import { type DeviceBehaviour, HEALTHY_DEVICE } from './device-behaviour.ts';
import { BODY_LIMIT, envelope, sendVendorError, toVendorError, VendorError, writeClientError } from './vendor-error.ts';

/** How long a client may take and how much it may send; `startDevice` options, defaults below. */
export interface HttpLimits {
  /** The request line and headers must have arrived within this, else 408 and the connection is closed. */
  headersTimeoutMs: number;
  /** The whole request (headers and body) must have arrived within this; at least headersTimeoutMs. */
  requestTimeoutMs: number;
  /** A socket with no traffic for this long is closed. */
  connectionTimeoutMs: number;
  /** Largest body read, in bytes; a larger one gets a 413 envelope. */
  bodyLimit: number;
}

export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = {
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  connectionTimeoutMs: 30_000,
  bodyLimit: BODY_LIMIT,
};

/**
 * A Fastify server that speaks only the vendor's dialect: every answer that is not a command's own
 * result is the `{"error":{"code","message"}}` envelope (HTTP-14), whatever went wrong and wherever
 * (unknown path, wrong method, body too large, malformed HTTP, internal error).
 */
export function createVendorServer(
  behaviour: DeviceBehaviour = HEALTHY_DEVICE,
  limits: HttpLimits = DEFAULT_HTTP_LIMITS,
): FastifyInstance {
  // One status for every error (fault error-status-200): the envelope is right, the status says success.
  const { errorStatus: every } = behaviour.answers;
  const statusOverride = every === 'per-code' ? undefined : every;
  const statusOf = errorStatus(behaviour);
  const { bodyLimit, headersTimeoutMs, requestTimeoutMs, connectionTimeoutMs } = limits;
  // Node checks the header and request deadlines only every connectionsCheckingInterval (30 s by
  // default), which would let a stalled client hold a socket several times longer than intended.
  const checkEveryMs = Math.max(10, Math.min(1_000, Math.floor(headersTimeoutMs / 4)));
  const app = Fastify({
    logger: false,
    bodyLimit,
    // Slow clients are held off: headers within headersTimeoutMs, the whole request within
    // requestTimeoutMs (a 408 envelope, then the connection is closed), idle sockets dropped.
    requestTimeout: requestTimeoutMs,
    connectionTimeout: connectionTimeoutMs,
    http: {
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      connectionsCheckingInterval: checkEveryMs,
    },
    keepAliveTimeout: Math.min(5_000, connectionTimeoutMs),
    // A reboot drops every connection, busy or idle, as a power cycle would.
    forceCloseConnections: true,
    // Fastify's own 503 body during close would leak its format; a closing device just drops requests.
    return503OnClosing: false,
    exposeHeadRoutes: false,
    // A socket draining a refused body has had its answer: a client error on it just ends it.
    clientErrorHandler: (error, socket) =>
      isDraining(socket) ? socket.destroy() : writeClientError(error, socket, statusOverride),
    frameworkErrors: (error, _request, reply) => {
      const vendorError = toVendorError(error, bodyLimit);
      sendVendorError(reply, vendorError, statusOf(vendorError));
    },
  });

  // An Expect other than 100-continue: Node would answer 417 with an empty body of its own (and never
  // reach the routes); the device answers it in its envelope, then closes.
  app.server.on('checkExpectation', (request, response) => {
    const expect = String(request.headers.expect ?? '').slice(0, 100);
    const body = JSON.stringify(envelope('INVALID_ARGUMENTS', `unsupported Expect: ${JSON.stringify(expect)}`));
    response.shouldKeepAlive = false;
    response.writeHead(statusOverride ?? 417, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  });

  // One parser for every content type, keeping the raw bytes: the content type is judged in
  // onRequest (request-guards.ts) and the JSON by the strict reader (strict-json.ts), never by Fastify.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error, _request, reply) => {
    const vendorError = toVendorError(error, bodyLimit);
    if (vendorError.code === 'INTERNAL_ERROR')
      process.stderr.write(`reference device: internal error: ${String(error)}\n`);
    // A body over the limit is usually still arriving: answer it without resetting the connection.
    if (vendorError.status === 413) {
      return answerWhileDraining(reply, vendorError, requestTimeoutMs, statusOf(vendorError));
    }
    sendVendorError(reply, vendorError, statusOf(vendorError));
  });
  styleAnswers(app, behaviour);

  // Unrouted requests are answered in onRequest, before Fastify would read and parse their body
  // (a body in an unknown media type must not turn a 404 into a 415).
  const answerUnrouted = (request: FastifyRequest, reply: FastifyReply): void => {
    const path = request.url.split('?', 1)[0] ?? request.url;
    const routed = app.hasRoute({ url: path, method: 'POST' });
    if (routed && answerOtherMethod(reply, request.method, path, behaviour)) return;
    const error = routed
      ? // 405: none of the five documented codes is about methods. The method is the part of the
        // request that is wrong, so INVALID_ARGUMENTS is the closest (HTTP-17 asks only for an error).
        new VendorError('INVALID_ARGUMENTS', `method ${request.method} not allowed on ${path}; use POST`, 405)
      : new VendorError('INVALID_ARGUMENTS', `no such command: ${path.slice(0, 200)}`, 404);
    if (error.status === 405) reply.header('allow', 'POST');
    sendVendorError(reply, error, statusOf(error));
  };
  app.addHook('onRequest', (request, reply, done) => {
    if (request.is404) return answerUnrouted(request, reply);
    done();
  });
  app.setNotFoundHandler(answerUnrouted);
  return app;
}
