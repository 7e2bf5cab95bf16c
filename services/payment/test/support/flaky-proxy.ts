import net from 'node:net';

/**
 * A real TCP proxy in front of a peer, for tests that slow the peer down: in `slow` mode the answers to POST
 * requests (the confirm) are held back `delayMs`, so the caller times out while the peer did the work. Reads stay
 * fast. HTTP/1.1 keep-alive sends one request at a time per connection, so the last request line seen on a
 * connection names the answer that follows.
 */
export class FlakyProxy {
  mode: 'pass' | 'slow' = 'pass';
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    private readonly target: () => { host: string; port: number },
    private readonly delayMs: number,
  ) {}

  async start(): Promise<string> {
    this.server = net.createServer((client) => {
      const { host, port } = this.target();
      const upstream = net.connect({ host, port });
      this.sockets.add(client).add(upstream);
      let delayAnswer = false;
      client.on('data', (chunk) => {
        const head = chunk.subarray(0, 5).toString('latin1');
        if (/^[A-Z]+ /.test(head)) delayAnswer = this.mode === 'slow' && head.startsWith('POST');
        upstream.write(chunk);
      });
      upstream.on('data', (chunk) => {
        if (delayAnswer) setTimeout(() => client.writable && client.write(chunk), this.delayMs);
        else client.write(chunk);
      });
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.sockets.forEach((socket) => socket.destroy());
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
