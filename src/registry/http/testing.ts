import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createFsBlobStore } from '../storage/index.js';
import { openStateStore } from '../state/index.js';
import { createRegistryApp } from './app.js';

/** A registry listening on 127.0.0.1 at a random port over a fresh temp dir (tests only). */
export interface TestRegistry {
  readonly app: FastifyInstance;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `127.0.0.1:PORT` */
  readonly host: string;
  readonly dir: string;
  close(): Promise<void>;
}

export async function startTestRegistry(): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-registry-http-'));
  const storage = await createFsBlobStore(join(dir, 'blobs'), { fsync: false });
  const state = await openStateStore({ kind: 'sqlite', path: join(dir, 'state.db') });
  const app = createRegistryApp({ storage, state });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('registry did not bind a TCP port');
  const host = `127.0.0.1:${address.port}`;
  return {
    app,
    url: `http://${host}`,
    host,
    dir,
    async close() {
      await app.close();
      await state.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `sha256:<hex>` of bytes (tests only). */
export function sha256Of(b: Buffer | string): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

/** The bytes of an OCI image manifest listing `config` and `layers` (tests only). */
export function ociImageManifest(
  config: Buffer,
  layers: readonly Buffer[],
  extra: Readonly<Record<string, unknown>> = {},
): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: sha256Of(config),
        size: config.length,
      },
      layers: layers.map((l) => ({
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest: sha256Of(l),
        size: l.length,
      })),
      ...extra,
    }),
  );
}
