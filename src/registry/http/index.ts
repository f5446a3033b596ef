/**
 * The registry's HTTP layer: OCI Distribution Spec v1.1 endpoints (blobs,
 * uploads, manifests, tags, catalog, referrers) as a Fastify application
 * over a BlobStore and a StateStore.
 */
export { createRegistryApp } from './app.js';
export type { RegistryAppOptions } from './app.js';
export { routeV2, MAX_V2_PATH_LENGTH } from './router.js';
export type { V2Route } from './router.js';
export { toErrorResponse, uploadRange } from './errors.js';
export type { ErrorResponse } from './errors.js';
export { parseRangeHeader } from './blobs.js';
export { PAGE_LIMIT, referrerDescriptor, visibleRepositories } from './listings.js';
export type { Caller, RegistryAuthorizer, RegistryEvent, RegistryHooks, RepositoryAction } from './auth.js';
export { ANONYMOUS } from './context.js';
