import type { FastifyServerOptions } from 'fastify';
import type { LogConfig } from '../../config/index.js';
import { prettyLogStream } from './pretty.js';
import type { LogDestination } from './pretty.js';
import { routeKind } from './route-kind.js';

/** What redacted values are written as. */
export const LOG_REDACTED = '[redacted]';

/** Longest URL written to a log line. */
const MAX_LOGGED_URL = 2048;

/** Query parameters whose value is a credential (`token`, `X-Amz-Signature`, `password`, …). */
const SENSITIVE_PARAM = /token|secret|passw|pwd|signature|credential|session|auth|key|^sig$|^code$/i;

/** Header and field paths redacted wherever they are logged. */
const REDACT_PATHS = [
  'authorization',
  'cookie',
  'password',
  'token',
  'secret',
  ...['headers', 'req.headers', 'request.headers', 'res.headers', '*.headers'].flatMap((h) => [
    `${h}.authorization`,
    `${h}.cookie`,
    `${h}["proxy-authorization"]`,
    `${h}["set-cookie"]`,
    `${h}["x-registry-auth"]`,
  ]),
  '*.authorization',
  '*.cookie',
  '*.password',
  '*.token',
  '*.secret',
];

/** A request URL with the values of credential-like query parameters replaced, cut to 2 KiB. */
export function redactQuery(url: string): string {
  const cut = url.length > MAX_LOGGED_URL ? `${url.slice(0, MAX_LOGGED_URL)}…` : url;
  const q = cut.indexOf('?');
  if (q === -1) return cut;
  const params = cut
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawKey = eq === -1 ? pair : pair.slice(0, eq);
      let key = rawKey;
      try {
        key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      } catch {
        // Undecodable: judge the raw text.
      }
      return eq !== -1 && SENSITIVE_PARAM.test(key) ? `${rawKey}=${LOG_REDACTED}` : pair;
    });
  return `${cut.slice(0, q)}?${params.join('&')}`;
}

interface RequestLike {
  readonly method?: string;
  readonly url?: string;
  readonly ip?: string;
  readonly socket?: { readonly remotePort?: number } | null;
}

function describeRequest(req: RequestLike): Record<string, unknown> {
  const url = typeof req.url === 'string' ? req.url : '';
  return {
    method: req.method,
    url: redactQuery(url),
    route: routeKind(url),
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/** Fastify's `logger` option in its object form (Fastify's and pino's options). */
export type RegistryLoggerOptions = Exclude<NonNullable<FastifyServerOptions['logger']>, boolean>;

/**
 * Fastify `logger` options for the registry: JSON lines (or, with format
 * `pretty`, one readable line per event) to `destination` (default
 * standard output). Each request gives an "incoming request" and a
 * "request completed" line carrying the request id (`reqId`), method, URL
 * (credential query parameters redacted), route kind, remote address,
 * status and `responseTime` (ms). Authorization, cookie and similar headers
 * and fields named password/token/secret are redacted wherever logged.
 */
export function createLogger(log: LogConfig, destination?: LogDestination): RegistryLoggerOptions {
  const stream = log.format === 'pretty' ? prettyLogStream(destination ?? process.stdout) : destination;
  return {
    level: log.level,
    redact: { paths: REDACT_PATHS, censor: LOG_REDACTED },
    formatters: { level: (label: string) => ({ level: label }) },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    serializers: {
      req: (req: RequestLike) => describeRequest(req),
      res: (reply: { statusCode: number; request?: RequestLike }) => ({
        statusCode: reply.statusCode,
        ...(reply.request ? describeRequest(reply.request) : {}),
      }),
    },
    ...(stream ? { stream } : {}),
  };
}
