import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isMamoriError } from '../../core/index.js';
import { ALL_CATALOGERS, CATALOGER_MODULES, selectCatalogers } from './index.js';

test('the cataloger table lists every cataloger folder, and nothing else', () => {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const folders = readdirSync(here, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'testdata')
    .map((d) => d.name)
    .sort();
  assert.deepEqual(Object.keys(CATALOGER_MODULES).sort(), folders);
  for (const [folder, list] of Object.entries(CATALOGER_MODULES)) assert.ok(list.length > 0, folder);
});

test('cataloger names are unique and every cataloger is tagged for images or directories', () => {
  const names = ALL_CATALOGERS.map((c) => c.name);
  assert.equal(new Set(names).size, names.length);
  for (const c of ALL_CATALOGERS) {
    assert.ok(c.tags.includes('image') || c.tags.includes('directory'), c.name);
    assert.ok(Number.isInteger(c.version) && c.version > 0, c.name);
  }
});

test('selection: image default, +add, -remove, replace, and a clear error for unknown names', () => {
  const names = (sel: string[]) => selectCatalogers(sel).map((c) => c.name);
  const dflt = names([]);
  assert.ok(dflt.includes('dpkg') && dflt.includes('go-binary') && dflt.includes('python-package'));
  assert.ok(!dflt.includes('npm-lock'), 'lockfiles are for source directories');
  assert.ok(names(['+npm-lock']).includes('npm-lock'));
  assert.ok(!names(['-dpkg']).includes('dpkg'));
  assert.deepEqual(names(['dpkg,apk']), ['apk', 'dpkg']);
  assert.deepEqual(names(['os']).sort(), ['apk', 'dpkg', 'rpm']);
  assert.ok(selectCatalogers([], 'directory').some((c) => c.name === 'npm-lock'));
  assert.throws(
    () => selectCatalogers(['+nope']),
    (e: unknown) => isMamoriError(e, 'INVALID_ARGUMENT') && /nope/.test(e.message),
  );
});
