import net from 'node:net';

/**
 * A loopback TCP proxy that a test can switch between forwarding, refusing connections (the
 * target down) and hanging (a network that stops passing bytes without closing anything).
 */
export interface TcpProxy {
  port: number;
  forward(on: boolean): void;
  /** Refuses new connections and breaks the open ones: the target looks down to its clients. */
  cut(): void;
  /**
   * Stops passing bytes either way, on open and new connections, closing nothing: what a
   * dropped route or a full NAT table looks like. `forward(true)` heals it; what was held is
   * delivered then, as TCP retransmits after a partition.
   */
  hang(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  let forwarding = false;
  let hung = false;
  const held: { to: net.Socket; chunk: Buffer }[] = [];
  const sockets = new Set<net.Socket>();
  const pairs = new Set<net.Socket[]>();
  const relay = (from: net.Socket, to: net.Socket) =>
    from.on('data', (chunk: Buffer) => {
      if (hung) held.push({ to, chunk });
      else to.write(chunk);
    });
  const server = net.createServer((client) => {
    if (!forwarding && !hung) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, targetHost);
    // One side gone (closed or reset) takes the other with it, as a dead peer would: a reset
    // client must not leave its Postgres session (and the locks it holds) open behind the proxy.
    const pair = [client, upstream];
    pairs.add(pair);
    for (const socket of pair) {
      sockets.add(socket);
      socket.on('close', () => {
        sockets.delete(socket);
        // A hung network passes no close either: the other side learns of it once healed.
        if (hung) return;
        pairs.delete(pair);
        for (const other of pair) other.destroy();
      });
      socket.on('error', () => undefined);
    }
    relay(client, upstream);
    relay(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    forward(on) {
      forwarding = on;
      if (on && hung) {
        hung = false;
        for (const { to, chunk } of held.splice(0)) if (!to.destroyed) to.write(chunk);
        for (const pair of pairs) {
          if (pair.some((socket) => socket.destroyed)) {
            pairs.delete(pair);
            for (const socket of pair) socket.destroy();
          }
        }
      }
    },
    cut() {
      forwarding = false;
      hung = false;
      held.length = 0;
      for (const socket of sockets) socket.destroy();
    },
    hang() {
      hung = true;
    },
    close() {
      hung = false;
      held.length = 0;
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
