/**
 * The registry's REST API under `/api/v1` (projects, members, users,
 * robots, repositories and artifacts with scan results, policies,
 * webhooks, the audit log, garbage collection), each endpoint described
 * once: Fastify validates requests against the description and the OpenAPI
 * 3.1 document at `/api/v1/openapi.json` is generated from it.
 */
export { API_PREFIX, registerApi } from './app.js';
export type { ApiOptions } from './app.js';
export { accessRoutes } from './access.js';
export type { AccessServices } from './access.js';
export { adminRoutes } from './admin.js';
export type { AdminServices, Housekeeping } from './admin.js';
export { repositoryRoutes } from './repositories.js';
export type { RepositoryServices } from './repositories.js';
export { openApiDocument } from './openapi.js';
export { ApiError } from './route.js';
export type { ApiReply, ApiRequest, ApiRoute, JsonSchema } from './route.js';
