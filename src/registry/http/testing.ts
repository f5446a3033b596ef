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
