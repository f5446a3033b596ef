/**
 * Mounts the REST API under `/api/v1` in the registry's Fastify app: JSON
 * bodies (at most 1 MiB) validated against each route's schema, the caller
 * established by the same authoriser as the Distribution routes, errors as
 * `{errors:[{code,message}]}` with no stack traces, and the OpenAPI document
 * at `/api/v1/openapi.json`.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MamoriError } from '../../core/index.js';
import { ANONYMOUS, type RegistryAuthorizer } from '../http/index.js';
import { RegistryError } from '../spec/index.js';
import { openApiDocument } from './openapi.js';
import { ApiError, type ApiReply, type ApiRoute } from './route.js';

export const API_PREFIX = '/api/v1';
const MAX_BODY = 1024 * 1024;

export interface ApiOptions {
  readonly routes: readonly ApiRoute[];
  /** Establishes the caller; without it every caller is anonymous. */
  readonly authorizer?: RegistryAuthorizer;
  /** Version shown in the OpenAPI document. */
  readonly version: string;
}

interface ErrorBody {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly headers?: Record<string, string>;
}

function errorOf(e: unknown, authorizer: RegistryAuthorizer | undefined): ErrorBody {
  if (e instanceof ApiError) {
    return {
      status: e.status,
      code: e.code,
      message: e.message,
      ...(e.status === 401 && authorizer ? { headers: { 'www-authenticate': authorizer.challenge() } } : {}),
    };
  }
  if (e instanceof RegistryError) {
    return {
      status: e.status,
      code: e.code,
      message: e.message,
      ...(e.status === 401 && authorizer ? { headers: { 'www-authenticate': authorizer.challenge() } } : {}),
    };
  }
  if (e instanceof MamoriError) {
    if (e.code === 'INVALID_ARGUMENT' || e.code === 'LIMIT_EXCEEDED') {
      return { status: 400, code: 'INVALID', message: e.message };
    }
    if (e.code === 'NOT_FOUND') return { status: 404, code: 'NOT_FOUND', message: e.message };
    if (e.code === 'DENIED') return { status: 403, code: 'DENIED', message: e.message };
    if (e.code === 'UNAUTHORIZED') return { status: 401, code: 'UNAUTHORIZED', message: e.message };
  }
  const fe = e as Partial<FastifyError>;
  if (fe.validation) return { status: 400, code: 'INVALID', message: fe.message ?? 'invalid request' };
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, code: 'INVALID', message: fe.message ?? 'bad request' };
  }
  return { status: 500, code: 'UNKNOWN', message: 'internal server error' };
}

function send(reply: FastifyReply, r: ApiReply): FastifyReply {
  reply.code(r.status);
  for (const [k, v] of Object.entries(r.headers ?? {})) reply.header(k, v);
  if (r.stream) {
    reply.header('content-type', r.contentType ?? 'application/octet-stream');
    return reply.send(r.stream);
  }
  if (r.body === undefined) return reply.send();
  reply.header('content-type', 'application/json; charset=utf-8');
  return reply.send(JSON.stringify(r.body));
}

/** `/projects/{project}` → `/projects/:project` */
function fastifyPath(path: string): string {
  return path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
}

/** Parameters as one object schema; unknown query parameters are ignored, unknown path parameters cannot occur. */
function objectSchema(
  props: Readonly<Record<string, unknown>> | undefined,
  required: boolean,
  open = false,
): unknown {
  if (!props) return undefined;
  return {
    type: 'object',
    properties: props,
    ...(required ? { required: Object.keys(props) } : {}),
    additionalProperties: open,
  };
}

export async function registerApi(app: FastifyInstance, options: ApiOptions): Promise<void> {
  const { authorizer } = options;
  const document = openApiDocument(options.routes, options.version);
  await app.register(
    async (api) => {
      api.addContentTypeParser(
        'application/json',
        { parseAs: 'string', bodyLimit: MAX_BODY },
        (_req: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
          const text = typeof body === 'string' ? body : body.toString('utf8');
          if (text.trim() === '') return done(null, undefined);
          try {
            done(null, JSON.parse(text));
          } catch {
            done(new ApiError(400, 'INVALID', 'the request body is not valid JSON'));
          }
        },
      );
      api.setErrorHandler(async (error, request, reply) => {
        const e = errorOf(error, authorizer);
        if (e.status >= 500) request.log.error({ err: error }, 'API request failed');
        for (const [k, v] of Object.entries(e.headers ?? {})) reply.header(k, v);
        reply.code(e.status).header('content-type', 'application/json; charset=utf-8');
        return reply.send(JSON.stringify({ errors: [{ code: e.code, message: e.message }] }));
      });
      api.setNotFoundHandler(async (_request, reply) =>
        reply
          .code(404)
          .header('content-type', 'application/json; charset=utf-8')
          .send(JSON.stringify({ errors: [{ code: 'NOT_FOUND', message: 'no API endpoint at this path' }] })),
      );
      api.get('/openapi.json', async (_req, reply) => reply.send(document));
      for (const route of options.routes) {
        api.route({
          method: route.method,
          url: fastifyPath(route.path),
          schema: {
            ...(route.params ? { params: objectSchema(route.params, true) } : {}),
            ...(route.query ? { querystring: objectSchema(route.query, false, true) } : {}),
            ...(route.body ? { body: route.body } : {}),
          },
          handler: async (request, reply) => {
            const remote = request.raw.socket.remoteAddress ?? '';
            const caller = authorizer ? await authorizer.authenticate(request.headers, remote) : ANONYMOUS;
            const r = await route.handler({
              caller,
              remote,
              params: (request.params ?? {}) as Record<string, string>,
              query: (request.query ?? {}) as Record<string, unknown>,
              body: request.body,
            });
            return send(reply, r);
          },
        });
      }
    },
    { prefix: API_PREFIX },
  );
}
