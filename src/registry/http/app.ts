import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
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
import { ANONYMOUS, emit } from './context.js';
import type { RegistryContext, RegistryRequest, Reply } from './context.js';
import { ChallengeError, holds, needOf, refusal } from './access.js';
import type { Caller, RegistryAuthorizer, RegistryHooks } from './auth.js';
import { toErrorResponse } from './errors.js';
import { listCatalog, listReferrers, listTags } from './listings.js';
import { deleteManifest, getManifest, putManifest } from './manifests.js';
import { routeV2 } from './router.js';

export interface RegistryAppOptions {
  readonly storage: BlobStore;
  readonly state: StateStore;
  /** Access control; without it every route is open. */
  readonly authorizer?: RegistryAuthorizer;
  /** Policy checks and event listeners (see auth.ts). */
  readonly hooks?: RegistryHooks;
  /** Fastify's logger: false (default), true, or pino options. */
  readonly logger?: FastifyServerOptions['logger'];
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

function unsupported(method: string): RegistryError {
  return new RegistryError('UNSUPPORTED', `${method} is not supported on this endpoint`, { status: 405 });
}

/**
 * Checks the caller's rights for the request before any handler runs; with
 * an authoriser, `/v2/` itself wants a signed-in caller (the 401 with the
 * challenge is how clients learn where to get a token).
 */
async function authorize(
  ctx: RegistryContext,
  req: RegistryRequest,
  route: ReturnType<typeof routeV2>,
): Promise<void> {
  const { authorizer } = ctx;
  if (!authorizer) return;
  const need = needOf(route, req.method);
  const deny = (e: Error, reason: string): Error => {
    emit(ctx, {
      type: 'denied',
      caller: req.caller,
      remote: req.remote,
      ...(need ? { repository: need.repository } : {}),
      actions: need?.actions ?? [],
      reason,
    });
    return e;
  };
  if (route.kind === 'base') {
    if (req.caller.anonymous) throw deny(new ChallengeError(authorizer.challenge()), 'unauthenticated');
    return;
  }
  if (!need) return;
  if (!(await holds(authorizer, req.caller, need))) {
    throw deny(refusal(authorizer, req.caller, need), req.caller.anonymous ? 'unauthenticated' : 'forbidden');
  }
  if (route.kind === 'upload-start') {
    // A mount from a repository the caller may not read becomes a plain upload (the spec's fallback).
    const from = req.query.get('from');
    if (from !== null && req.query.has('mount')) {
      const ok = await holds(authorizer, req.caller, { repository: from, actions: ['pull'] }).catch(
        () => false,
      );
      if (!ok) {
        req.query.delete('mount');
        req.query.delete('from');
      }
    }
  }
}

/** Dispatches one `/v2/…` request to its handler. */
async function dispatch(ctx: RegistryContext, req: RegistryRequest, url: string): Promise<Reply> {
  const route = routeV2(url);
  await authorize(ctx, req, route);
  const m = req.method;
  const read = m === 'GET' || m === 'HEAD';
  if (
    (route.kind === 'upload-start' || (route.kind === 'manifest' && m === 'PUT')) &&
    ctx.hooks.preparePush
  ) {
    await ctx.hooks.preparePush(req.caller, route.name);
  }
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
      if (m === 'DELETE') return deleteBlob(ctx, req, route.name, route.digest);
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
      if (m === 'DELETE') return deleteManifest(ctx, req, route.name, route.reference);
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
  if (r.body) return reply.send(r.body);
  if (r.json !== undefined) {
    if (!reply.hasHeader('content-type')) reply.header('content-type', 'application/json');
    return reply.send(Buffer.from(JSON.stringify(r.json)));
  }
  return reply.send();
}

function authorizerOf(ctx: RegistryContext): RegistryAuthorizer {
  if (!ctx.authorizer) throw new RegistryError('UNAUTHORIZED');
  return ctx.authorizer;
}

/**
 * Lets a refused request's unread body drain so the connection stays
 * usable; when the body was cut off (a failed upload destroys its stream),
 * the reply says `Connection: close` so the client does not send its next
 * request down a socket that is about to close.
 */
function drain(request: FastifyRequest, reply: FastifyReply): void {
  if (!request.raw.readableEnded && !request.raw.destroyed) request.raw.resume();
  if (!request.raw.complete) reply.header('connection', 'close');
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
  const ctx: RegistryContext = {
    storage: options.storage,
    state: options.state,
    ...(options.authorizer ? { authorizer: options.authorizer } : {}),
    hooks: options.hooks ?? {},
  };
  const app = Fastify({
    logger: options.logger ?? false,
    exposeHeadRoutes: false,
    routerOptions: { maxParamLength: 2048 },
    // A JSON body with a field the schema does not know is refused, not silently trimmed.
    ajv: { customOptions: { removeAdditional: false } },
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
    drain(request, reply);
    const r = toErrorResponse(error);
    if (r.internal) request.log.error({ err: error }, 'registry request failed');
    reply.code(r.status);
    for (const [k, v] of Object.entries(r.headers)) reply.header(k, v);
    reply.header('content-type', 'application/json');
    return request.method === 'HEAD' ? reply.send() : reply.send(Buffer.from(JSON.stringify(r.body)));
  });

  app.setNotFoundHandler(async (request, reply) => {
    drain(request, reply);
    const e = new RegistryError('NAME_UNKNOWN', 'no registry endpoint at this path', { status: 404 });
    const r = toErrorResponse(e);
    reply.code(r.status);
    return request.method === 'HEAD' ? reply.send() : reply.send(r.body);
  });

  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const url = request.raw.url ?? request.url;
    const q = url.indexOf('?');
    const remote = request.raw.socket.remoteAddress ?? '';
    const caller: Caller = ctx.authorizer
      ? await ctx.authorizer.authenticate(request.headers, remote).catch((e: unknown) => {
          emit(ctx, {
            type: 'denied',
            caller: ANONYMOUS,
            remote,
            actions: [],
            reason: 'bad credentials',
          });
          throw e instanceof ChallengeError || !(e instanceof RegistryError) || e.code !== 'UNAUTHORIZED'
            ? e
            : new ChallengeError(authorizerOf(ctx).challenge(), e.message);
        })
      : ANONYMOUS;
    const req: RegistryRequest = {
      method: request.method,
      query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)),
      headers: request.headers,
      body: request.raw,
      caller,
      remote,
    };
    const r = await dispatch(ctx, req, url);
    return send(reply, request.method, r);
  };
  app.route({ method: [...METHODS], url: '/v2', handler });
  app.route({ method: [...METHODS], url: '/v2/*', handler });
  return app;
}
