import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BlobStore } from '../storage/index.js';
import type { StateStore } from '../state/index.js';
import { RegistryError } from '../spec/index.js';
import {
  cancelUpload,
  deleteBlob,
  finishUpload,
  getBlob,
  patchUpload,
  startUpload,
  uploadStatus,
} from './blobs.js';
import type { RegistryContext, RegistryRequest, Reply } from './context.js';
import { toErrorResponse } from './errors.js';
import { listCatalog, listReferrers, listTags } from './listings.js';
import { deleteManifest, getManifest, putManifest } from './manifests.js';
import { routeV2 } from './router.js';

export interface RegistryAppOptions {
  readonly storage: BlobStore;
  readonly state: StateStore;
  /** Fastify's request logging; default off. */
  readonly logger?: boolean;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

function unsupported(method: string): RegistryError {
  return new RegistryError('UNSUPPORTED', `${method} is not supported on this endpoint`, { status: 405 });
}

/** Dispatches one `/v2/…` request to its handler. */
async function dispatch(ctx: RegistryContext, req: RegistryRequest, url: string): Promise<Reply> {
  const route = routeV2(url);
  const m = req.method;
  const read = m === 'GET' || m === 'HEAD';
  switch (route.kind) {
    case 'base':
      if (!read) throw unsupported(m);
      return { status: 200, json: {} };
    case 'catalog':
      if (!read) throw unsupported(m);
      return listCatalog(ctx, req);
    case 'tags':
      if (!read) throw unsupported(m);
      return listTags(ctx, req, route.name);
    case 'referrers':
      if (!read) throw unsupported(m);
      return listReferrers(ctx, req, route.name, route.digest);
    case 'blob':
      if (read) return getBlob(ctx, req, route.name, route.digest);
      if (m === 'DELETE') return deleteBlob(ctx, route.name, route.digest);
      throw unsupported(m);
    case 'upload-start':
      if (m === 'POST') return startUpload(ctx, req, route.name);
      throw unsupported(m);
    case 'upload':
      if (m === 'PATCH') return patchUpload(ctx, req, route.name, route.id);
      if (m === 'PUT') return finishUpload(ctx, req, route.name, route.id);
      if (m === 'GET') return uploadStatus(ctx, route.name, route.id);
      if (m === 'DELETE') return cancelUpload(ctx, route.name, route.id);
      throw unsupported(m);
    case 'manifest':
      if (read) return getManifest(ctx, req, route.name, route.reference);
      if (m === 'PUT') return putManifest(ctx, req, route.name, route.reference);
      if (m === 'DELETE') return deleteManifest(ctx, route.name, route.reference);
      throw unsupported(m);
  }
}

function send(reply: FastifyReply, method: string, r: Reply): FastifyReply {
  reply.code(r.status);
  for (const [k, v] of Object.entries(r.headers ?? {})) reply.header(k, v);
  if (method === 'HEAD') {
    r.stream?.resume();
    if (r.headLength !== undefined) reply.header('content-length', String(r.headLength));
    return reply.send();
  }
  if (r.stream) return reply.send(r.stream);
  if (r.json !== undefined) {
    if (!reply.hasHeader('content-type')) reply.header('content-type', 'application/json');
    return reply.send(Buffer.from(JSON.stringify(r.json)));
  }
  return reply.send();
}

/** Lets a refused request's unread body drain so the connection stays usable. */
function drain(request: FastifyRequest): void {
  if (!request.raw.readableEnded && !request.raw.destroyed) request.raw.resume();
}

/**
 * The OCI Distribution Spec v1.1 registry as a Fastify application (not
 * listening; the caller calls `listen`). Every route under `/v2/` is open:
 * authentication and authorisation are layered on by the caller. Request
 * bodies are never buffered by the framework: blob uploads stream to the
 * blob store, manifests are read up to the spec module's size limit.
 * Every error is answered with the spec's JSON error body.
 */
export function createRegistryApp(options: RegistryAppOptions): FastifyInstance {
  const ctx: RegistryContext = { storage: options.storage, state: options.state };
  const app = Fastify({
    logger: options.logger ?? false,
    exposeHeadRoutes: false,
    routerOptions: { maxParamLength: 2048 },
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => {
    done(null, undefined);
  });

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('docker-distribution-api-version', 'registry/2.0');
    return payload;
  });

  app.setErrorHandler(async (error, request, reply) => {
    drain(request);
    const r = toErrorResponse(error);
    if (r.internal) request.log.error({ err: error }, 'registry request failed');
    reply.code(r.status);
    for (const [k, v] of Object.entries(r.headers)) reply.header(k, v);
    reply.header('content-type', 'application/json');
    return request.method === 'HEAD' ? reply.send() : reply.send(Buffer.from(JSON.stringify(r.body)));
  });

  app.setNotFoundHandler(async (request, reply) => {
    drain(request);
    const e = new RegistryError('NAME_UNKNOWN', 'no registry endpoint at this path', { status: 404 });
    const r = toErrorResponse(e);
    reply.code(r.status);
    return request.method === 'HEAD' ? reply.send() : reply.send(r.body);
  });

  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const url = request.raw.url ?? request.url;
    const q = url.indexOf('?');
    const req: RegistryRequest = {
      method: request.method,
      query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)),
      headers: request.headers,
      body: request.raw,
    };
    const r = await dispatch(ctx, req, url);
    return send(reply, request.method, r);
  };
  app.route({ method: [...METHODS], url: '/v2', handler });
  app.route({ method: [...METHODS], url: '/v2/*', handler });
  return app;
}
