/** 50,000 synthetic packages: every renderer finishes and writes a valid document (no timing threshold). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LayerRef, Package } from '../core/index.js';
import { purl } from '../core/index.js';
import type { Inventory } from '../inventory/types.js';
import { renderCycloneDx, renderJson, renderSpdx, renderTable } from './index.js';
import { fixedOptions } from './testdata/fixture.js';
import { assertValidSpdx, cycloneDxLargeValidator } from './testdata/validate.js';

const COUNT = 50_000;

function synthetic(): Inventory {
  const layers: LayerRef[] = [0, 1, 2].map((i) => ({ index: i, diffId: `sha256:${String(i).repeat(64)}` }));
  const packages: Package[] = [];
  for (let i = 0; packages.length < COUNT; i++) {
    const layer = layers[i % 3] as LayerRef;
    const deb: Package = {
      name: `lib-${i}`,
      version: `1.${i}-1`,
      type: 'deb',
      purl: purl({
        type: 'deb',
        namespace: 'debian',
        name: `lib-${i}`,
        version: `1.${i}-1`,
        qualifiers: { arch: 'amd64' },
      }),
      licenses: i % 7 === 0 ? ['GPL-2+'] : ['MIT'],
      locations: [{ path: '/var/lib/dpkg/status', layer }],
      foundBy: 'dpkg-db-cataloger',
      layer,
      metadata: {
        kind: 'dpkg',
        source: `src-${i}`,
        sourceVersion: `1.${i}`,
        files: [`/usr/lib/python3/dist-packages/py${i}/METADATA`],
      },
    };
    packages.push(deb);
    if (i % 2 === 0 && packages.length < COUNT) {
      packages.push({
        name: `py${i}`,
        version: '1.0',
        type: 'python',
        purl: purl({ type: 'pypi', name: `py${i}`, version: '1.0' }),
        licenses: ['Apache-2.0 OR MIT'],
        locations: [{ path: `/usr/lib/python3/dist-packages/py${i}/METADATA`, layer }],
        foundBy: 'python-installed-cataloger',
        layer,
        ownedBy: { type: 'deb', name: deb.name, version: deb.version, purl: deb.purl },
        metadata: { kind: 'python-dist-info' },
      });
    }
  }
  return {
    schemaVersion: 1,
    source: {
      ref: 'oci:/tmp/big',
      transport: 'oci',
      name: 'big',
      layers,
      manifestDigest: `sha256:${'a'.repeat(64)}`,
    },
    distro: { id: 'debian', versionId: '12' },
    packages,
    warnings: [],
  };
}

const inv = synthetic();

test('CycloneDX with 50,000 packages is valid', () => {
  const bom = JSON.parse(renderCycloneDx(inv, fixedOptions)) as { components: unknown[] };
  const validate = cycloneDxLargeValidator();
  assert.ok(validate(bom), JSON.stringify(validate.errors)?.slice(0, 4000));
  assert.equal(bom.components.length, COUNT + 1);
});

test('SPDX with 50,000 packages is valid', () => {
  const doc = assertValidSpdx(renderSpdx(inv, fixedOptions));
  assert.equal(doc.packages.length, COUNT + 2);
  assert.equal(doc.relationships.length, COUNT + 2);
  const owned = doc.relationships.filter((r) => r.spdxElementId.startsWith('SPDXRef-Package-deb-'));
  assert.equal(owned.length, inv.packages.filter((p) => p.ownedBy !== undefined).length);
  assert.ok(owned.length > COUNT / 4);
});

test('JSON and table with 50,000 packages', () => {
  assert.equal((JSON.parse(renderJson(inv)) as Inventory).packages.length, COUNT);
  assert.equal(inv.packages.length, COUNT);
  assert.equal(renderTable(inv, { wide: true }).trimEnd().split('\n').length, COUNT + 1);
});
