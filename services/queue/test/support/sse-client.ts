import http from 'node:http';

export interface Standing {
  uuid: string;
  waitingNo: number;
  status: 'WAITING' | 'ACTIVE' | 'EXPIRED';
  estimatedWaitSeconds: number | null;
  waitEstimate: string;
  roomId: string;
  roomStatus: string;
  expiresAt: string;
}

/**
 * A server-sent events client as a browser's EventSource reads a stream (data lines, comments, blank line ends an
 * event), over a real socket, so the test sees exactly what a browser would.
 */
export class SseClient {
  readonly events: Standing[] = [];
  comments = 0;
  retryMs: number | undefined;
  status = 0;
  headers: http.IncomingHttpHeaders = {};
  body = '';
  ended = false;
  private request: http.ClientRequest | undefined;
  private waiters: (() => void)[] = [];

  static open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = new SseClient();
    return new Promise((resolve, reject) => {
      client.request = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) => {
        client.status = response.statusCode ?? 0;
        client.headers = response.headers;
        let buffer = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          client.body += chunk;
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            client.take(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        });
        response.on('end', () => {
          client.ended = true;
          client.wake();
        });
        resolve(client);
      });
      client.request.on('error', (error) => (client.status ? undefined : reject(error)));
    });
  }

  private take(block: string): void {
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments++;
      else if (line.startsWith('data: ')) data.push(line.slice(6));
      else if (line.startsWith('retry: ')) this.retryMs = Number(line.slice(7));
    }
    if (data.length > 0) this.events.push(JSON.parse(data.join('\n')) as Standing);
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((wake) => wake());
  }

  /** The first event (from `from` on) that matches, waiting for it if need be. */
  async next(matches: (event: Standing) => boolean, timeoutMs = 30_000, from = 0): Promise<Standing> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find(matches);
      if (found) return found;
      if (this.ended) throw new Error(`stream ended without the event; got ${JSON.stringify(this.events)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for an event; got ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('timed out waiting on the stream');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  close(): void {
    this.request?.destroy();
  }
}
