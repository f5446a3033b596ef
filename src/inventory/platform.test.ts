import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isMamoriError } from '../core/index.js';
import { writeMultiPlatformImage } from '../testing/oci-writer.js';
import { inventory } from './inventory.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mamori-platform-'));
  const layer = (name: string) => [
    {
      members: [
        {
          name: `app/node_modules/${name}/package.json`,
          content: JSON.stringify({ name, version: '1.0.0' }),
        },
      ],
    },
  ];
  await writeMultiPlatformImage(dir, 'multi', [
    { platform: { os: 'linux', architecture: 'amd64' }, layers: layer('only-on-amd64') },
    { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, layers: layer('only-on-arm64') },
  ]);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const names = async (platform?: string) =>
  (await inventory(`oci:${dir}:multi`, { cacheDir: false, ...(platform ? { platform } : {}) })).packages.map(
    (p) => p.name,
  );

test('an index with several manifests: --platform picks one', async () => {
  assert.deepEqual(await names('linux/arm64'), ['only-on-arm64']);
  assert.deepEqual(await names('linux/arm64/v8'), ['only-on-arm64']);
  assert.deepEqual(await names('linux/amd64'), ['only-on-amd64']);
});

test('the default is the host platform', async () => {
  const host = process.arch === 'arm64' ? 'only-on-arm64' : 'only-on-amd64';
  assert.deepEqual(await names(), [host]);
});

test('a platform the index does not offer is a clear error naming what it offers', async () => {
  await assert.rejects(
    names('linux/s390x'),
    (e: unknown) =>
      isMamoriError(e, 'NO_MATCHING_PLATFORM') && /linux\/amd64, linux\/arm64\/v8/.test(e.message),
  );
  await assert.rejects(names('linux'), (e: unknown) => isMamoriError(e, 'INVALID_ARGUMENT'));
});
