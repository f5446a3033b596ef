/**
 * End to end on a real image: the Debian 12 image the inventory tests build
 * from Debian's packages (mmdebstrap + umoci, cached), inventoried by mamori
 * and rendered in every format; the SBOMs must validate against the official
 * schemas and carry every package and every ownership.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { inventory, type Inventory } from '../inventory/index.js';
import { debianImage } from '../testing/images.js';
import { renderCycloneDx, renderJson, renderSpdx, renderTable } from './index.js';
import { assertCycloneDxRefs, assertValidCycloneDx, assertValidSpdx } from './testdata/validate.js';

describe('SBOMs of a real Debian 12 image', { timeout: 30 * 60 * 1000 }, () => {
  let inv: Inventory;
  let cacheDir: string;

  before(async () => {
    const img = await debianImage();
    cacheDir = await mkdtemp(join(tmpdir(), 'mamori-report-cache-'));
    inv = await inventory(`oci:${img.layout}:${img.tag}`, { cacheDir });
    assert.ok(inv.packages.length > 100, `expected a real inventory, got ${inv.packages.length} packages`);
  });
  after(async () => {
    if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
  });

  test('CycloneDX is valid and lists every package with its occurrences', async () => {
    const json = renderCycloneDx(inv);
    await assertValidCycloneDx(json);
    assertCycloneDxRefs(json);
    const bom = JSON.parse(json) as {
      components: { type: string; evidence?: { occurrences?: unknown[] } }[];
    };
    const libs = bom.components.filter((c) => c.type === 'library');
    assert.equal(libs.length, inv.packages.length);
    assert.equal(bom.components.filter((c) => c.type === 'operating-system').length, 1);
    assert.ok(libs.every((c) => (c.evidence?.occurrences?.length ?? 0) > 0));
  });

  test('SPDX is valid; each package has one container, owned packages their OS package', () => {
    const doc = assertValidSpdx(renderSpdx(inv));
    const byId = new Map(doc.packages.map((p) => [p.SPDXID, p]));
    const contains = doc.relationships.filter((r) => r.relationshipType === 'CONTAINS');
    const owned = inv.packages.filter((p) => p.ownedBy !== undefined);
    assert.ok(owned.length > 0, 'the image has Python and Go packages owned by debs');
    const ownedEdges = contains.filter((r) => r.spdxElementId.startsWith('SPDXRef-Package-'));
    assert.equal(ownedEdges.length, owned.length);
    for (const r of ownedEdges)
      assert.ok(byId.get(r.spdxElementId)?.SPDXID.startsWith('SPDXRef-Package-deb-'));
    const targets = contains.map((r) => r.relatedSpdxElement);
    assert.equal(new Set(targets).size, targets.length, 'no package is contained twice');
    assert.equal(doc.packages.length, inv.packages.length + 2);
  });

  test('JSON round-trips and the table has a row per package', () => {
    assert.deepEqual(JSON.parse(renderJson(inv)), JSON.parse(JSON.stringify(inv)));
    assert.equal(renderTable(inv).trimEnd().split('\n').length, inv.packages.length + 1);
  });
});
