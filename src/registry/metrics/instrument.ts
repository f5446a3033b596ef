import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { RegistryMetrics } from './metrics.js';
import { resultOf } from './metrics.js';
import type { RouteKind } from './route-kind.js';
import { methodLabel, routeKind } from './route-kind.js';

export interface InstrumentOptions {
  /** Path of the Prometheus endpoint; default `/metrics`. False: no endpoint (expose elsewhere). */
  readonly path?: string | false;
  /**
   * Count requests through the app's onRequest hook (default true). False
   * when the server's request handler calls a createRequestObserver
   * observer itself (which also sees the requests Fastify answers before
   * routing, such as a malformed percent-encoding in the path).
   */
  readonly count?: boolean;
}

/** Socket byte counters already attributed to a request. */
interface Seen {
  read: number;
  written: number;
}

function countEvents(
  metrics: RegistryMetrics,
  method: string,
  url: string,
  kind: RouteKind,
  status: number,
): void {
  const result = resultOf(status);
  if (kind === 'manifest' && method === 'PUT') metrics.pushes.inc({ result });
  else if (kind === 'manifest' && method === 'GET') metrics.pulls.inc({ result });
  else if (kind === 'upload' && method === 'PUT') metrics.blobUploads.inc({ result });
  else if (kind === 'upload-start' && method === 'POST') {
    // 202 opens an upload session; 201 is a finished monolithic upload or mount.
    const q = url.indexOf('?');
    const completing = q !== -1 && /(?:^|&)(?:digest|mount)=/.test(url.slice(q + 1));
    if (status === 201 || (completing && status >= 400)) metrics.blobUploads.inc({ result });
  }
}

/** Counts one HTTP exchange when its response closes. */
export type RequestObserver = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * An observer to call first thing for each request of a Node HTTP(S)
 * server: it counts the request (status, duration, bytes, and the push,
 * pull and upload events) when its response closes, also when the client
 * went away first (status `499` if no header had been sent). The route
 * label is the OCI endpoint kind, never the path.
 *
 * Bytes are the client connection's counters, headers included: all of a
 * connection's bytes are counted, each span going to the request whose
 * response closed at its end (exact with one request per connection, close
 * to it with keep-alive).
 */
export function createRequestObserver(metrics: RegistryMetrics): RequestObserver {
  const seen = new WeakMap<Socket, Seen>();
  return (req, res) => {
    const start = process.hrtime.bigint();
    const url = typeof req.url === 'string' ? req.url : '';
    const route = routeKind(url);
    res.once('close', () => {
      const status = res.headersSent || res.writableFinished ? res.statusCode : 499;
      const method = methodLabel(req.method ?? '');
      metrics.httpRequests.inc({ method, route, status: String(status) });
      metrics.httpDuration.observe({ method, route }, Number(process.hrtime.bigint() - start) / 1e9);
      const socket = req.socket as Socket | null;
      if (socket) {
        const last = seen.get(socket) ?? { read: 0, written: 0 };
        const read = socket.bytesRead;
        const written = socket.bytesWritten;
        if (read > last.read) metrics.httpReceivedBytes.inc({ route }, read - last.read);
        if (written > last.written) metrics.httpSentBytes.inc({ route }, written - last.written);
        seen.set(socket, { read: Math.max(read, last.read), written: Math.max(written, last.written) });
      }
      countEvents(metrics, req.method ?? '', url, route, status);
    });
  };
}

/**
 * Counts every request `app` routes (see createRequestObserver) and serves
 * the metrics at `/metrics` in the Prometheus text format. Call before
 * `app.ready()`. Requests Fastify answers before routing (a malformed URL)
 * run no hook: to count those too, call an observer from the server's
 * request handler and pass `count: false`.
 */
export function instrument(
  app: FastifyInstance,
  metrics: RegistryMetrics,
  opts: InstrumentOptions = {},
): void {
  if (opts.count !== false) {
    const observe = createRequestObserver(metrics);
    app.addHook('onRequest', async (request, reply) => {
      observe(request.raw, reply.raw);
    });
  }
  const path = opts.path ?? '/metrics';
  if (path !== false) {
    app.get(path, async (_request, reply) => {
      const text = await metrics.expose();
      return reply.code(200).header('content-type', metrics.contentType).send(text);
    });
  }
}
