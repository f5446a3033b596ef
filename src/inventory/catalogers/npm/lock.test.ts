import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { isMamoriError, type NpmMetadata, type Package } from '../../../core/index.js';
import { runCataloger } from '../../testing.js';
import { npmLockCataloger, parsePackageLock, parseYarnLock } from './index.js';
import { parsePnpmLock } from './pnpm-lock.js';

// Fixtures were produced by the real tools (npm 11 `--lockfile-version 1|2|3`,
// yarn 1.22 and 4.x, pnpm 7/8/9) on a small project using a scoped package,
// an `npm:` alias, a nested duplicate, a devDependency and (pnpm) peers.
const fixture = (dir: string, file: string): string =>
  readFileSync(new URL(`./testdata/${dir}/${file}`, import.meta.url), 'utf8');

async function lock(dir: string, file: string): Promise<Map<string, Package>> {
  const pkgs = await runCataloger(npmLockCataloger, [{ path: `/src/app/${file}`, data: fixture(dir, file) }]);
  const byPurl = new Map(pkgs.map((p) => [p.purl, p]));
  assert.equal(byPurl.size, pkgs.length, 'one package per name and version');
  for (const p of pkgs) {
    assert.equal(p.foundBy, 'npm-lock');
    assert.equal(p.locations[0]?.path, `/src/app/${file}`);
  }
  return byPurl;
}

const meta = (p: Package | undefined): NpmMetadata => p?.metadata as NpmMetadata;

const COMMON = [
  'pkg:npm/%40tootallnate/once@2.0.0',
  'pkg:npm/debug@4.3.4',
  'pkg:npm/is-number@6.0.0',
  'pkg:npm/is-number@7.0.0',
  'pkg:npm/is-odd@3.0.1',
  'pkg:npm/ms@2.1.2',
  'pkg:npm/ms@2.1.3',
];

test('package-lock v1: nested dependencies, alias resolved, local file: version skipped', async () => {
  const pkgs = await lock('package-lock-v1', 'package-lock.json');
  assert.deepEqual([...pkgs.keys()].sort(), COMMON);
  assert.equal(meta(pkgs.get('pkg:npm/is-number@7.0.0')).dev, true);
  assert.equal(meta(pkgs.get('pkg:npm/is-number@6.0.0')).dev, false);
  assert.deepEqual(meta(pkgs.get('pkg:npm/ms@2.1.3')), {
    kind: 'npm-package-lock',
    resolved: 'https://registry.npmjs.org/ms/-/ms-2.1.3.tgz',
    integrity:
      'sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==',
    dev: false,
  });
});

for (const v of ['v2', 'v3']) {
  test(`package-lock ${v}: packages map, names from paths, link entries and root skipped`, async () => {
    const pkgs = await lock(`package-lock-${v}`, 'package-lock.json');
    assert.deepEqual([...pkgs.keys()].sort(), [...COMMON, 'pkg:npm/%40demo/util@0.2.0'].sort());
    const once = pkgs.get('pkg:npm/%40tootallnate/once@2.0.0');
    assert.equal(once?.name, '@tootallnate/once');
    assert.deepEqual(once?.licenses, ['MIT']);
    assert.deepEqual(pkgs.get('pkg:npm/%40demo/util@0.2.0')?.licenses, ['ISC']);
    assert.equal(meta(pkgs.get('pkg:npm/is-number@7.0.0')).dev, true);
    assert.equal(
      meta(pkgs.get('pkg:npm/debug@4.3.4')).resolved,
      'https://registry.npmjs.org/debug/-/debug-4.3.4.tgz',
    );
    assert.equal(pkgs.has('pkg:npm/demo-app@1.0.0'), false);
  });
}

const YARN = [
  'pkg:npm/%40tootallnate/once@2.0.0',
  'pkg:npm/debug@4.3.7',
  'pkg:npm/function-bind@1.1.2',
  'pkg:npm/hasown@2.0.4',
  'pkg:npm/is-core-module@2.18.0',
  'pkg:npm/is-number@6.0.0',
  'pkg:npm/is-number@7.0.0',
  'pkg:npm/is-odd@3.0.1',
  'pkg:npm/ms@2.1.3',
  'pkg:npm/path-parse@1.0.7',
  'pkg:npm/resolve@1.22.8',
  'pkg:npm/supports-preserve-symlinks-flag@1.0.0',
];

test('yarn classic: multi-specifier headers, aliases, resolved and integrity', async () => {
  const pkgs = await lock('yarn-v1', 'yarn.lock');
  assert.deepEqual([...pkgs.keys()].sort(), YARN);
  assert.deepEqual(meta(pkgs.get('pkg:npm/ms@2.1.3')), {
    kind: 'yarn-lock',
    resolved: 'https://registry.npmjs.org/ms/-/ms-2.1.3.tgz#574c8138ce1d2b5861f0b44579dbadd60c6615b2',
    integrity:
      'sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==',
  });
});

test('yarn berry: __metadata and the workspace skipped, patch: entries merged with their package', async () => {
  const pkgs = await lock('yarn-berry', 'yarn.lock');
  assert.deepEqual([...pkgs.keys()].sort(), YARN);
  assert.deepEqual(meta(pkgs.get('pkg:npm/resolve@1.22.8')), {
    kind: 'yarn-lock',
    resolved: 'resolve@npm:1.22.8',
    integrity:
      '10c0/07e179f4375e1fd072cfb72ad66d78547f86e6196c4014b31cb0b8bb1db5f7ca871f922d08da0fbc05b94e9fd42206f819648fa3b5b873ebbc8e1dc68fec433a',
  });
});

const PNPM = [
  ...COMMON,
  'pkg:npm/js-tokens@4.0.0',
  'pkg:npm/loose-envify@1.4.0',
  'pkg:npm/react@18.2.0',
  'pkg:npm/use-sync-external-store@1.2.0',
].sort();

for (const v of ['v5', 'v6', 'v9']) {
  test(`pnpm-lock ${v}: key format, peer suffixes and dev`, async () => {
    const pkgs = await lock(`pnpm-${v}`, 'pnpm-lock.yaml');
    assert.deepEqual([...pkgs.keys()].sort(), PNPM);
    assert.equal(meta(pkgs.get('pkg:npm/is-number@7.0.0')).dev, true);
    assert.equal(meta(pkgs.get('pkg:npm/is-number@6.0.0')).dev, false);
    assert.equal(meta(pkgs.get('pkg:npm/js-tokens@4.0.0')).dev, false);
    assert.equal(
      meta(pkgs.get('pkg:npm/ms@2.1.2')).integrity,
      'sha512-sGkPx+VjMtmA6MX27oA4FBFELFCZZ4S4XqeGOXCv68tT+jb3vk/RyaKWP0PTKyWtmLSM0b+adUTEvbs1PEaH2w==',
    );
  });
}

test('pnpm 9: a package reached from both prod and dev trees is not dev', () => {
  const text = `lockfileVersion: '9.0'
importers:
  .:
    dependencies:
      a: {specifier: ^1.0.0, version: 1.0.0}
    devDependencies:
      b: {specifier: ^2.0.0, version: 2.0.0(a@1.0.0)}
packages:
  a@1.0.0: {resolution: {integrity: sha512-a}}
  b@2.0.0: {resolution: {integrity: sha512-b}}
  c@3.0.0: {resolution: {integrity: sha512-c}}
  '@s/d@4.0.0': {resolution: {tarball: 'https://example.test/d.tgz'}}
snapshots:
  a@1.0.0:
    dependencies: {'@s/d': 4.0.0}
  b@2.0.0(a@1.0.0):
    dependencies: {a: 1.0.0, c: 3.0.0}
  c@3.0.0: {}
  '@s/d@4.0.0': {}
`;
  const fact = parsePnpmLock(text, '/p');
  const dev = Object.fromEntries((fact?.entries ?? []).map((e) => [e.name, e.dev]));
  assert.deepEqual(dev, { a: false, b: true, c: true, '@s/d': false });
  assert.equal(fact?.entries.find((e) => e.name === '@s/d')?.resolved, 'https://example.test/d.tgz');
});

test('selection: every lockfile name, not lockfiles shipped inside node_modules', () => {
  const sel = (path: string): boolean =>
    npmLockCataloger.select({ path, type: 'file', mode: 0o644, size: 1 });
  for (const p of ['/a/package-lock.json', '/a/npm-shrinkwrap.json', '/yarn.lock', '/w/pnpm-lock.yaml']) {
    assert.equal(sel(p), true, p);
  }
  assert.equal(sel('/a/node_modules/x/yarn.lock'), false);
  assert.equal(sel('/a/node_modules/.package-lock.json'), false);
  assert.equal(sel('/a/package.json'), false);
  assert.deepEqual(npmLockCataloger.tags, ['language', 'directory']);
});

test('sad: bad elements are dropped, the rest of the file counts', () => {
  const v3 = JSON.stringify({
    lockfileVersion: 3,
    packages: {
      '': { name: 'root', version: '1.0.0' },
      'node_modules/ok': { version: '1.0.0' },
      'node_modules/no-version': {},
      'node_modules/num-version': { version: 12 },
      'node_modules/null': null,
      'node_modules/arr': [1, 2],
      'node_modules/../../etc': { version: '1.0.0' },
      'node_modules/linked': { resolved: '../x', link: true },
      'node_modules/lic': { version: '2.0.0', license: { type: 'MIT' }, licenses: 'nonsense' },
    },
  });
  assert.deepEqual(
    parsePackageLock(v3, '/p')?.entries.map((e) => `${e.name}@${e.version}`),
    ['ok@1.0.0', 'lic@2.0.0'],
  );
  assert.equal(parsePackageLock('{"lockfileVersion":3,"packages":[]}', '/p'), undefined);
  assert.equal(parsePackageLock('"just a string"', '/p'), undefined);
  assert.throws(
    () => parsePackageLock('{"lockfileVersion": 3, "packages": {', '/src/package-lock.json'),
    (e: unknown) => isMamoriError(e, 'INVALID_ARGUMENT') && e.message.includes('/src/package-lock.json'),
  );
  assert.throws(
    () => parsePnpmLock('lockfileVersion: 9.0\npackages: {a: [}\n', '/src/pnpm-lock.yaml'),
    (e: unknown) => isMamoriError(e, 'INVALID_ARGUMENT'),
  );
  assert.equal(parsePnpmLock('lockfileVersion: 6.0\npackages: [1, 2]\n', '/p'), undefined);
});

test('sad: deeply nested v1 tree is bounded, not a stack overflow', () => {
  const depth = 5000;
  let text = '{"lockfileVersion":1,"dependencies":';
  for (let i = 0; i < depth; i++) text += `{"p${i}":{"version":"1.0.0","dependencies":`;
  text += '{}' + '}}'.repeat(depth) + '}';
  const fact = parsePackageLock(text, '/p');
  assert.ok(fact !== undefined && fact.entries.length > 100 && fact.entries.length < 5000);
});

test('sad: a huge line and junk around yarn blocks', () => {
  const text = [
    '# yarn lockfile v1',
    `"huge@${'x'.repeat(1_000_000)}":`,
    '  version "6.6.6"',
    'ok@^1:',
    '  version "1.0.0"',
    `  resolved "${'y'.repeat(200_000)}"`,
    'no-version@^1:',
    '  resolved "https://x"',
    '  version',
    'not a header',
    '  version "9.9.9"',
    '"@scope/pkg@^2", "@scope/pkg@^2.1":',
    '  version "2.1.0"',
    '"local@file:../local":',
    '  version "0.0.1"',
  ].join('\r\n');
  const fact = parseYarnLock(text);
  assert.deepEqual(
    fact?.entries.map((e) => `${e.name}@${e.version}`),
    ['ok@1.0.0', '@scope/pkg@2.1.0'],
  );
  // The over-long resolved line is skipped, the entry it belonged to stays.
  assert.equal(fact?.entries[0]?.resolved, undefined);
});

test('fuzz: yarn.lock parser never throws', () => {
  const line = fc.oneof(
    fc.string(),
    fc.constantFrom(
      '__metadata:',
      '  version: 1.0.0',
      '  version "1"',
      '  resolution: "a@npm:1"',
      '  dependencies:',
    ),
    fc.tuple(fc.string(), fc.string()).map(([a, b]) => `"${a}@${b}", ${b}@${a}:`),
    fc.string().map((s) => `  version "${s}"`),
    fc.string().map((s) => `  resolution: "${s}@npm:${s}"`),
  );
  fc.assert(
    fc.property(fc.array(line, { maxLength: 40 }), (lines) => {
      const fact = parseYarnLock(lines.join('\n'));
      for (const e of fact?.entries ?? []) assert.ok(e.name !== '' && e.version !== '');
    }),
  );
});

test('fuzz: package-lock and pnpm-lock parsers throw nothing but MamoriError', () => {
  const guarded = (f: () => unknown): void => {
    try {
      f();
    } catch (e) {
      assert.ok(isMamoriError(e), String(e));
    }
  };
  fc.assert(
    fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
      for (const doc of [
        a,
        { lockfileVersion: 3, packages: a, dependencies: b },
        { dependencies: { x: a } },
      ]) {
        guarded(() => parsePackageLock(JSON.stringify(doc), '/p'));
      }
      for (const doc of [{ lockfileVersion: '9.0', importers: a, packages: b, snapshots: a }]) {
        guarded(() => parsePnpmLock(JSON.stringify(doc), '/p'));
      }
    }),
  );
  fc.assert(
    fc.property(fc.string(), (text) => {
      guarded(() => parsePackageLock(text, '/p'));
      guarded(() => parsePnpmLock(`lockfileVersion: 5.4\n${text}`, '/p'));
    }),
  );
});
