/**
 * Registry stores for many repositories of one registry, made on first use:
 * credentials are looked up when a repository is first read (never at
 * start-up), each repository's client is reused (one ping and one token per
 * repository, not per look-up), and at most `max` clients stay open — the
 * least recently used is closed.
 */
import type { BlobStore } from '../types.js';
import { RegistryClient, type RegistryOptions } from './client.js';
import type { Credentials } from './credentials.js';

export interface RegistryStoresOptions {
  /** Credentials for a repository, looked up on its first read; undefined: anonymous. */
  readonly credentials: (repository: string) => Promise<Credentials | undefined>;
  readonly client?: Omit<RegistryOptions, 'credentials'>;
  /** Most clients kept open (default 64). */
  readonly max?: number;
}

export function registryStores(
  registry: string,
  o: RegistryStoresOptions,
): (repository: string) => BlobStore {
  const max = o.max ?? 64;
  const clients = new Map<string, Promise<RegistryClient>>();
  const client = (repository: string): Promise<RegistryClient> => {
    let c = clients.get(repository);
    if (c) {
      clients.delete(repository);
    } else {
      c = o
        .credentials(repository)
        .catch(() => undefined)
        .then(
          (credentials) =>
            new RegistryClient(
              { registry, repository },
              { ...o.client, ...(credentials ? { credentials } : {}) },
            ),
        );
      const made = c;
      made.catch(() => {
        if (clients.get(repository) === made) clients.delete(repository);
      });
    }
    clients.set(repository, c);
    for (const [name, old] of clients) {
      if (clients.size <= max) break;
      clients.delete(name);
      void old.then((x) => x.close()).catch(() => undefined);
    }
    return c;
  };
  return (repository) => ({
    name: `docker://${registry}/${repository}`,
    fetchManifest: async (reference, maxBytes) =>
      (await client(repository)).fetchManifest(reference, maxBytes),
    openBlob: async (digest, size) => (await client(repository)).openBlob(digest, size),
    // The client is shared and outlives this view; the cap closes it.
    close: async () => undefined,
  });
}
