/** 50,000 components: mamori's own CycloneDX and SPDX of a generated inventory read back whole (no timing threshold). */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { purl, type LayerRef, type Package } from '../core/index.js';
import type { Inventory } from '../inventory/index.js';
import { renderCycloneDx, renderSpdx } from '../report/index.js';
import { readSbomFile } from './index.js';

const COUNT = 50_000;

function generated(): Inventory {
  const layers: LayerRef[] = [0, 1].map((i) => ({ index: i, diffId: `sha256:${String(i + 7).repeat(64)}` }));
  const packages: Package[] = [];
  for (let i = 0; packages.length < COUNT; i++) {
    const layer = layers[i % 2] as LayerRef;
    const version = `1.${i}-1`;
    const deb: Package = {
      name: `lib${i}`,
      version,
      type: 'deb',
      purl: purl({
        type: 'deb',
        namespace: 'debian',
        name: `lib${i}`,
        version,
        qualifiers: { arch: 'amd64', distro: 'debian-12', upstream: `src${i}@1.${i}` },
      }),
      licenses: ['MIT'],
      locations: [{ path: '/var/lib/dpkg/status', layer }],
      foundBy: 'dpkg',
      layer,
      metadata: { kind: 'dpkg', source: `src${i}`, sourceVersion: `1.${i}`, files: [] },
    };
    packages.push(deb);
    if (packages.length < COUNT) {
      packages.push({
        name: `py${i}`,
        version: '2.0',
        type: 'python',
        purl: purl({ type: 'pypi', name: `py${i}`, version: '2.0' }),
        licenses: [],
        locations: [{ path: `/usr/lib/python3/dist-packages/py${i}-2.0.dist-info/METADATA`, layer }],
        foundBy: 'python',
        layer,
        ...(i % 2 === 0 ? { ownedBy: { type: 'deb', name: deb.name, version, purl: deb.purl } } : {}),
        metadata: { kind: 'python-dist-info' },
      });
    }
  }
  return {
    schemaVersion: 1,
    source: { ref: 'oci:/tmp/big', transport: 'oci', name: 'big', layers },
    distro: { id: 'debian', versionId: '12' },
    packages,
    warnings: [],
  };
}

describe(`an SBOM of ${COUNT} components`, { timeout: 10 * 60 * 1000 }, () => {
  let dir: string;
  let inv: Inventory;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mamori-sbomfile-large-'));
    inv = generated();
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  for (const [format, render] of [
    ['CycloneDX', renderCycloneDx],
    ['SPDX', renderSpdx],
  ] as const) {
    test(`${format} is read back whole`, async () => {
      const file = join(dir, `big.${format}.json`);
      await writeFile(file, render(inv));
      const back = await readSbomFile(file);
      assert.deepEqual(back.warnings, []);
      assert.equal(back.packages.length, COUNT);
      assert.deepEqual(back.distro?.id, 'debian');
      const byPurl = new Map(back.packages.map((p) => [p.purl, p]));
      assert.equal(byPurl.size, COUNT);
      for (const i of [0, 1, 4_321, 24_998]) {
        const d = byPurl.get(inv.packages[2 * i]?.purl as string);
        assert.deepEqual(d?.metadata, {
          kind: 'dpkg',
          source: `src${i}`,
          sourceVersion: `1.${i}`,
          architecture: 'amd64',
          files: [],
        });
        const py = byPurl.get(inv.packages[2 * i + 1]?.purl as string);
        assert.equal(py?.ownedBy?.name, i % 2 === 0 ? `lib${i}` : undefined);
      }
      assert.equal(back.packages.filter((p) => p.ownedBy !== undefined).length, COUNT / 4);
    });
  }
});
