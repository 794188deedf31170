import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { answeredWithError, envelope, type VendorError } from './vendor-error.ts';

/**
 * How much of a refused body the device still reads after answering: 16 MiB off the wire. An honest
 * client that made a mistake (an image or a log pasted as a body) sends a few MB, and 16 MiB is three
 * times the 5 MB such a client was seen sending; it takes about 1.3 s at 100 Mbit/s. A hostile endless
 * upload costs the device at most this much reading, and never any memory: the bytes are discarded.
 */
export const DRAIN_MAX_BYTES = 16 * 1024 * 1024;

// Sockets whose refused body is being read and discarded: a client error on one (Node's request
// deadline, malformed chunk framing) must end it quietly, never write a second answer after the first.
const draining = new WeakSet<Socket>();

/** True while `socket` carries an answered request whose body is still being read and thrown away. */
export function isDraining(socket: Socket): boolean {
  return draining.has(socket);
}

/**
 * Answers a request whose body the device refuses (413) while that body is still arriving, without
 * resetting the connection. Closing a socket that has unread data makes the kernel send a reset, and a
 * client that writes its whole body before reading (many do) then sees ECONNRESET/EPIPE and never reads
 * the answer. So the answer is sent at once, complete (Content-Length, `connection: close`), but the
 * response only ends, and the connection only closes, once the rest of the body has been read and
 * discarded: the client's write completes, it reads the envelope, then the device's FIN.
 *
 * Bounded: the drain stops, and the socket is destroyed (a reset, deliberately), after DRAIN_MAX_BYTES
 * more bytes, or `deadlineMs` after the answer. The device's request deadline (`requestTimeoutMs`,
 * enforced by Node from the request's first byte) normally comes first; `isDraining` lets the
 * client-error handler end the connection then without a second answer.
 */
export function answerWhileDraining(
  reply: FastifyReply,
  error: VendorError,
  deadlineMs: number,
  statusOverride?: number,
): void {
  const request = reply.request.raw;
  const socket = request.socket;
  const body = Buffer.from(JSON.stringify(envelope(error.code, error.message)), 'utf8');
  answeredWithError.add(reply.request);
  // A stream payload: Fastify writes the status, headers and these bytes now, and ends the response
  // only when the stream ends, i.e. when the drain is over.
  const payload = new PassThrough();
  payload.write(body);
  reply
    .code(statusOverride ?? error.status)
    .header('content-type', 'application/json')
    .header('content-length', String(body.length))
    .header('connection', 'close')
    .send(payload);
  if (request.complete) {
    payload.end();
    return;
  }

  draining.add(socket);
  const readBefore = socket.bytesRead;
  const onData = (): void => {
    if (socket.bytesRead - readBefore > DRAIN_MAX_BYTES) cutOff();
  };
  const stop = (): void => {
    clearTimeout(timer);
    request.off('data', onData);
    draining.delete(socket);
  };
  const cutOff = (): void => {
    stop();
    socket.destroy();
  };
  const timer = setTimeout(cutOff, deadlineMs);
  // Listening for data (re)starts the flow and discards every chunk; Fastify stopped listening when
  // the body passed the limit, or never started when Content-Length already said so.
  request.on('data', onData);
  request.once('end', () => {
    stop();
    payload.end();
  });
  socket.once('close', stop);
}
