/**
 * Every SBOM is hostile: oversized and non-regular files are refused before
 * reading, unsupported forms get a clear error, deep nesting and huge counts
 * are bounded, bad components are left out with one bounded warning per
 * reason, nothing pollutes prototypes, and no input makes the reader throw
 * anything but a MamoriError (fast-check).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { isMamoriError, type ErrorCode } from '../core/index.js';
import type { Inventory } from '../inventory/index.js';
import { parseSbom, readSbomFile } from './index.js';

const run = promisify(execFile);
const fixture = (p: string): string => fileURLToPath(new URL(`testdata/${p}`, import.meta.url));
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function cdx(components: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', ...extra, components });
}

async function rejects(p: Promise<unknown>, code: ErrorCode, re: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isMamoriError(e, code), `expected MamoriError ${code}, got ${String(e)}`);
    assert.match((e as Error).message, re);
    return true;
  });
}

function throws(fn: () => unknown, code: ErrorCode, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isMamoriError(e, code), `expected MamoriError ${code}, got ${String(e)}`);
    assert.match((e as Error).message, re);
    return true;
  });
}

/** Every string the inventory carries is a clean one (no control characters), every package well-formed. */
function assertSane(inv: Inventory): void {
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'string') assert.ok(!CONTROL.test(v), `control character at ${path}`);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (typeof v === 'object' && v !== null)
      for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
  };
  walk(inv, 'inventory');
  for (const p of inv.packages) {
    assert.equal(typeof p.name, 'string');
    assert.ok(p.name.length > 0);
    assert.equal(typeof p.version, 'string');
    assert.match(p.purl, /^pkg:/);
    assert.equal(typeof p.metadata.kind, 'string');
  }
  assert.ok(inv.warnings.every((w) => w.length < 2000));
}

describe('files', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mamori-sbomfile-hostile-'));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('a file over the limit is refused from its size, before any byte is parsed', async () => {
    // 600 MiB of NUL bytes, sparse: were it read, it would fail as "not a JSON document".
    const big = join(dir, 'big.json');
    const fh = await open(big, 'w');
    await fh.truncate(600 * 1024 * 1024);
    await fh.close();
    await rejects(
      readSbomFile(big),
      'LIMIT_EXCEEDED',
      /629145600 bytes, more than the limit of 536870912 bytes/,
    );
    await rejects(
      readSbomFile(fixture('syft/debian12.cdx.json'), { maxBytes: 1000 }),
      'LIMIT_EXCEEDED',
      /more than the limit of 1000 bytes/,
    );
    await rejects(
      readSbomFile(fixture('syft/debian12.cdx.json'), { maxBytes: 0 }),
      'INVALID_ARGUMENT',
      /maxBytes/,
    );
  });

  test('directories, FIFOs and missing files', async () => {
    await rejects(readSbomFile(dir), 'INVALID_ARGUMENT', /not a regular file/);
    const fifo = join(dir, 'fifo');
    await run('mkfifo', [fifo]);
    await rejects(readSbomFile(fifo), 'INVALID_ARGUMENT', /not a regular file/);
    await rejects(readSbomFile(join(dir, 'nope.json')), 'NOT_FOUND', /no such file/);
  });

  test('XML, tag-value and other documents are refused naming the supported formats', async () => {
    const cases: [string, string, RegExp][] = [
      [
        'bom.xml',
        '<?xml version="1.0"?>\n<bom xmlns="http://cyclonedx.org/schema/bom/1.6"></bom>',
        /CycloneDX XML is not supported; CycloneDX JSON \(specVersion 1\.2 to 1\.7\) and SPDX JSON \(SPDX-2\.2, SPDX-2\.3\) are supported/,
      ],
      ['bom.spdx', 'SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n', /SPDX tag-value is not supported/],
      ['notes.txt', 'hello', /not a JSON document/],
      ['pkg.json', '{"name": "x", "version": "1.0.0"}', /not a CycloneDX or SPDX JSON SBOM/],
      [
        'spdx3.json',
        '{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": []}',
        /not a CycloneDX or SPDX JSON SBOM/,
      ],
      [
        'cdx11.json',
        '{"bomFormat": "CycloneDX", "specVersion": "1.1"}',
        /specVersion "1\.1" is not supported/,
      ],
      ['cdx2.json', '{"bomFormat": "CycloneDX", "specVersion": 2}', /specVersion 2 is not supported/],
      ['spdx21.json', '{"spdxVersion": "SPDX-2.1"}', /SPDX version "SPDX-2\.1"/],
      ['both.json', '{"bomFormat": "CycloneDX", "spdxVersion": "SPDX-2.3"}', /both CycloneDX and SPDX/],
      [
        'cut.json',
        '{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": "a"',
        /truncated/,
      ],
      ['empty.json', '', /truncated/],
    ];
    for (const [name, text, re] of cases) {
      await writeFile(join(dir, name), text);
      await rejects(readSbomFile(join(dir, name)), 'INVALID_ARGUMENT', re);
    }
  });

  test('a document read in many chunks gives the same inventory as in one piece', async () => {
    // Long property values push the components across the 1 MiB read chunks.
    const filler = 'x'.repeat(3000);
    const components = Array.from({ length: 1200 }, (_, i) => ({
      type: 'library',
      name: `pkg-${i}`,
      version: '1.0.0',
      purl: `pkg:npm/pkg-${i}@1.0.0`,
      description: `${filler}"\\${i}`,
    }));
    const text = cdx(components);
    assert.ok(text.length > 3 * 1024 * 1024);
    await mkdir(join(dir, 'chunks'), { recursive: true });
    const file = join(dir, 'chunks', 'bom.json');
    await writeFile(file, text);
    const fromFile = await readSbomFile(file);
    const fromText = parseSbom(await readFile(file, 'utf8'), file);
    assert.equal(fromFile.packages.length, 1200);
    assert.deepEqual(fromFile.packages, fromText.packages);
  });
});

describe('documents', () => {
  test('nesting deeper than the bound is refused, wherever it is', () => {
    let nested: unknown = { name: 'leaf', purl: 'pkg:npm/leaf@1' };
    for (let i = 0; i < 60; i++) nested = { name: `n${i}`, purl: `pkg:npm/n${i}@1`, components: [nested] };
    throws(() => parseSbom(cdx([nested]), 'deep'), 'LIMIT_EXCEEDED', /nested deeper than 96 levels/);
    const deepVuln = `{"bomFormat":"CycloneDX","specVersion":"1.6","vulnerabilities":${'['.repeat(50_000)}${']'.repeat(50_000)}}`;
    throws(() => parseSbom(deepVuln, 'deep'), 'LIMIT_EXCEEDED', /nested deeper/);
    // Moderate nesting is fine, and nested components are packages.
    let ok: unknown = { name: 'leaf', purl: 'pkg:npm/leaf@1' };
    for (let i = 0; i < 20; i++) ok = { name: `n${i}`, purl: `pkg:npm/n${i}@1`, components: [ok] };
    assert.equal(parseSbom(cdx([ok]), 'nested').packages.length, 21);
  });

  test('more components than the bound are refused', () => {
    const text = `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[${'{},'.repeat(1_000_000)}{}]}`;
    throws(() => parseSbom(text, 'many'), 'LIMIT_EXCEEDED', /more than 1000000 components/);
  });

  test('components without a purl: kept when a property names the type, else left out with one warning', () => {
    const inv = parseSbom(
      cdx(
        [
          {
            type: 'library',
            name: 'zlib1g',
            version: '1:1.2.13.dfsg-1',
            properties: [
              { name: 'syft:package:type', value: 'deb' },
              { name: 'syft:metadata:source', value: 'zlib' },
            ],
          },
          {
            type: 'library',
            name: 'lodash',
            version: '4.17.21',
            properties: [{ name: 'aquasecurity:trivy:PkgType', value: 'npm' }],
          },
          ...Array.from({ length: 500 }, (_, i) => ({ type: 'library', name: `mystery-${i}`, version: '1' })),
          { type: 'application', name: 'app/package-lock.json' },
          { type: 'operating-system', name: 'debian', version: '12' },
        ],
        { metadata: { component: { type: 'container', name: 'img' } } },
      ),
      'nopurl.json',
    );
    assertSane(inv);
    assert.deepEqual(
      inv.packages.map((p) => [p.name, p.purl, p.metadata.kind]),
      [
        ['zlib1g', 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?distro=debian-12', 'dpkg'],
        ['lodash', 'pkg:npm/lodash@4.17.21', 'npm-package-lock'],
      ],
    );
    assert.deepEqual(inv.packages[0]?.metadata, {
      kind: 'dpkg',
      source: 'zlib',
      sourceVersion: '1:1.2.13.dfsg-1',
      files: [],
    });
    assert.deepEqual(inv.warnings, [
      'nopurl.json: 500 components were left out: no package URL and no known package type (e.g. "mystery-0", "mystery-1", "mystery-2")',
    ]);
  });

  test('invalid purls, unsupported types, duplicates, non-objects: left out or merged, counted', () => {
    const good = { type: 'library', name: 'lodash', version: '4.17.21', purl: 'pkg:npm/lodash@4.17.21' };
    const inv = parseSbom(
      cdx([
        good,
        good,
        good,
        { ...good, properties: [{ name: 'syft:location:0:path', value: '/other/package.json' }] },
        { type: 'library', name: 'x', purl: 'not a purl' },
        { type: 'library', name: 'y', purl: 'pkg:npm/%E0%A4%A@1' },
        { type: 'library', name: 'z', purl: 'pkg:swift/github.com/x/z@1' },
        { type: 'library', name: 'g', purl: 'pkg:generic/g@1' },
        { type: 'library', name: 'g2', purl: 'pkg:generic/g2@1' },
        // packageurl-js throws a ReferenceError on this one; the generic grammar accepts it.
        { type: 'library', name: 'v1', version: 'v1', purl: 'pkg:golang/v1@v1' },
        42,
        'component',
        null,
      ]),
      'mixed.json',
    );
    assertSane(inv);
    assert.deepEqual(
      inv.packages.map((p) => [p.name, p.locations.map((l) => l.path)]),
      [
        ['lodash', []],
        ['lodash', ['/other/package.json']],
        ['v1', []],
      ],
    );
    assert.deepEqual(inv.warnings, [
      'mixed.json: 2 components were left out: invalid package URL (e.g. "not a purl", "pkg:npm/%E0%A4%A@1")',
      'mixed.json: 3 components were left out: package types mamori does not match ("generic": 2, "swift": 1)',
      'mixed.json: 2 duplicate components were merged (same package URL and locations)',
      'mixed.json: 3 entries of the component list were not a JSON object and skipped',
    ]);
  });

  test('control characters: the component or value is dropped, warnings stay printable', () => {
    const inv = parseSbom(
      cdx(
        [
          { type: 'library', name: 'evil\u001b[31m', version: '1', purl: 'pkg:npm/evil@1' },
          { type: 'library', name: 'nl', version: '1\n2', purl: 'pkg:npm/nl@1' },
          { type: 'library', name: 'nul', version: '1', purl: 'pkg:npm/nu%00l@1' },
          {
            type: 'library',
            name: 'ok',
            version: '1',
            purl: 'pkg:npm/ok@1',
            licenses: [{ license: { id: 'MIT\u0007' } }, { license: { id: 'MIT' } }],
            properties: [
              { name: 'syft:location:0:path', value: '/a\u0000b' },
              { name: 'syft:location:1:path', value: '/ok/package.json' },
            ],
          },
          { type: 'library', name: 'x'.repeat(5000), version: '1', purl: 'pkg:npm/long@1' },
        ],
        { metadata: { component: { type: 'container', name: 'img\u001b]0;pwned\u0007' } } },
      ),
      'ctl.json',
    );
    assertSane(inv);
    assert.equal(inv.source.name, 'ctl.json');
    assert.deepEqual(
      inv.packages.map((p) => [p.name, p.licenses, p.locations.map((l) => l.path)]),
      [
        ['ok', ['MIT'], ['/ok/package.json']],
        ['long', [], []],
      ],
    );
    assert.equal(inv.warnings.length, 2);
    assert.match(inv.warnings[0] as string, /2 components were left out: control characters/);
    assert.match(inv.warnings[1] as string, /1 component was left out: no usable name/);
  });

  test('prototype pollution keys are plain data', () => {
    const text = `{"bomFormat":"CycloneDX","specVersion":"1.6",
      "__proto__": {"polluted": "top"},
      "metadata": {"component": {"type": "container", "name": "img", "__proto__": {"polluted": "meta"}}},
      "components": [
        {"type": "library", "name": "a", "version": "1", "purl": "pkg:npm/a@1?__proto__=x&constructor=y",
         "__proto__": {"polluted": "component"}, "bom-ref": "__proto__",
         "properties": [{"name": "__proto__", "value": "x"}, {"name": "mamori:package:ownedBy", "value": "__proto__"},
                        {"name": "constructor", "value": "y"}]},
        {"type": "library", "name": "constructor", "version": "1", "purl": "pkg:constructor/constructor@1"},
        {"type": "library", "name": "toString", "version": "1", "purl": "pkg:__proto__/toString@1"},
        {"type": "library", "name": "hasOwnProperty", "version": "1", "properties": [{"name": "mamori:package:type", "value": "__proto__"}]}
      ]}`;
    const inv = parseSbom(text, 'proto.json');
    const probe = {} as Record<string, unknown>;
    assert.equal(probe['polluted'], undefined);
    assert.equal(Object.getPrototypeOf(probe), Object.prototype);
    assertSane(inv);
    assert.deepEqual(
      inv.packages.map((p) => [p.name, p.type, p.ownedBy]),
      [['a', 'npm', undefined]],
    );
    const spdx = parseSbom(
      JSON.stringify({
        spdxVersion: 'SPDX-2.3',
        name: '__proto__',
        packages: [
          {
            SPDXID: '__proto__',
            name: 'a',
            versionInfo: '1',
            externalRefs: [{ referenceType: 'purl', referenceLocator: 'pkg:npm/a@1' }],
          },
        ],
        relationships: [
          { spdxElementId: '__proto__', relatedSpdxElement: '__proto__', relationshipType: 'CONTAINS' },
        ],
      }),
      'proto.spdx.json',
    );
    assert.equal(spdx.source.name, '__proto__');
    assert.equal(spdx.packages[0]?.ownedBy, undefined);
    assert.equal(probe['polluted'], undefined);
  });

  test('a generated fuzz corpus: structured documents never throw anything but MamoriError', () => {
    const str = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom(
        '__proto__',
        'constructor',
        'pkg:deb/debian/a@1?upstream=b%40c&distro=debian-12',
        'pkg:rpm/redhat/a@1-2?epoch=x&upstream=a-1-2.src.rpm',
        'pkg:apk/alpine/a@1?distro=3.19',
        'pkg:maven/g/a@1',
        'pkg:golang/./x@%28devel%29',
        'pkg:npm/%00@1',
        'operating-system',
        'OPERATING_SYSTEM',
        'library',
        'application',
        'debian',
        '\u001b',
        '',
      ),
    );
    const property = fc.record({
      name: fc.constantFrom(
        'mamori:package:type',
        'mamori:package:ownedBy',
        'mamori:metadata:epoch',
        'mamori:distro:id',
        'mamori:distro:versionID',
        'syft:package:type',
        'syft:metadata:source',
        'syft:location:0:path',
        'aquasecurity:trivy:SrcName',
        'aquasecurity:trivy:SrcEpoch',
        'aquasecurity:trivy:PkgType',
        'aquasecurity:trivy:DiffID',
        '__proto__',
      ),
      value: fc.oneof(str, fc.integer(), fc.constant(null)),
    });
    const component = fc.letrec<{ c: unknown }>((tie) => ({
      c: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.jsonValue({ maxDepth: 2 }),
        fc.record(
          {
            type: str,
            name: str,
            version: str,
            purl: str,
            group: str,
            'bom-ref': str,
            properties: fc.oneof(fc.array(property, { maxLength: 6 }), fc.jsonValue({ maxDepth: 1 })),
            licenses: fc.jsonValue({ maxDepth: 3 }),
            evidence: fc.jsonValue({ maxDepth: 3 }),
            components: fc.array(tie('c'), { maxLength: 3 }),
          },
          { requiredKeys: [] },
        ),
      ),
    }));
    const spdxPackage = fc.record(
      {
        SPDXID: str,
        name: str,
        versionInfo: str,
        primaryPackagePurpose: str,
        sourceInfo: str,
        externalRefs: fc.array(
          fc.record({ referenceType: fc.constantFrom('purl', 'cpe23Type'), referenceLocator: str }),
        ),
        attributionTexts: fc.array(str, { maxLength: 3 }),
      },
      { requiredKeys: [] },
    );
    const document = fc.oneof(
      fc
        .record({
          components: fc.array(component.c, { maxLength: 8 }),
          metadata: fc.oneof(fc.record({ component: component.c }), fc.jsonValue({ maxDepth: 2 })),
        })
        .map((d) => cdx(d.components, { metadata: d.metadata })),
      fc
        .record({
          name: str,
          packages: fc.array(fc.oneof(spdxPackage, fc.jsonValue({ maxDepth: 1 })), { maxLength: 8 }),
          relationships: fc.array(
            fc.record({
              spdxElementId: str,
              relatedSpdxElement: str,
              relationshipType: fc.constantFrom('CONTAINS', 'OTHER', 'DESCRIBES', 'CONTAINED_BY'),
              comment: fc.constantFrom('ownership-by-file-overlap: x', 'other'),
            }),
            { maxLength: 8 },
          ),
        })
        .map((d) => JSON.stringify({ spdxVersion: 'SPDX-2.3', ...d })),
    );
    fc.assert(
      fc.property(document, (text) => {
        try {
          assertSane(parseSbom(text, 'fuzz'));
        } catch (e) {
          if (e instanceof assert.AssertionError) throw e;
          assert.ok(isMamoriError(e), `not a MamoriError: ${String(e)}`);
        }
      }),
      { numRuns: 400 },
    );
  });

  test('fuzzing bytes: arbitrary text and mutated fixtures never throw anything but MamoriError', async () => {
    const seeds = await Promise.all(
      [
        'syft/debian12.cdx.json',
        'syft/debian12.spdx.json',
        'trivy/debian12.cdx.json',
        'syft/rhel93.spdx.json',
      ].map((f) => readFile(fixture(f), 'utf8')),
    );
    const mutated = fc
      .record({
        seed: fc.constantFrom(...seeds),
        edits: fc.array(
          fc.record({ at: fc.nat(), len: fc.nat({ max: 40 }), insert: fc.string({ maxLength: 8 }) }),
          { minLength: 1, maxLength: 6 },
        ),
      })
      .map(({ seed, edits }) =>
        edits.reduce((s, e) => {
          const at = e.at % (s.length + 1);
          return s.slice(0, at) + e.insert + s.slice(at + e.len);
        }, seed),
      );
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.json(), mutated), (text) => {
        try {
          assertSane(parseSbom(text, 'fuzz'));
        } catch (e) {
          if (e instanceof assert.AssertionError) throw e;
          assert.ok(isMamoriError(e), `not a MamoriError: ${String(e)}`);
        }
      }),
      { numRuns: 600 },
    );
  });
});
