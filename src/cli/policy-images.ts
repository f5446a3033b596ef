/**
 * Image look-ups for `mamori policy test`, so that scan and signature rules
 * give the webhook's verdicts in CI: digests and signatures straight from
 * each image's registry (credentials from the Docker config and credential
 * helpers, as `mamori scan` finds them), scan results from a mamori
 * server's API for the images it holds (`--mamori-server`, signing in with
 * MAMORI_USERNAME / MAMORI_PASSWORD — the same account reads its images
 * when the Docker config has none for it).
 */
import { homedir } from 'node:os';
import {
  createImageResolver,
  type CachingImageResolver,
  type ImageAccess,
  scanFactsOf,
} from '../admission/resolve/index.js';
import { type Credentials, RegistryClient, resolveCredentials } from '../image/registry/index.js';
import type { BlobStore } from '../image/types.js';
import { apiPath, callApi, type ApiTarget } from './api-client.js';

export interface PolicyImageOptions {
  /** Registries reached over plain HTTP or with unverified TLS (`localhost:5000`). */
  readonly insecureRegistries: readonly string[];
  /** A mamori server whose scan results count (`https://registry.example.com`). */
  readonly mamoriServer?: string;
}

/** A registry client made on first use (credentials are looked up then). */
function lazyStore(
  registry: string,
  repository: string,
  insecure: boolean,
  fallback: Credentials | undefined,
): BlobStore {
  let client: Promise<RegistryClient> | undefined;
  const get = (): Promise<RegistryClient> =>
    (client ??= resolveCredentials(registry, { repository, env: process.env, homeDir: homedir() })
      .catch(() => undefined)
      .then((found) => found ?? fallback)
      .then(
        (credentials) =>
          new RegistryClient(
            { registry, repository },
            { ...(credentials ? { credentials } : {}), ...(insecure ? { insecure: true } : {}), retries: 1 },
          ),
      ));
  return {
    name: `docker://${registry}/${repository}`,
    fetchManifest: async (reference, maxBytes) => (await get()).fetchManifest(reference, maxBytes),
    openBlob: async (digest, size) => (await get()).openBlob(digest, size),
    close: async () => {
      if (client) await (await client).close();
    },
  };
}

export function policyImageResolver(o: PolicyImageOptions): CachingImageResolver {
  const insecure = new Set(o.insecureRegistries.map((h) => h.toLowerCase()));
  let mamori: { host: string; target: ApiTarget } | undefined;
  if (o.mamoriServer !== undefined) {
    const username = process.env.MAMORI_USERNAME || undefined;
    const password = process.env.MAMORI_PASSWORD;
    mamori = {
      host: new URL(o.mamoriServer).host.toLowerCase(),
      target: {
        server: o.mamoriServer,
        ...(username !== undefined ? { username } : {}),
        ...(password !== undefined ? { password } : {}),
      },
    };
  }
  return createImageResolver({
    access(registry): ImageAccess {
      const host = registry.toLowerCase();
      const target = mamori?.host === host ? mamori.target : undefined;
      return {
        // The mamori server's own images are read with the same account as its API.
        store: (repository) =>
          lazyStore(
            registry,
            repository,
            insecure.has(host),
            target?.username !== undefined
              ? { username: target.username, password: target.password ?? '', source: 'MAMORI_USERNAME' }
              : undefined,
          ),
        ...(target
          ? {
              scan: async (repository, digest) => {
                const artifact = (await callApi(
                  target,
                  'GET',
                  apiPath('/repositories/{repository}/artifacts/{digest}', { repository, digest }),
                )) as { scan?: unknown } | undefined;
                return artifact?.scan === undefined ? { status: 'unscanned' } : scanFactsOf(artifact.scan);
              },
            }
          : {}),
      };
    },
  });
}
