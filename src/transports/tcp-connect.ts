import { connect } from 'node:net';

/** What a connect that got no answer within its timeout reports (a silent host, not a refusing one). */
export const NO_TCP_ANSWER = 'no answer to a TCP connect';

/**
 * Whether a TCP connection to host:port is accepted: `true`, or why not (the socket's error code, such as
 * ECONNREFUSED, or NO_TCP_ANSWER). The connection is closed at once; nothing is sent.
 */
export function tcpConnect(host: string, port: number, timeoutMs: number): Promise<true | string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: true | string) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(NO_TCP_ANSWER));
    socket.once('connect', () => done(true));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}
