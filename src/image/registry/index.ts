/**
 * OCI Distribution registry client: `docker://` references, credentials from
 * the usual places, and a streaming BlobStore for one repository.
 */
export {
  parseDockerReference,
  formatDockerReference,
  registryEndpoint,
  isValidDigest,
  isValidTag,
  DOCKER_HUB,
  DOCKER_HUB_ENDPOINT,
} from './reference.js';
export type { DockerReference } from './reference.js';
export { resolveCredentials, parseCredsFlag, runCredentialHelper } from './credentials.js';
export type { Credentials, CredentialOptions } from './credentials.js';
export { parseWwwAuthenticate, challengeParam } from './challenge.js';
export type { AuthChallenge } from './challenge.js';
export { RegistryClient, openRegistryStore, MANIFEST_ACCEPT } from './client.js';
export { registryStores } from './stores.js';
export type { RegistryStoresOptions } from './stores.js';
export type { RegistryOptions } from './client.js';
