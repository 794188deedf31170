import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Error codes the device answers with: the five wipedata codes (000_2427abba6c145ae1.txt, 错误码) and
 * the management API's own (sophon-api.md).
 */
export type VendorCode =
  | 'UNSUPPORT_CONTENT_TYPE'
  | 'INVALID_REQUEST_JSON'
  | 'MISSING_ARGUMENTS'
  | 'INVALID_ARGUMENTS'
  | 'INTERNAL_ERROR'
  | 'EMPTY_REQUEST_JSON'
  | 'ID_NOT_FOUND'
  | 'NAME_REPEAT_ERROR'
  | 'ID_REPEAT_ERROR'
  | 'PERMISSION_ID_NOT_FOUND'
  | 'DEVICE_ADDRESS_DUPLICATE_ERROR'
  | 'DEVICE_INIT_ERROR';

// The vendor documents no statuses, only "200 means success"; HTTP-14 asks for 4xx on the client's
// errors and 5xx on INTERNAL_ERROR, so each code gets the closest HTTP meaning.
const STATUS_OF: Readonly<Record<VendorCode, number>> = {
  UNSUPPORT_CONTENT_TYPE: 415,
  INVALID_REQUEST_JSON: 400,
  MISSING_ARGUMENTS: 400,
  INVALID_ARGUMENTS: 400,
  INTERNAL_ERROR: 500,
  EMPTY_REQUEST_JSON: 400,
  ID_NOT_FOUND: 404,
  NAME_REPEAT_ERROR: 409,
  ID_REPEAT_ERROR: 409,
  PERMISSION_ID_NOT_FOUND: 404,
  DEVICE_ADDRESS_DUPLICATE_ERROR: 409,
  DEVICE_INIT_ERROR: 503,
};

/** An error the device answers with the vendor envelope `{"error":{"code","message"}}`. */
export class VendorError extends Error {
  readonly code: VendorCode;
  readonly status: number;

  constructor(code: VendorCode, message: string, status: number = STATUS_OF[code]) {
    super(message);
    this.name = 'VendorError';
    this.code = code;
    this.status = status;
  }
}

/** Requests answered with an error envelope (the wipedata route reads it for `reboots-after-error`). */
export const answeredWithError = new WeakSet<FastifyRequest>();

/** Body of every error answer. */
export function envelope(code: VendorCode, message: string): { error: { code: VendorCode; message: string } } {
  return { error: { code, message } };
}

/**
 * Sends JSON with exactly `content-type: application/json` (as a Buffer, so Fastify neither
 * re-serialises it nor appends a charset).
 */
export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'application/json')
    .send(Buffer.from(JSON.stringify(body), 'utf8'));
}

/** Sends an error envelope, with the code's own status unless `status` says otherwise (answer-style.ts). */
export function sendVendorError(reply: FastifyReply, error: VendorError, status = error.status): FastifyReply {
  answeredWithError.add(reply.request);
  return sendJson(reply, status, envelope(error.code, error.message));
}

/**
 * Maps anything thrown while handling a request to a vendor error, so Fastify's own error bodies
 * (`{"statusCode","error","message"}`) never leak (HTTP-14).
 */
export function toVendorError(error: unknown, bodyLimit: number = BODY_LIMIT): VendorError {
  if (error instanceof VendorError) return error;
  const fastifyError = error as Partial<FastifyError>;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new VendorError('INVALID_REQUEST_JSON', `request body larger than ${bodyLimit} bytes`, 413);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new VendorError('UNSUPPORT_CONTENT_TYPE', 'unsupported content type; only application/json is accepted');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new VendorError('INVALID_REQUEST_JSON', 'request body length does not match Content-Length');
    case 'FST_ERR_BAD_URL':
      return new VendorError('INVALID_ARGUMENTS', 'malformed request URL');
  }
  const status = fastifyError.statusCode;
  // Any other client-side failure Fastify reports happens while reading the request (aborted or
  // malformed body), so it is an invalid request rather than an invalid argument.
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new VendorError('INVALID_REQUEST_JSON', 'the request could not be read', status);
  }
  return new VendorError('INTERNAL_ERROR', 'internal error; please retry');
}

/** Largest body the device reads (1 MiB): far above any wipedata or seeding request. */
export const BODY_LIMIT = 1024 * 1024;

/**
 * Answers an HTTP-level client error (malformed request line or headers, request timeout) on the raw
 * socket, because no request object exists yet; same envelope, then the connection is closed.
 */
export function writeClientError(error: NodeJS.ErrnoException, socket: Socket, statusOverride?: number): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  let status = 400;
  let code: VendorCode = 'INVALID_REQUEST_JSON';
  let message = 'malformed HTTP request';
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    message = 'the request was not received in time';
  } else if (error.code === 'HPE_HEADER_OVERFLOW') {
    status = 431;
    code = 'INVALID_ARGUMENTS';
    message = 'request headers too large';
  }
  const sent = statusOverride ?? status;
  const body = JSON.stringify(envelope(code, message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${sent} ${STATUS_CODES[sent] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
