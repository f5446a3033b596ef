/** The OpenAPI 3.1 document of `/api/v1`, generated from the route descriptions. */
import type { ApiRoute, JsonSchema } from './route.js';

const ERROR: JsonSchema = {
  type: 'object',
  required: ['errors'],
  properties: {
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

export function openApiDocument(routes: readonly ApiRoute[], version: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const parameters = [
      ...Object.entries(r.params ?? {}).map(([name, schema]) => ({
        name,
        in: 'path',
        required: true,
        schema,
      })),
      ...Object.entries(r.query ?? {}).map(([name, schema]) => ({
        name,
        in: 'query',
        required: false,
        schema,
      })),
    ];
    const responses: Record<string, unknown> = {};
    for (const [status, schema] of Object.entries(r.responses)) {
      responses[status] =
        schema === null
          ? { description: 'done' }
          : { description: 'success', content: { 'application/json': { schema } } };
    }
    for (const status of ['400', '401', '403', '404']) {
      responses[status] ??= {
        description: status === '401' ? 'not signed in' : status === '403' ? 'not allowed' : 'error',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
    (paths[r.path] ??= {})[r.method.toLowerCase()] = {
      operationId: r.id,
      summary: r.summary,
      description: `Access: ${r.access}.`,
      tags: [r.tag],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(r.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: r.body } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'mamori registry API',
      version,
      description:
        'Projects, repositories, artifacts with their scan results and SBOMs, users, robot accounts, policies, webhooks and the audit log of a mamori registry. Authenticate with HTTP Basic (user or robot credentials) or a Bearer token from the token endpoint.',
    },
    servers: [{ url: '/api/v1' }],
    components: {
      schemas: { Error: ERROR },
      securitySchemes: {
        basic: { type: 'http', scheme: 'basic' },
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      },
    },
    security: [{ basic: [] }, { bearer: [] }, {}],
    paths,
  };
}
