/**
 * The registry process: storage and state under one data directory, the OCI
 * endpoints, health probes (`/healthz`, `/readyz`), HTTP or HTTPS.
 */
export { startRegistryServer } from './server.js';
export type { RegistryServer, RegistryServerOptions } from './server.js';
export { DEFAULT_LISTEN, parseListen } from './config.js';
export type { ListenAddress } from './config.js';
