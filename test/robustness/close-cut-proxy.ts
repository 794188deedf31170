// A TCP proxy to the broker that cuts a connection exactly when the client starts the AMQP closing
// handshake: the client's Connection.Close is swallowed and both sockets are destroyed, so the CloseOk
// never comes. amqplib's connection.close() never settles in that case (it only emits 'close'), which is
// how a reboot under broker cuts used to leave the device's consumer stuck for good.
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { BROKER_URL } from '../reference-device/mq-harness.ts';

// A method frame (type 1) on channel 0 whose payload starts with class 10 (connection), method 50 (close).
const CLOSE_METHOD = Buffer.from([0x00, 0x0a, 0x00, 0x32]);

function hasConnectionClose(chunk: Buffer): boolean {
  for (let i = chunk.indexOf(CLOSE_METHOD); i >= 0; i = chunk.indexOf(CLOSE_METHOD, i + 1)) {
    if (i >= 7 && chunk[i - 7] === 1 && chunk[i - 6] === 0 && chunk[i - 5] === 0) return true;
  }
  return false;
}

export class CloseCuttingProxy {
  /** Closing handshakes cut so far. */
  cuts = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly port: number,
  ) {}

  static async start(): Promise<CloseCuttingProxy> {
    const target = new URL(BROKER_URL);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const proxy = new CloseCuttingProxy(server, typeof address === 'object' && address ? address.port : 0);
    server.on('connection', (client) => {
      const upstream = tcpConnect(Number(target.port || 5672), target.hostname);
      for (const socket of [client, upstream]) {
        proxy.sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => {
          proxy.sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.on('data', (chunk: Buffer) => {
        if (hasConnectionClose(chunk)) {
          proxy.cuts++;
          client.destroy();
          upstream.destroy();
        } else upstream.write(chunk);
      });
      upstream.pipe(client);
    });
    return proxy;
  }

  get url(): string {
    const url = new URL(BROKER_URL);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
