import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import type { App } from '@boxoffice/http';
import { NO_RATE_LIMIT, buildTestGateway } from '../support/test-gateway';

type Upstream = (request: IncomingMessage, response: ServerResponse) => void;

/** One HTTP/1.1 exchange over a raw socket, headers written exactly as given, read until the gateway closes. */
function exchange(port: number, head: string, body = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.once('error', reject);
    socket.once('close', () => resolve(text));
    socket.once('connect', () => socket.write(`${head}\r\nConnection: close\r\n\r\n${body}`));
  });
}

const headerLines = (text: string) =>
  text
    .split('\r\n\r\n')[0]!
    .split('\r\n')
    .slice(1)
    .map((line) => line.toLowerCase());

describe('gateway pass-through: answers stream through, hop-by-hop headers stay on their own connection', () => {
  let gateway: App;
  let upstream: http.Server;
  let answer: Upstream = (_request, response) => response.end();

  beforeAll(async () => {
    upstream = http.createServer((request, response) => answer(request, response));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const upstreamUrl = `http://127.0.0.1:${(upstream.address() as net.AddressInfo).port}`;
    gateway = await buildTestGateway({
      TICKET_SERVICE_URLS: upstreamUrl,
      ...NO_RATE_LIMIT,
    });
    await gateway.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await gateway.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  });

  const port = () => (gateway.server.address() as net.AddressInfo).port;

  it('when a client sends hop-by-hop headers and names one in Connection, then the upstream gets neither, and gets repeated headers as sent', async () => {
    let seen: string[] = [];
    answer = (request, response) => {
      seen = request.rawHeaders;
      response.end('{}');
    };
    await exchange(
      port(),
      [
        'GET /events/1 HTTP/1.1',
        'Host: gateway',
        'Keep-Alive: timeout=5',
        'X-Hop: secret',
        'Connection: X-Hop',
        'TE: trailers',
        'Proxy-Authorization: Basic eA==',
        'X-Internal-Token: guessed',
        'X-Request-Id: client-chosen-id',
        'X-Forwarded-For: 203.0.113.9',
        'Accept: application/json',
        'Accept: text/plain',
      ].join('\r\n'),
    );
    const names = seen.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase());
    for (const dropped of ['keep-alive', 'x-hop', 'te', 'proxy-authorization', 'x-internal-token'])
      expect(names).not.toContain(dropped);
    const values = (name: string) => seen.filter((_, i) => i % 2 === 1 && seen[i - 1]!.toLowerCase() === name);
    expect(values('accept')).toEqual(['application/json', 'text/plain']);
    expect(values('x-forwarded-for')).toEqual(['203.0.113.9, 127.0.0.1']);
    expect(values('x-request-id')).toEqual(['client-chosen-id']); // a well-formed id is the gateway's own too
    expect(values('host')).toHaveLength(1);
    expect(values('host')[0]).not.toBe('gateway');
  });

  it('when the upstream answers with hop-by-hop headers, then the client gets the rest with the rate limit and request id', async () => {
    answer = (_request, response) => {
      response.writeHead(201, [
        'Content-Type',
        'application/json',
        'X-Upstream-Hop',
        'internal',
        'Connection',
        'X-Upstream-Hop',
        'Upgrade',
        'h2c',
        'X-Request-Id',
        'upstream-made-this-up',
        'Set-Cookie',
        'a=1',
        'Set-Cookie',
        'b=2',
      ]);
      response.end('{"made":true}');
    };
    const text = await exchange(port(), 'POST /events HTTP/1.1\r\nHost: gateway\r\nContent-Length: 2', '{}');
    expect(text.startsWith('HTTP/1.1 201 ')).toBe(true);
    const lines = headerLines(text);
    expect(lines).toEqual(
      expect.arrayContaining(['content-type: application/json', 'set-cookie: a=1', 'set-cookie: b=2']),
    );
    expect(lines.filter((line) => /^(x-upstream-hop|upgrade):/.test(line))).toEqual([]);
    const requestIds = lines.filter((line) => line.startsWith('x-request-id:'));
    expect(requestIds).toHaveLength(1);
    expect(requestIds[0]).not.toContain('upstream-made-this-up');
    expect(lines).toEqual(expect.arrayContaining(['x-ratelimit-limit: 100000']));
    expect(text).toContain('\r\n{"made":true}\r\n'); // re-chunked: the upstream sent it chunked
  });

  it('when the upstream streams a large answer in pieces, then the client gets it byte for byte', async () => {
    const pieces = Array.from({ length: 64 }, (_, i) => Buffer.alloc(32 * 1024, i));
    answer = async (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream' }); // no length: chunked
      for (const piece of pieces) {
        if (!response.write(piece)) await new Promise((resolve) => response.once('drain', resolve));
      }
      response.end();
    };
    const got = await fetch(`http://127.0.0.1:${port()}/events/big`);
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.concat(pieces))).toBe(true);
  });

  it('when the upstream breaks off in the middle of an answer, then the client sees the answer broken, not complete', async () => {
    answer = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      response.write('{"partial":');
      setImmediate(() => response.socket!.destroy());
    };
    const got = await fetch(`http://127.0.0.1:${port()}/events/broken`);
    expect(got.status).toBe(200);
    await expect(got.text()).rejects.toThrow();
  });

  it('when the client goes away in the middle of an answer, then the upstream request is abandoned too', async () => {
    const upstreamClosed = new Promise<boolean>((resolve) => {
      answer = (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.write('first part;');
        response.once('close', () => resolve(response.writableFinished));
      };
    });
    const socket = net.connect({ host: '127.0.0.1', port: port() });
    socket.write('GET /events/slow HTTP/1.1\r\nHost: gateway\r\n\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    socket.destroy();
    expect(await upstreamClosed).toBe(false); // closed before it finished: nobody waits for the rest
  });

  it('when the client goes away before the answer starts, then the upstream request is abandoned too', async () => {
    let reached: () => void = () => undefined;
    const upstreamReached = new Promise<void>((resolve) => (reached = resolve));
    const upstreamClosed = new Promise<boolean>((resolve) => {
      answer = (_request, response) => {
        response.once('close', () => resolve(response.headersSent));
        reached(); // and never answers by itself
      };
    });
    const socket = net.connect({ host: '127.0.0.1', port: port() });
    socket.write('GET /events/never HTTP/1.1\r\nHost: gateway\r\n\r\n');
    await upstreamReached;
    socket.destroy();
    expect(await upstreamClosed).toBe(false);
    answer = (_request, response) => response.end('{"still":"answering"}');
    expect(await (await fetch(`http://127.0.0.1:${port()}/events/after`)).json()).toEqual({ still: 'answering' });
  });
});
