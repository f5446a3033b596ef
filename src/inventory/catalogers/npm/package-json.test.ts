import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { isMamoriError } from '../../../core/index.js';
import { runCataloger } from '../../testing.js';
import { npmPackageCataloger, parsePackageJson } from './index.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`./testdata/installed/${name}`, import.meta.url), 'utf8');

test('installed packages: one per package root, with licences, scope and layer', async () => {
  const pkgs = await runCataloger(npmPackageCataloger, [
    { path: '/app/node_modules/debug/package.json', data: fixture('debug.json') },
    { path: '/app/node_modules/ms/package.json', data: fixture('ms.json'), layer: 2 },
    { path: '/app/node_modules/@tootallnate/once/package.json', data: fixture('tootallnate-once.json') },
    {
      path: '/app/node_modules/is-odd/node_modules/is-number/package.json',
      data: fixture('is-number-6.json'),
    },
    // pnpm's store layout: the package root sits under an inner node_modules.
    {
      path: '/app/node_modules/.pnpm/json-schema@0.2.3/node_modules/json-schema/package.json',
      data: fixture('json-schema-legacy.json'),
    },
  ]);
  const byName = new Map(pkgs.map((p) => [p.name, p]));
  assert.equal(pkgs.length, 5);

  const once = byName.get('@tootallnate/once');
  assert.ok(once);
  assert.equal(once.purl, 'pkg:npm/%40tootallnate/once@2.0.0');
  assert.deepEqual(once.licenses, ['MIT']);
  assert.equal(once.foundBy, 'npm-package');
  assert.deepEqual(once.metadata, { kind: 'npm-package-json' });

  const ms = byName.get('ms');
  assert.ok(ms);
  assert.equal(ms.version, '2.1.2');
  assert.deepEqual(ms.locations, [
    {
      path: '/app/node_modules/ms/package.json',
      layer: { index: 2, diffId: `sha256:${'2'.padStart(64, '0')}` },
    },
  ]);
  assert.deepEqual(ms.layer, ms.locations[0]?.layer);

  const nested = byName.get('is-number');
  assert.equal(nested?.version, '6.0.0');
  assert.equal(nested?.locations[0]?.path, '/app/node_modules/is-odd/node_modules/is-number/package.json');

  const legacy = byName.get('json-schema');
  assert.ok(legacy);
  assert.deepEqual(legacy.licenses, ['AFLv2.1', 'BSD']);
  assert.deepEqual(legacy.metadata, {
    kind: 'npm-package-json',
    resolved: 'https://registry.npmjs.org/json-schema/-/json-schema-0.2.3.tgz',
    integrity: 'sha1-tIDIkuWaLwWVTOcnvT8qTogvnhM=',
  });
});

test('licence as an object and a legacy array of strings are merged without duplicates', async () => {
  const [pkg] = await runCataloger(npmPackageCataloger, [
    { path: '/usr/lib/node_modules/@babel/code-frame/package.json', data: fixture('license-object.json') },
  ]);
  assert.ok(pkg);
  assert.deepEqual(pkg.licenses, ['MIT']);
  assert.equal(pkg.purl, 'pkg:npm/%40babel/code-frame@7.0.0-beta.44');
});

test('only package roots are selected', () => {
  const sel = (path: string): boolean =>
    npmPackageCataloger.select({ path, type: 'file', mode: 0o644, size: 10 });
  assert.equal(sel('/app/node_modules/debug/package.json'), true);
  assert.equal(sel('/app/node_modules/@scope/name/package.json'), true);
  assert.equal(sel('/app/node_modules/debug/src/package.json'), false);
  assert.equal(sel('/app/node_modules/@scope/package.json'), false);
  assert.equal(sel('/app/node_modules/.bin/package.json'), false);
  assert.equal(sel('/app/package.json'), false);
  assert.equal(sel('/app/node_modules/debug/package.json.bak'), false);
});

test('sad: marker files, missing version and bad JSON', async () => {
  const pkgs = await runCataloger(npmPackageCataloger, [
    { path: '/app/node_modules/esm-only/package.json', data: fixture('esm-marker.json') },
    { path: '/app/node_modules/no-version/package.json', data: fixture('no-version.json') },
    { path: '/app/node_modules/bad-name/package.json', data: '{"name":"../../etc","version":"1.0.0"}' },
    { path: '/app/node_modules/arr/package.json', data: '[1,2,3]' },
  ]);
  assert.deepEqual(pkgs, []);
  await assert.rejects(
    runCataloger(npmPackageCataloger, [
      { path: '/app/node_modules/broken/package.json', data: fixture('truncated.json') },
    ]),
    (e: unknown) => isMamoriError(e, 'INVALID_ARGUMENT') && e.message.includes('/app/node_modules/broken'),
  );
});

test('fuzz: any JSON value yields a fact or nothing, never a raw exception', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.string(), fc.jsonValue(), (doc, version, lic) => {
      const shaped = { name: 'x', version, license: lic, licenses: doc };
      for (const text of [JSON.stringify(doc), JSON.stringify(shaped)]) {
        const fact = parsePackageJson(text, '/p');
        if (fact !== undefined) assert.ok(fact.entries.every((e) => e.version !== ''));
      }
    }),
  );
  fc.assert(
    fc.property(fc.string(), (text) => {
      try {
        parsePackageJson(text, '/p');
      } catch (e) {
        assert.ok(isMamoriError(e, 'INVALID_ARGUMENT'));
      }
    }),
  );
});
