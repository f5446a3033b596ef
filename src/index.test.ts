import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeOciImage } from './testing/oci-writer.js';
import * as mamori from './index.js';

test('the package root exposes the library API, and package.json exports it', async () => {
  for (const name of [
    'inventory',
    'selectCatalogers',
    'parseReference',
    'renderCycloneDx',
    'renderSpdx',
    'MamoriError',
  ]) {
    assert.equal(typeof (mamori as Record<string, unknown>)[name], 'function', name);
  }
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
    exports: Record<string, { import: string; types: string }>;
    bin: Record<string, string>;
  };
  assert.equal(pkg.exports['.']?.import, './dist/index.js');
  assert.equal(pkg.bin.mamori, 'dist/cli/bin.js');
});

test('inventory(ref, options) returns typed packages', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-api-'));
  try {
    const img = await writeOciImage(dir, 'v1', [
      {
        members: [
          {
            name: 'app/node_modules/ms/package.json',
            content: JSON.stringify({ name: 'ms', version: '2.1.3', license: 'MIT' }),
          },
        ],
      },
    ]);
    const inv = await mamori.inventory(`oci:${img.dir}:v1`, { cacheDir: false });
    const [p] = inv.packages;
    assert.equal(p?.purl, 'pkg:npm/ms@2.1.3');
    assert.deepEqual(p?.licenses, ['MIT']);
    assert.equal(p?.layer?.diffId, img.diffIds[0]);
    assert.equal(p?.locations[0]?.path, '/app/node_modules/ms/package.json');
    assert.equal(p?.metadata.kind, 'npm-package-json');
    assert.equal(inv.source.manifestDigest, img.manifestDigest);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
