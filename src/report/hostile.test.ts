/** Renderers given a damaged inventory (as read back from an untrusted JSON file) still write valid documents. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Inventory } from '../inventory/types.js';
import { renderCycloneDx, renderJson, renderSpdx, renderTable } from './index.js';
import { fixedOptions } from './testdata/fixture.js';
import { assertCycloneDxRefs, assertValidCycloneDx, assertValidSpdx } from './testdata/validate.js';

const dup = {
  name: 'dup',
  version: '1',
  type: 'npm',
  purl: 'pkg:npm/dup@1',
  licenses: ['LicenseRef-acme OR MIT'],
  locations: [{ path: '/app/package-lock.json' }],
  foundBy: 'x',
  metadata: { kind: 'npm-package-lock', integrity: 'sha512-notbase64!!' },
};

const raw: unknown = {
  schemaVersion: 1,
  source: {
    ref: 'weird ref',
    transport: 'oci',
    name: 'name with spaces/ÄÖ',
    manifestDigest: 'sha256:../../etc/passwd',
    layers: [{ index: -1, diffId: 7 }, null],
    labels: { a: 1, b: { nested: true } },
  },
  distro: { versionId: 12 },
  packages: [
    { ...dup },
    { ...dup },
    {
      name: '',
      version: '1',
      type: 'npm',
      purl: 'pkg:npm/empty@1',
      licenses: [],
      locations: [],
      metadata: {},
    },
    { name: 42, version: '1', type: 'npm', licenses: [], locations: [], metadata: {} },
    null,
    {
      name: 'junk',
      version: 3,
      type: '',
      purl: 'not a purl',
      licenses: 'MIT',
      locations: 'nowhere',
      foundBy: { x: 1 },
      layer: { index: 'one', diffId: 'sha256:x' },
      ownedBy: { type: 'deb', name: 'missing', version: '0', purl: 'pkg:deb/debian/missing@0' },
      metadata: null,
    },
    {
      name: 'self-owned',
      version: '1',
      type: 'go-module',
      purl: 'pkg:golang/self@1',
      licenses: [null, 7, 'Apache-2.0', '   '],
      locations: [{ path: '/bin/x', layer: { index: 0, diffId: 'sha256:00' } }, { path: 5 }, null],
      ownedBy: { type: 'go-module', name: 'self-owned', version: '1', purl: 'pkg:golang/self@1' },
      metadata: { kind: 'go-buildinfo', goVersion: ['go1'], settings: 'GOOS=linux', replacedBy: { path: 7 } },
    },
    {
      name: 'unknown-kind',
      version: '1',
      type: 'rust-crate',
      purl: 'pkg:cargo/u@1',
      licenses: ['MIT'],
      locations: [],
      metadata: { kind: 'from-the-future', files: 'no' },
    },
  ],
  warnings: [],
};
const inv = raw as Inventory;

test('CycloneDX of a damaged inventory is valid', async () => {
  const json = renderCycloneDx(inv, fixedOptions);
  await assertValidCycloneDx(json);
  assertCycloneDxRefs(json);
  const bom = JSON.parse(json) as { components: { name: string; purl?: string; 'bom-ref': string }[] };
  assert.deepEqual(bom.components.map((c) => c.name).sort(), [
    'dup',
    'dup',
    'junk',
    'self-owned',
    'unknown-kind',
  ]);
  const junk = bom.components.find((c) => c.name === 'junk');
  assert.equal(junk?.purl, undefined);
  assert.match(junk?.['bom-ref'] ?? '', /^mamori:unknown\/junk@\?package-id=[0-9a-f]{16}$/);
  const dups = bom.components.filter((c) => c.name === 'dup');
  assert.notEqual(dups[0]?.['bom-ref'], dups[1]?.['bom-ref']);
});

test('SPDX of a damaged inventory is valid', () => {
  const doc = assertValidSpdx(renderSpdx(inv, fixedOptions));
  assert.equal(doc.packages.filter((p) => p.name === 'dup').length, 2);
  const self = doc.packages.find((p) => p.name === 'self-owned');
  const container = doc.relationships.find((r) => r.relatedSpdxElement === self?.SPDXID);
  assert.notEqual(container?.spdxElementId, self?.SPDXID, 'a package never contains itself');
  assert.equal(doc.packages.find((p) => p.name === 'dup')?.licenseDeclared, 'LicenseRef-acme OR MIT');
});

test('JSON and table of a damaged inventory render', () => {
  assert.ok(renderJson(inv).includes('"junk"'));
  const table = renderTable(inv, { wide: true });
  assert.ok(table.includes('junk'));
  assert.ok(!table.includes('[object'));
});
