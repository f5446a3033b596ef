/**
 * One REST endpoint, described once: the router registers it with request
 * validation from its JSON schemas, and the OpenAPI document is generated
 * from the same description, so the two cannot drift apart.
 */
import type { Caller, RegistryAuthorizer, RepositoryAction } from '../http/index.js';
import { parseRepositoryName } from '../spec/index.js';

/** A JSON Schema (draft 2020-12 subset that both Fastify's validator and OpenAPI 3.1 understand). */
export type JsonSchema = Readonly<Record<string, unknown>>;

export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a handler gets: the caller, validated parameters, query and body. */
export interface ApiRequest {
  readonly caller: Caller;
  readonly remote: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
}

/** A handler's answer. A `stream` body is sent as is with `contentType`. */
export interface ApiReply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly stream?: NodeJS.ReadableStream;
  readonly contentType?: string;
}

export interface ApiRoute {
  readonly method: ApiMethod;
  /** Path under `/api/v1`, OpenAPI style: `/projects/{project}/members`. */
  readonly path: string;
  /** OpenAPI operationId. */
  readonly id: string;
  readonly summary: string;
  /** OpenAPI tag (group). */
  readonly tag: string;
  /** Who may call it, for the document (the handler enforces it). */
  readonly access: string;
  readonly params?: Readonly<Record<string, JsonSchema>>;
  readonly query?: Readonly<Record<string, JsonSchema>>;
  readonly body?: JsonSchema;
  /** Success status → response schema (`null` for no body). */
  readonly responses: Readonly<Record<number, JsonSchema | null>>;
  handler(req: ApiRequest): Promise<ApiReply>;
}

/** An API error: a status and the registry-style `{errors:[{code,message}]}` body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (what: string): ApiError => new ApiError(404, 'NOT_FOUND', `${what} not found`);
export const forbidden = (message = 'you may not do this'): ApiError => new ApiError(403, 'DENIED', message);
export const badRequest = (message: string): ApiError => new ApiError(400, 'INVALID', message);
export const conflict = (message: string): ApiError => new ApiError(409, 'CONFLICT', message);

/** Common schemas. */
export const S = {
  string: { type: 'string', maxLength: 1024 },
  name: { type: 'string', minLength: 1, maxLength: 255 },
  digest: { type: 'string', pattern: '^sha(256:[a-f0-9]{64}|512:[a-f0-9]{128})$' },
  time: { type: 'string', format: 'date-time' },
  bool: { type: 'boolean' },
  limit: { type: 'integer', minimum: 1, maximum: 1000 },
  cursor: { type: 'string', maxLength: 512 },
  ok: null,
} as const;

/** `{ items, next? }`: one page of a list; `next` is the cursor for the following page. */
export function pageOf(item: JsonSchema): JsonSchema {
  return {
    type: 'object',
    required: ['items'],
    properties: { items: { type: 'array', items: item }, next: { type: 'string' } },
  };
}

/** A path or query value as a string ('' when absent: the schemas already required it). */
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Refuses anonymous callers with 401 (the app adds the Bearer challenge). */
export function signedIn(caller: Caller): void {
  if (caller.anonymous) throw new ApiError(401, 'UNAUTHORIZED', 'authentication required');
}

/**
 * The validated repository name when the caller may do `action` on it;
 * else 404 for anonymous callers and 403 for the others — the same answer
 * whether or not the repository exists.
 */
export async function requireRepositoryAction(
  authorizer: RegistryAuthorizer,
  caller: Caller,
  repository: string,
  action: RepositoryAction,
): Promise<string> {
  const name = parseRepositoryName(repository);
  if (!(await authorizer.permitted(caller, name, [action])).has(action)) {
    if (caller.anonymous) throw notFound(`repository ${name}`);
    throw forbidden(`you may not ${action} ${name}`);
  }
  return name;
}
