import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isMamoriError } from '../core/index.js';
import type { Inventory } from '../inventory/types.js';
import { renderJson } from './index.js';
import { fixtureInventory } from './testdata/fixture.js';

describe('renderJson', () => {
  test('is the inventory as is', () => {
    assert.deepEqual(JSON.parse(renderJson(fixtureInventory)), JSON.parse(JSON.stringify(fixtureInventory)));
  });

  test('schemaVersion leads; key order does not depend on how the value was built', () => {
    const out = renderJson(fixtureInventory);
    assert.ok(out.startsWith('{\n  "schemaVersion": 1,\n  "source": {'));
    const shuffled = JSON.parse(JSON.stringify(fixtureInventory), (_k, v: unknown) =>
      typeof v === 'object' && v !== null && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).reverse())
        : v,
    ) as Inventory;
    assert.notEqual(JSON.stringify(shuffled), JSON.stringify(fixtureInventory));
    assert.equal(renderJson(shuffled), out);
  });

  test('package keys: name, version, type, purl first, then alphabetical', () => {
    const first = (JSON.parse(renderJson(fixtureInventory)) as { packages: object[] }).packages[0] ?? {};
    assert.deepEqual(Object.keys(first), [
      'name',
      'version',
      'type',
      'purl',
      'foundBy',
      'layer',
      'licenses',
      'locations',
      'metadata',
    ]);
  });

  test('a "__proto__" key is kept as data', () => {
    const inv = JSON.parse(
      '{"schemaVersion":1,"source":{"ref":"x","transport":"dir","name":"x","layers":[],"labels":{"__proto__":"v"}},"packages":[],"warnings":[]}',
    ) as Inventory;
    const labels = (JSON.parse(renderJson(inv)) as { source: { labels: object } }).source.labels;
    assert.deepEqual(Object.getOwnPropertyNames(labels), ['__proto__']);
  });

  test('refuses hostile nesting and a wrong schema version with MamoriError', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 200; i++) deep = { d: deep };
    const inv = {
      ...fixtureInventory,
      source: { ...fixtureInventory.source, labels: deep },
    } as unknown as Inventory;
    assert.throws(
      () => renderJson(inv),
      (e) => isMamoriError(e, 'LIMIT_EXCEEDED'),
    );
    const v2 = { ...fixtureInventory, schemaVersion: 2 } as unknown as Inventory;
    assert.throws(
      () => renderJson(v2),
      (e) => isMamoriError(e, 'INVALID_ARGUMENT'),
    );
  });
});
