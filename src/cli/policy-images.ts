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
import { type Credentials, registryStores, resolveCredentials } from '../image/registry/index.js';
import { apiPath, callApi, type ApiTarget } from './api-client.js';

export interface PolicyImageOptions {
  /** Registries reached over plain HTTP or with unverified TLS (`localhost:5000`). */
  readonly insecureRegistries: readonly string[];
  /** A mamori server whose scan results count (`https://registry.example.com`). */
  readonly mamoriServer?: string;
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
  const accessOf = (registry: string): ImageAccess => {
    const host = registry.toLowerCase();
    const target = mamori?.host === host ? mamori.target : undefined;
    // The mamori server's own images are read with the same account as its API.
    const fallback: Credentials | undefined =
      target?.username !== undefined
        ? { username: target.username, password: target.password ?? '', source: 'MAMORI_USERNAME' }
        : undefined;
    return {
      store: registryStores(registry, {
        credentials: async (repository) =>
          (await resolveCredentials(registry, { repository, env: process.env, homeDir: homedir() }).catch(
            () => undefined,
          )) ?? fallback,
        client: { ...(insecure.has(host) ? { insecure: true } : {}), retries: 1 },
      }),
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
  };
  // One access (and so one client per repository) per registry for the whole run.
  const accesses = new Map<string, ImageAccess>();
  return createImageResolver({
    access(registry) {
      const key = registry.toLowerCase();
      let a = accesses.get(key);
      if (!a) {
        a = accessOf(registry);
        accesses.set(key, a);
      }
      return a;
    },
  });
}
