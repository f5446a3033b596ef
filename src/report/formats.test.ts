import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { test } from 'node:test';
import { formatNames, formats, isFormatName, type FormatName } from './index.js';
import { fixedOptions, fixtureInventory } from './testdata/fixture.js';

// Adding a format means adding it here, to the registry and a golden file: this list is the contract.
const expected: readonly FormatName[] = ['cyclonedx', 'spdx', 'json', 'table'];

test('the registry holds exactly the known formats, each under its own name', () => {
  assert.deepEqual([...formatNames].sort(), [...expected].sort());
  for (const name of formatNames) {
    const f = formats[name];
    assert.equal(f.name, name);
    assert.ok(f.description.length > 0 && f.mediaType.length > 0 && f.fileExtension.startsWith('.'));
  }
});

test('every format renders the fixture and has a golden file; every golden file has a format', async () => {
  const golden = await readdir(new URL('./testdata/golden/', import.meta.url));
  const covered = new Set(golden.map((f) => f.replace(/(-wide)?\.(json|txt)$/, '')));
  assert.deepEqual([...covered].sort(), [...expected].sort());
  for (const name of formatNames) {
    const out = formats[name].render(fixtureInventory, fixedOptions);
    assert.ok(out.length > 0 && out.endsWith('\n'), name);
  }
});

test('isFormatName accepts the registry keys only', () => {
  for (const n of expected) assert.ok(isFormatName(n));
  for (const n of ['', 'CycloneDX', 'toString', '__proto__', 'sarif', 42])
    assert.ok(!isFormatName(n), String(n));
});
