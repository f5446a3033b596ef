/**
 * Scanning an image straight from the registry's storage and state: the
 * result names the repository (no temp path), and a rescan with the layers
 * in the layer cache does not read a single layer blob.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isMamoriError } from '../../core/index.js';
import { openStateStore, type StateStore } from '../state/index.js';
import { createFsBlobStore, type BlobStore } from '../storage/index.js';
import { RegistryImageStore } from './image-store.js';
import { loadManifest } from './manifests.js';
import { scanRegistryImage, type ImageScanOptions } from './scan-image.js';
import { pushLayout, writeDebianLikeImage } from './testing.js';

let dir: string;
let storage: BlobStore;
let state: StateStore;
let digest: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mamori-registry-scan-image-'));
  await writeDebianLikeImage(join(dir, 'layout'), 'v1');
  storage = await createFsBlobStore(join(dir, 'blobs'), { fsync: false });
  state = await openStateStore({ kind: 'sqlite', path: join(dir, 'state.db') });
  digest = await pushLayout(storage, state, 'lib/app', join(dir, 'layout'), 'v1');
});
after(async () => {
  await state.close();
  await rm(dir, { recursive: true, force: true });
});

async function scanIt(options: Partial<ImageScanOptions>) {
  const m = await loadManifest(storage, state, 'lib/app', digest);
  if (m?.kind !== 'image') throw new Error('not an image');
  const store = new RegistryImageStore(storage, state, 'lib/app');
  const result = await scanRegistryImage(store, digest, m.parsed, {
    scanners: ['secret', 'misconfig'],
    cacheDir: false,
    tmpDir: dir,
    ...options,
  });
  return { result, layers: m.parsed.layers.map((l) => l.digest) };
}

const brief = (r: Awaited<ReturnType<typeof scanIt>>['result']) => ({
  packages: r.inventory.packages.map((p) => `${p.name}@${p.version}`).sort(),
  rules: r.ruleFindings.map((f) => `${f.ruleId} ${f.location.path}`).sort(),
});

test('scans straight from storage; a rescan with the layers cached reads no layer blob', async () => {
  const cacheDir = join(dir, 'cache');
  const first = await scanIt({ cacheDir });
  assert.equal(first.result.inventory.source.ref, `lib/app@${digest}`);
  assert.equal(first.result.inventory.source.name, 'lib/app');
  assert.deepEqual(brief(first.result).packages, ['libssl3@3.0.13-1~deb12u1', 'zlib1g@1:1.2.13.dfsg-1']);
  assert.ok(!JSON.stringify(first.result).includes(dir), 'no temp path in the result');

  const uncached = await scanIt({ cacheDir: join(dir, 'other-cache') });
  assert.deepEqual(brief(uncached.result), brief(first.result));

  // Without their blobs, only the cache can give the layers.
  for (const l of first.layers) assert.equal(await storage.delete(l), true);
  const cached = await scanIt({ cacheDir });
  assert.deepEqual(brief(cached.result), brief(first.result));
  await assert.rejects(
    scanIt({ cacheDir: join(dir, 'empty-cache') }),
    (e: unknown) => isMamoriError(e, 'NOT_FOUND') && /missing from storage/.test(e.message),
    'a scan that must read the layers fails on the missing blob: the cached run did not read them',
  );
});
