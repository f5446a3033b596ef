import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { isMamoriError, type Package, type PythonMetadata } from '../../../core/index.js';
import { runCataloger } from '../../testing.js';
import { parsePipfileLock, parsePoetryLock, parseRequirements, pythonLockCataloger } from './index.js';

const fixture = (dir: string, file: string): string =>
  readFileSync(new URL(`./testdata/${dir}/${file}`, import.meta.url), 'utf8');

async function lock(dir: string, file: string): Promise<Package[]> {
  const pkgs = await runCataloger(pythonLockCataloger, [
    { path: `/src/app/${file}`, data: fixture(dir, file) },
  ]);
  for (const p of pkgs) {
    assert.equal(p.foundBy, 'python-lock');
    assert.equal(p.type, 'python');
    assert.deepEqual(p.locations, [{ path: `/src/app/${file}`, layer: p.layer }]);
  }
  return pkgs;
}

const ids = (pkgs: readonly Package[]): string[] => pkgs.map((p) => p.purl).sort();

test('poetry.lock 2.0 (Poetry 1.8): packages with file hashes', async () => {
  const pkgs = await lock('poetry-1.8', 'poetry.lock');
  assert.deepEqual(ids(pkgs), [
    'pkg:pypi/certifi@2024.2.2',
    'pkg:pypi/charset-normalizer@3.3.2',
    'pkg:pypi/idna@3.6',
    'pkg:pypi/requests@2.31.0',
    'pkg:pypi/urllib3@2.2.1',
  ]);
  const requests = pkgs.find((p) => p.name === 'requests');
  assert.deepEqual(requests?.metadata, {
    kind: 'poetry-lock',
    hashes: [
      'sha256:58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f',
      'sha256:942c5a758f98d790eaed1a29cb6eefc7ffb0d1cf7af05c3d2791656dbd6ad1e1',
    ],
  });
});

test('poetry.lock 2.1 (Poetry 2): groups tell dev packages; display name kept, PURL normalised', () => {
  const entries = parsePoetryLock(fixture('poetry-2', 'poetry.lock'), '/p');
  assert.deepEqual(
    entries.map((e) => [e.name, e.version, e.dev]),
    [
      ['colorama', '0.4.6', false],
      ['iniconfig', '2.0.0', true],
      ['mypy-extensions', '1.0.0', false],
      ['Zope.Interface', '6.2', false],
      ['mylib', '0.1.0', false],
    ],
  );
});

test('poetry.lock 1.1: category and [metadata.files] hashes', async () => {
  const entries = parsePoetryLock(fixture('poetry-1.1', 'poetry.lock'), '/p');
  assert.deepEqual(
    entries.map((e) => [e.name, e.version, e.dev, e.hashes?.length]),
    [
      ['attrs', '21.4.0', true, 2],
      ['flask', '2.0.3', false, 2],
      ['markupsafe', '2.1.1', false, 2],
    ],
  );
  const pkgs = await lock('poetry-2', 'poetry.lock');
  assert.ok(ids(pkgs).includes('pkg:pypi/zope-interface@6.2'));
  assert.equal(pkgs.find((p) => p.purl === 'pkg:pypi/zope-interface@6.2')?.name, 'Zope.Interface');
});

test('Pipfile.lock: default and develop, unpinned entries dropped, duplicates merged', async () => {
  const entries = parsePipfileLock(fixture('pipenv', 'Pipfile.lock'), '/p');
  assert.deepEqual(
    entries.map((e) => [e.name, e.version, e.dev]),
    [
      ['certifi', '2024.2.2', false],
      ['django', '5.0.3', false],
      ['sqlparse', '0.4.4', false],
      ['pytest', '8.0.2', true],
      ['sqlparse', '0.4.4', true],
    ],
  );
  const pkgs = await lock('pipenv', 'Pipfile.lock');
  assert.deepEqual(ids(pkgs), [
    'pkg:pypi/certifi@2024.2.2',
    'pkg:pypi/django@5.0.3',
    'pkg:pypi/pytest@8.0.2',
    'pkg:pypi/sqlparse@0.4.4',
  ]);
  assert.equal((pkgs.find((p) => p.name === 'sqlparse')?.metadata as PythonMetadata).hashes?.length, 2);
});

test('requirements.txt: only exact pins, with extras, markers, continuations and hashes', async () => {
  const pkgs = await lock('requirements', 'requirements.txt');
  assert.deepEqual(
    pkgs.map((p) => [p.name, p.version]),
    [
      ['asgiref', '3.7.2'],
      ['Django', '4.2.11'],
      ['gunicorn', '21.2.0'],
      ['psycopg2-binary', '2.9.9'],
      ['PyYAML', '6.0.1'],
      ['zope.interface', '6.2'],
      ['typing_extensions', '4.10.0'],
    ],
  );
  assert.deepEqual(pkgs[0]?.metadata, {
    kind: 'requirements-txt',
    hashes: [
      'sha256:89b2ef2247e3b562a16eef663bc0e2e703ec6468e2fa8a5cd61cd449786d4f6e',
      'sha256:9e0ce3aa93a819ba5b45120216b23878cf6e8525eb3848653452b4192b92afed',
    ],
  });
  assert.equal(pkgs.find((p) => p.name === 'typing_extensions')?.purl, 'pkg:pypi/typing-extensions@4.10.0');
});

test('selection', () => {
  const sel = (path: string): boolean =>
    pythonLockCataloger.select({ path, type: 'file', mode: 0o644, size: 1 });
  for (const p of [
    '/a/poetry.lock',
    '/a/Pipfile.lock',
    '/a/requirements.txt',
    '/a/requirements-dev.txt',
    '/a/dev-requirements.txt',
    '/a/requirements/base.txt',
  ]) {
    assert.equal(sel(p), true, p);
  }
  for (const p of ['/a/Pipfile', '/a/readme.txt', '/usr/lib/python3/site-packages/x/requirements.txt']) {
    assert.equal(sel(p), false, p);
  }
  assert.deepEqual(pythonLockCataloger.tags, ['language', 'directory']);
});

test('sad: broken files', async () => {
  assert.throws(
    () => parsePoetryLock('[[package]]\nname = "a"\nversion = ', '/src/poetry.lock'),
    (e: unknown) => isMamoriError(e, 'INVALID_ARGUMENT') && e.message.includes('/src/poetry.lock'),
  );
  assert.throws(
    () => parsePipfileLock('{"default": {', '/p'),
    (e: unknown) => isMamoriError(e, 'INVALID_ARGUMENT'),
  );
  assert.deepEqual(
    parsePoetryLock('package = 3\n[[metadata.files]]\n', '/p'),
    [],
    'wrong shapes yield nothing',
  );
  assert.deepEqual(
    parsePoetryLock(
      '[[package]]\nname = "ok"\nversion = "1"\nfiles = 7\n[[package]]\nname = 5\nversion = "2"\n',
      '/p',
    ),
    [{ name: 'ok', version: '1' }],
  );
  assert.deepEqual(
    parsePipfileLock(
      '{"default": {"a": {"version": "==1"}, "b": null, "c": {"version": ">=2"}, "d": {"version": 3}}}',
      '/p',
    ),
    [{ name: 'a', version: '1', dev: false }],
  );
  const huge = `${'a'.repeat(2_000_000)}==1.0\nok==2.0\n`;
  assert.deepEqual(parseRequirements(huge), [{ name: 'ok', version: '2.0' }]);
  assert.deepEqual(
    await runCataloger(pythonLockCataloger, [{ path: '/r/requirements.txt', data: 'flask\n' }]),
    [],
  );
});

test('fuzz: requirements parser never throws and yields only exact pins', () => {
  const line = fc.oneof(
    fc.string(),
    fc.constantFrom('-r x.txt', '\\', '# c', '--hash=sha256:ab', 'a==1 \\', 'b[x]===2 ; os_name=="nt"'),
    fc
      .tuple(fc.string(), fc.constantFrom('==', '===', '>=', '~=', ' @ '), fc.string())
      .map((p) => p.join('')),
  );
  fc.assert(
    fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
      for (const e of parseRequirements(lines.join('\n'))) {
        assert.ok(e.name !== '' && e.version !== '' && !/[\s=<>~!*,;]/.test(e.version));
      }
    }),
  );
});

test('fuzz: poetry and Pipfile parsers throw nothing but MamoriError', () => {
  const guarded = (f: () => unknown): void => {
    try {
      f();
    } catch (e) {
      assert.ok(isMamoriError(e), String(e));
    }
  };
  fc.assert(
    fc.property(fc.string(), fc.jsonValue(), (s, j) => {
      guarded(() => parsePoetryLock(s, '/p'));
      guarded(() => parsePoetryLock(`[[package]]\nname = ${JSON.stringify(s)}\nversion = "1"\n${s}`, '/p'));
      guarded(() => parsePipfileLock(s, '/p'));
      guarded(() => parsePipfileLock(JSON.stringify({ default: j, develop: { x: j } }), '/p'));
    }),
  );
});
