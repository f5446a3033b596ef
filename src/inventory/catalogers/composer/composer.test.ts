import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { isMamoriError } from '../../../core/index.js';
import { runCataloger } from '../../testing.js';
import {
  composerInstalledCataloger,
  composerLockCataloger,
  parseComposerLock,
  parseInstalledJson,
} from './index.js';

// composer2/ was written by Composer 2.5 (`composer install` from path
// repositories); composer1/ has the Composer 1 top-level-array shape with
// Packagist source and dist records.
const fixture = (p: string): string => readFileSync(new URL(`./testdata/${p}`, import.meta.url), 'utf8');

test('installed.json (Composer 2): packages with licences, dev names known', async () => {
  const pkgs = await runCataloger(composerInstalledCataloger, [
    { path: '/var/www/vendor/composer/installed.json', data: fixture('composer2/installed.json'), layer: 2 },
  ]);
  assert.deepEqual(
    pkgs.map((p) => [p.purl, p.licenses]),
    [
      ['pkg:composer/acme/http@2.0.1', ['MIT', 'Apache-2.0']],
      ['pkg:composer/acme/logger@1.2.0', ['MIT']],
      ['pkg:composer/acme/testkit@0.9.0', ['BSD-3-Clause']],
    ],
  );
  const http = pkgs[0];
  assert.ok(http);
  assert.equal(http.name, 'acme/http');
  assert.equal(http.type, 'php-composer');
  assert.equal(http.foundBy, 'composer-installed');
  assert.deepEqual(http.locations, [{ path: '/var/www/vendor/composer/installed.json', layer: http.layer }]);
  assert.equal(http.layer?.index, 2);
  assert.equal(
    parseInstalledJson(fixture('composer2/installed.json'), '/p').find((e) => e.name === 'acme/testkit')?.dev,
    true,
  );
});

test('installed.json (Composer 1): top-level array, source and dist recorded', async () => {
  const pkgs = await runCataloger(composerInstalledCataloger, [
    { path: '/app/vendor/composer/installed.json', data: fixture('composer1/installed.json') },
  ]);
  assert.deepEqual(
    pkgs.map((p) => p.purl),
    [
      'pkg:composer/monolog/monolog@1.25.1',
      'pkg:composer/psr/log@1.1.0',
      'pkg:composer/symfony/polyfill-ctype@v1.12.0',
    ],
  );
  assert.deepEqual(pkgs[0]?.metadata, {
    kind: 'php-composer',
    sourceUrl: 'https://github.com/Seldaek/monolog.git',
    sourceReference: '70e65a5470a42cfec1a7da00d30edb6e617e8dcf',
    distUrl: 'https://api.github.com/repos/Seldaek/monolog/zipball/70e65a5470a42cfec1a7da00d30edb6e617e8dcf',
  });
});

test('composer.lock: packages and packages-dev', async () => {
  const pkgs = await runCataloger(composerLockCataloger, [
    { path: '/src/composer.lock', data: fixture('composer2/composer.lock') },
  ]);
  assert.deepEqual(
    pkgs.map((p) => p.purl),
    ['pkg:composer/acme/http@2.0.1', 'pkg:composer/acme/logger@1.2.0', 'pkg:composer/acme/testkit@0.9.0'],
  );
  assert.ok(pkgs.every((p) => p.foundBy === 'composer-lock'));
  assert.deepEqual(
    parseComposerLock(fixture('composer2/composer.lock'), '/p').map((e) => e.dev),
    [false, false, true],
  );
  assert.equal(pkgs[0]?.metadata.kind, 'php-composer');
});

test('selection and tags', () => {
  const inst = (path: string): boolean =>
    composerInstalledCataloger.select({ path, type: 'file', mode: 0o644, size: 1 });
  const lock = (path: string): boolean =>
    composerLockCataloger.select({ path, type: 'file', mode: 0o644, size: 1 });
  assert.equal(inst('/app/vendor/composer/installed.json'), true);
  assert.equal(inst('/app/vendor/composer/installed.php'), false);
  assert.equal(inst('/app/installed.json'), false);
  assert.equal(lock('/app/composer.lock'), true);
  assert.equal(lock('/app/vendor/monolog/monolog/composer.lock'), false);
  assert.deepEqual(composerInstalledCataloger.tags, ['language', 'image', 'directory']);
  assert.deepEqual(composerLockCataloger.tags, ['language', 'directory']);
});

test('sad: bad JSON, bad elements dropped', async () => {
  await assert.rejects(
    runCataloger(composerLockCataloger, [{ path: '/src/composer.lock', data: '{"packages": [' }]),
    (e: unknown) => isMamoriError(e, 'INVALID_ARGUMENT') && e.message.includes('/src/composer.lock'),
  );
  const doc = [
    { name: 'acme/ok', version: '1.0.0', license: 'MIT', source: 'nonsense', dist: [1] },
    { name: 'acme/no-version', type: 'library' },
    'not-a-package',
    null,
    { name: 'not a valid name', version: '1.0.0' },
    { name: 'acme/x', version: 'has space' },
    { name: 'acme/lic', version: '2.0.0', license: [null, 'MIT', 'MIT', 7] },
  ];
  assert.deepEqual(parseInstalledJson(JSON.stringify(doc), '/p'), [
    { name: 'acme/ok', version: '1.0.0', licenses: ['MIT'] },
    { name: 'acme/lic', version: '2.0.0', licenses: ['MIT'] },
  ]);
  assert.deepEqual(parseInstalledJson('{"packages": {"a": 1}}', '/p'), []);
  assert.deepEqual(parseComposerLock('[]', '/p'), []);
  assert.deepEqual(await runCataloger(composerLockCataloger, [{ path: '/composer.lock', data: '{}' }]), []);
});

test('fuzz: Composer parsers throw nothing but MamoriError', () => {
  const guarded = (f: () => unknown): void => {
    try {
      f();
    } catch (e) {
      assert.ok(isMamoriError(e), String(e));
    }
  };
  fc.assert(
    fc.property(fc.string(), fc.jsonValue(), (s, j) => {
      guarded(() => parseInstalledJson(s, '/p'));
      guarded(() => parseComposerLock(s, '/p'));
      for (const doc of [
        [j],
        { packages: [j], 'dev-package-names': j },
        { packages: j, 'packages-dev': [j] },
      ]) {
        for (const e of [
          ...parseInstalledJson(JSON.stringify(doc), '/p'),
          ...parseComposerLock(JSON.stringify(doc), '/p'),
        ]) {
          assert.ok(e.name.includes('/') && e.version !== '');
        }
      }
    }),
  );
});
