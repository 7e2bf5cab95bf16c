import { Pool, type Dispatcher } from 'undici';
import { Balancer } from '../domain/balancer';
import type { ServiceName } from '../domain/route-table';

/** Errors that prove the request never reached the instance: safe to retry on another one, whatever the method. */
const NOT_DELIVERED = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EHOSTUNREACH']);
/** Errors after which a read may be retried elsewhere (the instance died mid-request). */
const BROKEN = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'UND_ERR_CLOSED']);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface UpstreamRequest {
  method: Dispatcher.HttpMethod;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** A request passed through as it came: headers as a flat name, value, name, value… list (duplicates kept). */
export interface ForwardedRequest {
  method: Dispatcher.HttpMethod;
  path: string;
  headers: string[];
  body?: Buffer;
}

/**
 * Where a passed-through answer goes, as it arrives: `connected` with a way to abandon the request (on each
 * attempt), `start` once with the status and raw headers, then the body chunks (`write` returns false to pause the
 * upstream until `resume` is called), then `end`, or `fail` when the answer breaks after it started.
 */
export interface AnswerSink {
  connected(abort: (error: Error) => void): void;
  start(statusCode: number, rawHeaders: Buffer[], resume: () => void): void;
  write(chunk: Buffer): boolean;
  end(): void;
  fail(error: Error): void;
}

/** Connection pools to every instance of every service, and the failover between them. */
export class Upstreams {
  private readonly pools = new Map<string, Pool>();
  private readonly balancers = new Map<ServiceName, Balancer>();

  constructor(
    private readonly instances: Record<ServiceName, string[]>,
    private readonly timeoutMs: number,
  ) {
    for (const [service, urls] of Object.entries(instances) as [ServiceName, string[]][]) {
      this.balancers.set(service, new Balancer(urls));
      for (const url of urls) {
        this.pools.set(
          url,
          new Pool(url, { connections: 128, pipelining: 1, keepAliveTimeout: 30_000, connectTimeout: 1_000 }),
        );
      }
    }
  }

  /** Sends to one instance, moving on to the next when the chosen one is unreachable. */
  async send(service: ServiceName, request: UpstreamRequest): Promise<Dispatcher.ResponseData & { instance: string }> {
    const balancer = this.balancers.get(service)!;
    let lastError: unknown;
    for (const instance of balancer.order()) {
      try {
        const response = await this.pools.get(instance)!.request(this.withTimeouts(request));
        balancer.markUp(instance);
        return Object.assign(response, { instance });
      } catch (error) {
        lastError = error;
        if (!this.mayRetryAfter(balancer, instance, request.method, error)) throw error;
      }
    }
    throw lastError;
  }

  /**
   * Passes a request to one instance and its answer to `sink` as it streams in, without buffering or parsing it.
   * Resolves once the answer has started; rejects when no instance answered (the same failover as `send`, which
   * is safe because nothing has reached the client yet). After the start, a broken answer goes to `sink.fail`.
   */
  forward(service: ServiceName, request: ForwardedRequest, sink: AnswerSink): Promise<void> {
    const balancer = this.balancers.get(service)!;
    const order = balancer.order();
    return new Promise((resolve, reject) => {
      const attempt = (index: number, lastError?: unknown) => {
        const instance = order[index];
        if (instance === undefined) return reject(lastError);
        let started = false;
        // undici's own handler interface: raw header buffers, no parsing into an object on the way through
        const handler: Dispatcher.DispatchHandler = {
          onConnect: (abort) => sink.connected(abort),
          onHeaders: (statusCode, rawHeaders, resume) => {
            if (statusCode < 200) return true; // 1xx: informational, the answer follows
            started = true;
            balancer.markUp(instance);
            sink.start(statusCode, rawHeaders, resume);
            resolve();
            return true;
          },
          onData: (chunk) => sink.write(chunk),
          onComplete: () => sink.end(),
          onError: (error) => {
            if (started) return sink.fail(error);
            if (this.mayRetryAfter(balancer, instance, request.method, error)) attempt(index + 1, error);
            else reject(error);
          },
        };
        this.pools.get(instance)!.dispatch(this.withTimeouts(request), handler);
      };
      attempt(0);
    });
  }

  /** A request as undici takes it, with the gateway's timeouts for the answer's headers and for each body chunk. */
  private withTimeouts({ method, path, headers, body }: UpstreamRequest | ForwardedRequest) {
    return { method, path, headers, body, headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs };
  }

  /** Marks an instance down when it could not be reached; says whether the request may go to the next one. */
  private mayRetryAfter(balancer: Balancer, instance: string, method: string, error: unknown): boolean {
    const code = (error as { code?: string }).code ?? '';
    if (NOT_DELIVERED.has(code) || BROKEN.has(code)) balancer.markDown(instance);
    return NOT_DELIVERED.has(code) || (BROKEN.has(code) && IDEMPOTENT.has(method));
  }

  /** GET a path from the first instance that answers: for the merged OpenAPI document. */
  async getJson(service: ServiceName, path: string): Promise<unknown> {
    const response = await this.send(service, { method: 'GET', path, headers: { accept: 'application/json' } });
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new Error(`${service} answered ${response.statusCode} for ${path}`);
    }
    return response.body.json();
  }

  /** Every instance of every service (1-based within its service), for the dashboard's scrape. */
  everyInstance(): { service: ServiceName; instance: number; url: string }[] {
    return (Object.entries(this.instances) as [ServiceName, string[]][]).flatMap(([service, urls]) =>
      urls.map((url, index) => ({ service, instance: index + 1, url })),
    );
  }

  /** GET from one given instance, no failover: what that instance itself says, within `timeoutMs`. */
  async getTextFrom(url: string, path: string, timeoutMs: number): Promise<{ statusCode: number; text: string }> {
    const response = await this.pools.get(url)!.request({
      method: 'GET',
      path,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    return { statusCode: response.statusCode, text: await response.body.text() };
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
  }
}
