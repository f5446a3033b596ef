import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { Package, PythonMetadata } from '../../../core/index.js';
import type { TestFile } from '../../testing.js';
import { runCataloger } from '../../testing.js';
import { parseCoreMetadata, parseInstalledFiles, parseRecord, pythonPackageCataloger } from './index.js';

const TESTDATA = fileURLToPath(new URL('./testdata/', import.meta.url));

/** Every file of a testdata folder, placed under `imageDir` as the layer walker would present it. */
function tree(dir: string, imageDir: string, layer = 0): TestFile[] {
  const root = join(TESTDATA, dir);
  const out: TestFile[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push({ path: `${imageDir}/${relative(root, p)}`, data: readFileSync(p), layer });
    }
  };
  walk(root);
  return out;
}

const SP = '/usr/local/lib/python3.11/site-packages';
const meta = (p: Package | undefined): PythonMetadata => p?.metadata as PythonMetadata;

test('dist-info: METADATA joined with RECORD, licences by preference, PEP 503 PURL', async () => {
  const pkgs = await runCataloger(pythonPackageCataloger, [
    ...tree('site-packages', SP, 1),
    // Debian's layout, in another layer.
    ...tree('dist-packages', '/usr/lib/python3/dist-packages', 0),
  ]);
  const byName = new Map(pkgs.map((p) => [p.name, p]));
  assert.deepEqual([...byName.keys()].sort(), ['backcall', 'idna', 'libcst', 'six']);

  const idna = byName.get('idna');
  assert.ok(idna);
  assert.equal(idna.purl, 'pkg:pypi/idna@3.13');
  assert.deepEqual(idna.licenses, ['BSD-3-Clause']);
  assert.equal(idna.foundBy, 'python-package');
  assert.equal(meta(idna).kind, 'python-dist-info');
  assert.equal(meta(idna).author, 'Kim Davies <kim+pypi@gumleaf.org>');
  assert.equal(meta(idna).homePage, undefined);
  const files = meta(idna).files ?? [];
  assert.ok(files.includes(`${SP}/idna/core.py`));
  assert.ok(files.includes(`${SP}/idna-3.13.dist-info/RECORD`));
  assert.ok(files.every((f) => f.startsWith(`${SP}/`)));
  assert.deepEqual(
    idna.locations.map((l) => [l.path, l.layer?.index]),
    [
      [`${SP}/idna-3.13.dist-info/METADATA`, 1],
      [`${SP}/idna-3.13.dist-info/RECORD`, 1],
    ],
  );

  // `License: UNKNOWN` falls back to the trove classifier.
  assert.deepEqual(byName.get('backcall')?.licenses, ['BSD License']);
  assert.equal(meta(byName.get('backcall')).homePage, 'https://github.com/takluyver/backcall');
  // A folded multi-line licence text is not a licence name: the classifier is used.
  assert.deepEqual(byName.get('libcst')?.licenses, ['MIT License']);
  assert.equal(meta(byName.get('libcst')).files, undefined);

  const six = byName.get('six');
  assert.equal(meta(six).kind, 'python-egg-info');
  assert.deepEqual(six?.licenses, ['MIT']);
  assert.equal(six?.layer?.index, 0);
});

test('egg-info directory with installed-files.txt, and a single-file egg-info', async () => {
  const pkgs = await runCataloger(
    pythonPackageCataloger,
    tree('python2.7', '/usr/lib/python2.7/site-packages'),
  );
  const byName = new Map(pkgs.map((p) => [p.name, p]));
  assert.deepEqual([...byName.keys()].sort(), ['Tiny-Hello.World', 'wsgiref']);

  const tiny = byName.get('Tiny-Hello.World');
  assert.ok(tiny);
  assert.equal(tiny.purl, 'pkg:pypi/tiny-hello-world@0.3.1');
  assert.equal(meta(tiny).kind, 'python-egg-info');
  assert.equal(meta(tiny).homePage, 'https://example.org/tiny-hello');
  assert.equal(meta(tiny).author, 'Ada Example');
  // This old setuptools wrote the licence text unfolded: its first line ends up as the value.
  assert.deepEqual(tiny.licenses, ['Copyright (c) 2024 Ada Example']);
  assert.deepEqual(meta(tiny).files, [
    '/usr/bin/tiny-hello',
    '/usr/lib/python2.7/site-packages/tiny_hello/__init__.py',
    '/usr/lib/python2.7/site-packages/tiny_hello/__init__.pyc',
    '/usr/lib/python2.7/site-packages/tiny_hello/util.py',
    '/usr/lib/python2.7/site-packages/tiny_hello/util.pyc',
    '/usr/lib/python2.7/site-packages/Tiny_Hello.World-0.3.1-py2.7.egg-info/PKG-INFO',
    '/usr/lib/python2.7/site-packages/Tiny_Hello.World-0.3.1-py2.7.egg-info/SOURCES.txt',
    '/usr/lib/python2.7/site-packages/Tiny_Hello.World-0.3.1-py2.7.egg-info/dependency_links.txt',
    '/usr/lib/python2.7/site-packages/Tiny_Hello.World-0.3.1-py2.7.egg-info/entry_points.txt',
    '/usr/lib/python2.7/site-packages/Tiny_Hello.World-0.3.1-py2.7.egg-info/top_level.txt',
  ]);

  const wsgiref = byName.get('wsgiref');
  assert.equal(wsgiref?.purl, 'pkg:pypi/wsgiref@0.1.2');
  assert.deepEqual(wsgiref?.licenses, ['PSF or ZPL']);
  assert.equal(wsgiref?.locations[0]?.path, '/usr/lib/python2.7/site-packages/wsgiref.egg-info');
});

test('selection', () => {
  const sel = (path: string): boolean =>
    pythonPackageCataloger.select({ path, type: 'file', mode: 0o644, size: 1 });
  assert.equal(sel(`${SP}/a-1.dist-info/METADATA`), true);
  assert.equal(sel(`${SP}/a-1.dist-info/RECORD`), true);
  assert.equal(sel(`${SP}/a-1.egg-info/PKG-INFO`), true);
  assert.equal(sel(`${SP}/a-1.egg-info/installed-files.txt`), true);
  assert.equal(sel(`${SP}/a-1.egg-info`), true);
  assert.equal(sel(`${SP}/a-1.dist-info/WHEEL`), false);
  assert.equal(sel(`${SP}/a/PKG-INFO`), false);
  assert.equal(sel(`${SP}/a/METADATA`), false);
});

test('sad: missing version, bad name, RECORD without METADATA, escaping paths', async () => {
  const pkgs = await runCataloger(pythonPackageCataloger, [
    { path: `${SP}/nover-1.dist-info/METADATA`, data: 'Metadata-Version: 2.1\nName: nover\n' },
    { path: `${SP}/bad-1.dist-info/METADATA`, data: 'Name: ../../etc\nVersion: 1.0\n' },
    { path: `${SP}/space-1.dist-info/METADATA`, data: 'Name: space\nVersion: 1.0 beta\n' },
    { path: `${SP}/orphan-1.dist-info/RECORD`, data: 'orphan/__init__.py,,\n' },
    { path: `${SP}/binary-1.dist-info/METADATA`, data: Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x0a]) },
    {
      path: `${SP}/ok-1.0.dist-info/METADATA`,
      data: 'Name: ok\r\nVersion: 1.0\r\nLicense: UNKNOWN\r\n\r\nBody: x\r\n',
    },
  ]);
  assert.deepEqual(
    pkgs.map((p) => [p.name, p.version, p.licenses]),
    [['ok', '1.0', []]],
  );
  assert.deepEqual(parseRecord('../../../../../../etc/passwd,,\n"a,b.py",sha256=x,1\n\n', '/sp'), [
    '/etc/passwd',
    '/sp/a,b.py',
  ]);
  assert.deepEqual(parseInstalledFiles(`${'x'.repeat(100_000)}\n../a.py\n`, '/sp/a.egg-info'), ['/sp/a.py']);
});

test('fuzz: METADATA, RECORD and installed-files parsers never throw', () => {
  const header = fc.oneof(
    fc.string(),
    fc.constantFrom('Name: a', 'Version: 1', 'License:', ' continued', '\t', 'Classifier: License ::', ''),
    fc
      .tuple(fc.constantFrom('Name', 'Version', 'License', 'Classifier', 'Project-URL'), fc.string())
      .map(([k, v]) => `${k}: ${v}`),
  );
  fc.assert(
    fc.property(fc.array(header, { maxLength: 30 }), fc.string(), (lines, s) => {
      const m = parseCoreMetadata(lines.join('\n'));
      if (m !== undefined) assert.ok(m.name !== '' && m.version !== '');
      for (const f of parseRecord(s, '/sp')) assert.ok(f.startsWith('/'));
      for (const f of parseInstalledFiles(s, '/sp/x.egg-info')) assert.ok(f.startsWith('/'));
    }),
  );
});
