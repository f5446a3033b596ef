/**
 * A small HTTP client over node:http/node:https for the registry protocol:
 * connect and idle timeouts, bounded redirects that never carry credentials
 * to another origin, bounded retries for idempotent GETs, and response bodies
 * whose network failures surface as MamoriError NETWORK.
 */
import http from 'node:http';
import https from 'node:https';
import { PassThrough, type Readable } from 'node:stream';
import { rootCertificates, type TLSSocket } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { MamoriError } from '../../core/index.js';
import { networkError, timeoutError } from './neterror.js';

export interface TransportOptions {
  /** Verify TLS certificates (default true). */
  readonly tlsVerify: boolean;
  /** Extra trusted CA certificates (PEM), added to Node's roots. */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  readonly connectTimeoutMs: number;
  /** Longest silence while waiting for a response or its body (not counted while the reader applies backpressure). */
  readonly readTimeoutMs: number;
  readonly userAgent: string;
}

export interface RetryPolicy {
  /** Further attempts after the first. */
  readonly retries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** URL that produced this response (after redirects). */
  readonly url: URL;
  /** The body; a failure while reading it is a MamoriError NETWORK. Destroy it to give up. */
  readonly body: Readable;
}

export type Headers = Readonly<Record<string, string>>;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const RETRYABLE_ERRNO = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

export class HttpTransport {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(readonly opts: TransportOptions) {
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const extra = opts.ca === undefined ? [] : Array.isArray(opts.ca) ? opts.ca : [opts.ca];
    this.httpsAgent = new https.Agent({
      keepAlive: true,
      maxSockets: 16,
      rejectUnauthorized: opts.tlsVerify,
      ...(extra.length > 0 ? { ca: [...rootCertificates, ...(extra as Array<string | Buffer>)] } : {}),
    });
  }

  /** One request, no redirects, no retries. Resolves when the response headers arrive. */
  request(method: 'GET' | 'POST', url: URL, headers: Headers, payload?: Buffer): Promise<HttpResponse> {
    const isHttps = url.protocol === 'https:';
    if (!isHttps && url.protocol !== 'http:') {
      return Promise.reject(new MamoriError('REGISTRY', `refusing to follow a ${url.protocol} URL`));
    }
    const { connectTimeoutMs, readTimeoutMs } = this.opts;
    return new Promise((resolve, reject) => {
      let failure: Error | undefined;
      let res: http.IncomingMessage | undefined;
      const req = (isHttps ? https : http).request(url, {
        method,
        headers: { 'user-agent': this.opts.userAgent, ...headers },
        agent: isHttps ? this.httpsAgent : this.httpAgent,
      });
      const fail = (e: Error): void => {
        failure ??= e;
        req.destroy(e);
      };
      const connectTimer = setTimeout(
        () => fail(timeoutError('connect', connectTimeoutMs)),
        connectTimeoutMs,
      );
      req.on('socket', (socket) => {
        if (req.reusedSocket) clearTimeout(connectTimer);
        else
          (socket as TLSSocket).once(isHttps ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
      });
      req.setTimeout(readTimeoutMs);
      req.on('timeout', () => {
        // A paused body means our reader is slow, not the server: wait again.
        if (res !== undefined && !res.complete && res.isPaused()) req.setTimeout(readTimeoutMs);
        else fail(timeoutError('read', readTimeoutMs));
      });
      req.on('error', (e) => {
        clearTimeout(connectTimer);
        reject(networkError(failure ?? e, url, this.opts.tlsVerify));
      });
      req.on('response', (incoming) => {
        clearTimeout(connectTimer);
        res = incoming;
        const body = new PassThrough();
        incoming.on('error', (e) => body.destroy(networkError(failure ?? e, url, this.opts.tlsVerify)));
        incoming.on('close', () => {
          if (!incoming.complete && !body.destroyed) {
            const why = failure ?? new Error('connection closed before the response was complete');
            body.destroy(networkError(why, url, this.opts.tlsVerify));
          }
        });
        body.on('close', () => {
          if (!incoming.complete) incoming.destroy();
        });
        incoming.pipe(body);
        resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, url, body });
      });
      req.end(payload);
    });
  }

  /**
   * GET (or POST) following up to `maxRedirects` redirects. `authorization`
   * is sent only to `trustedOrigin`; a hop to any other origin goes without it.
   */
  async follow(
    method: 'GET' | 'POST',
    start: URL,
    headers: Headers,
    authorization: string | undefined,
    trustedOrigin: string,
    maxRedirects = 5,
    payload?: Buffer,
  ): Promise<HttpResponse> {
    let url = start;
    for (let hop = 0; ; hop++) {
      const h =
        authorization !== undefined && url.origin === trustedOrigin ? { ...headers, authorization } : headers;
      const res = await this.request(method, url, h, payload);
      const location = res.headers.location;
      if (!REDIRECTS.has(res.status) || location === undefined) return res;
      res.body.destroy();
      if (hop >= maxRedirects) {
        throw new MamoriError(
          'REGISTRY',
          `${start.origin}: more than ${maxRedirects} redirects for ${start.pathname}`,
        );
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new MamoriError('REGISTRY', `${url.origin} sent an invalid redirect location`);
      }
      if (next.protocol !== 'https:' && next.protocol !== 'http:') {
        throw new MamoriError('REGISTRY', `${url.origin} redirected to an unsupported ${next.protocol} URL`);
      }
      if (res.status === 303 || (method === 'POST' && (res.status === 301 || res.status === 302))) {
        // As browsers and Go do: the redirected request becomes a plain GET.
        method = 'GET';
        payload = undefined;
        headers = Object.fromEntries(
          Object.entries(headers).filter(([k]) => !k.toLowerCase().startsWith('content-')),
        );
      }
      url = next;
    }
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** True for the failures a GET may be retried after: a reset or broken connection. */
export function isRetryableError(e: unknown): boolean {
  if (!(e instanceof MamoriError) || e.code !== 'NETWORK') return false;
  const cause = e.cause as NodeJS.ErrnoException | undefined;
  return cause?.code !== undefined && RETRYABLE_ERRNO.has(cause.code);
}

function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/** Seconds (or an HTTP date) from Retry-After, in ms, if present and sane. */
function retryAfterMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d{1,6}$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Runs an idempotent GET with bounded retries and exponential backoff on 429, 5xx and connection resets. */
export async function withRetries(
  send: () => Promise<HttpResponse>,
  policy: RetryPolicy,
): Promise<HttpResponse> {
  for (let attempt = 0; ; attempt++) {
    const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt * (1 + Math.random()));
    let res: HttpResponse;
    try {
      res = await send();
    } catch (e) {
      if (attempt < policy.retries && isRetryableError(e)) {
        await sleep(backoff);
        continue;
      }
      throw e;
    }
    if (attempt < policy.retries && isRetryableStatus(res.status)) {
      res.body.destroy();
      const hinted = retryAfterMs(firstHeader(res.headers['retry-after']));
      await sleep(Math.min(policy.maxDelayMs, hinted ?? backoff));
      continue;
    }
    return res;
  }
}

export function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Content-Length as a safe integer, if present and valid. */
export function contentLength(headers: http.IncomingHttpHeaders): number | undefined {
  const v = headers['content-length'];
  if (v === undefined || !/^\d{1,16}$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Reads a whole body of at most `max` bytes; more is LIMIT_EXCEEDED, and the
 * connection is dropped at once instead of reading on.
 */
export async function readBounded(res: HttpResponse, max: number, what: string): Promise<Buffer> {
  const limit = (): MamoriError => new MamoriError('LIMIT_EXCEEDED', `${what} is larger than ${max} bytes`);
  const declared = contentLength(res.headers);
  if (declared !== undefined && declared > max) {
    res.body.destroy();
    throw limit();
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > max) {
      res.body.destroy();
      throw limit();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

/** The first `max` bytes of a body (for error messages); the rest is discarded. */
export async function readPrefix(res: HttpResponse, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      chunks.push(chunk.subarray(0, max - total));
      total += Math.min(chunk.length, max - total);
      if (total >= max) break;
    }
  } catch {
    // An error body that fails half-way still has a useful prefix.
  }
  res.body.destroy();
  return Buffer.concat(chunks, total);
}
