import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import fc from 'fast-check';
import { InvalidRecord, parseOsv } from './validate.js';

const fixture = async (name: string): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(new URL(`testdata/osv/${name}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;

test('a real Go record becomes a typed advisory', async () => {
  const a = parseOsv(await fixture('GO-2020-0001.json'));
  assert.equal(a.id, 'GO-2020-0001');
  assert.deepEqual(a.aliases, ['CVE-2020-36567', 'GHSA-6vm3-jj99-7229']);
  assert.equal(a.published, '2021-04-14T20:04:52.000Z');
  assert.equal(a.source, 'osv');
  assert.equal(a.affected.length, 1);
  const [aff] = a.affected;
  assert.equal(aff?.ecosystem, 'Go');
  assert.equal(aff?.package, 'github.com/gin-gonic/gin');
  assert.deepEqual(aff?.ranges, [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.6.0' }] }]);
  assert.ok(aff?.ecosystemSpecific && 'imports' in aff.ecosystemSpecific);
  assert.equal(a.references.length, 2);
});

test('a withdrawn PyPI record keeps its withdrawal time and fractional modified time', async () => {
  const a = parseOsv(await fixture('PYSEC-2022-43059.json'));
  assert.equal(a.withdrawn, '2023-11-08T00:54:24.000Z');
  assert.equal(a.modified, '2024-02-16T13:47:54.655Z');
});

test('records whose matching data is malformed are refused with a reason', async () => {
  const base = await fixture('GO-2020-0001.json');
  const affected = (base.affected as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
  const cases: Array<[string, unknown, RegExp]> = [
    ['not an object', [1, 2], /not a JSON object/],
    ['no id', { ...base, id: undefined }, /no valid id/],
    ['id with a slash', { ...base, id: '../etc/passwd' }, /no valid id/],
    ['no modified', { ...base, modified: undefined }, /modified is missing/],
    ['bad modified', { ...base, modified: 'yesterday' }, /modified is not an RFC 3339 time/],
    ['impossible date', { ...base, modified: '2024-13-45T99:00:00Z' }, /modified is not a valid time/],
    ['affected not a list', { ...base, affected: {} }, /affected is not an array/],
    [
      'package without name',
      { ...base, affected: [{ ...affected, package: { ecosystem: 'Go' } }] },
      /ecosystem and a name/,
    ],
    [
      'unknown range type',
      { ...base, affected: [{ ...affected, ranges: [{ type: 'DATE', events: [{ introduced: '0' }] }] }] },
      /not ECOSYSTEM, SEMVER or GIT/,
    ],
    [
      'two keys in an event',
      {
        ...base,
        affected: [{ ...affected, ranges: [{ type: 'SEMVER', events: [{ introduced: '0', fixed: '1' }] }] }],
      },
      /exactly one/,
    ],
    [
      'number as a version',
      { ...base, affected: [{ ...affected, versions: ['1.0', 2] }] },
      /versions\[1\] is not a version/,
    ],
    [
      'range without events',
      { ...base, affected: [{ ...affected, ranges: [{ type: 'SEMVER', events: [] }] }] },
      /has no events/,
    ],
    ['summary not text', { ...base, summary: { html: 'x' } }, /summary is not a string/],
  ];
  for (const [what, rec, reason] of cases) {
    assert.throws(
      () => parseOsv(rec),
      (e: unknown) => e instanceof InvalidRecord && reason.test(e.message),
      what,
    );
  }
});

test('elements that only inform are dropped, not fatal', async () => {
  const base = await fixture('GO-2020-0001.json');
  const a = parseOsv({
    ...base,
    aliases: ['CVE-2020-36567', 42, 'bad alias with spaces', 'GO-2020-0001'],
    references: [{ type: 'FIX', url: 'https://example.org/x' }, { url: 7 }, 'x'],
    severity: [
      { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
      { type: 'bad type!', score: 'x' },
    ],
    database_specific: 'not an object',
    affected: [{ ranges: [{ type: 'GIT', repo: 'https://example.org/r', events: [{ introduced: 'abc' }] }] }],
  });
  assert.deepEqual(a.aliases, ['CVE-2020-36567']);
  assert.deepEqual(a.references, [{ type: 'FIX', url: 'https://example.org/x' }]);
  assert.deepEqual(a.severities, [
    { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
  ]);
  assert.equal(a.databaseSpecific, undefined);
  // An entry with only commit ranges and no package cannot match a package.
  assert.deepEqual(a.affected, []);
});

test('oversized feed-specific objects are dropped', async () => {
  const base = await fixture('GO-2020-0001.json');
  const big = { blob: 'x'.repeat(70_000) };
  const a = parseOsv({ ...base, database_specific: big });
  assert.equal(a.databaseSpecific, undefined);
  const small = parseOsv({ ...base, database_specific: { ok: true } }, 2000);
  assert.deepEqual(small.databaseSpecific, { ok: true });
  // Deep nesting is dropped too, however small: reading it back must not exhaust the stack.
  const deep = JSON.parse(`{"x":${'['.repeat(1000)}${']'.repeat(1000)}}`) as unknown;
  assert.equal(parseOsv({ ...base, database_specific: deep }, 2100).databaseSpecific, undefined);
  const nested = { a: { b: { c: [1, { d: 'ok' }] } } };
  assert.deepEqual(parseOsv({ ...base, database_specific: nested }, 2100).databaseSpecific, nested);
});

test('any JSON value either parses or is refused with InvalidRecord, never another error', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 5 }), (v) => {
      try {
        parseOsv(v);
      } catch (e) {
        assert.ok(e instanceof InvalidRecord, String(e));
      }
    }),
    { numRuns: 500 },
  );
  // Records that are almost right: every field replaced by arbitrary JSON.
  const keys = [
    'id',
    'modified',
    'published',
    'withdrawn',
    'aliases',
    'summary',
    'details',
    'severity',
    'affected',
    'references',
  ];
  fc.assert(
    fc.property(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 4 }), (k, v) => {
      const rec = { id: 'X-1', modified: '2024-01-01T00:00:00Z', affected: [], [k]: v };
      try {
        const a = parseOsv(rec);
        assert.equal(typeof a.id, 'string');
      } catch (e) {
        assert.ok(e instanceof InvalidRecord, String(e));
      }
    }),
    { numRuns: 500 },
  );
});
