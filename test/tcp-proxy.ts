import net from 'node:net';

/** A loopback TCP proxy that a test can switch between refusing connections and forwarding them. */
export interface TcpProxy {
  port: number;
  forward(on: boolean): void;
  /** Refuses new connections and breaks the open ones: the target looks down to its clients. */
  cut(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  let forwarding = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (!forwarding) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, targetHost);
    // One side gone (closed or reset) takes the other with it, as a dead peer would: a reset
    // client must not leave its Postgres session (and the locks it holds) open behind the proxy.
    const pair = [client, upstream];
    for (const socket of pair) {
      sockets.add(socket);
      socket.on('close', () => {
        sockets.delete(socket);
        for (const other of pair) other.destroy();
      });
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    forward(on) {
      forwarding = on;
    },
    cut() {
      forwarding = false;
      for (const socket of sockets) socket.destroy();
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
