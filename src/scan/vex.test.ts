import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { isMamoriError, type ErrorCode } from '../core/index.js';
import { loadOpenVex, parseOpenVex, type VexDocument } from './vex.js';

const TESTDATA = fileURLToPath(new URL('./testdata/openvex/', import.meta.url));
const fixture = (name: string): Promise<string> => readFile(join(TESTDATA, name), 'utf8');

function rejects(text: string, code: ErrorCode, message: string | RegExp): void {
  assert.throws(
    () => parseOpenVex(text, 'vex.json'),
    (e: unknown) => {
      assert.ok(isMamoriError(e, code), `expected ${code}, got ${String(e)}`);
      if (typeof message === 'string') assert.equal(e.message, message);
      else assert.match(e.message, message);
      return true;
    },
  );
}

/** A minimal valid v0.2.0 document around the given statements. */
function doc(statements: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': 'https://example.com/vex/1',
    author: 'test',
    timestamp: '2024-01-01T00:00:00Z',
    version: 1,
    statements,
    ...extra,
  });
}

const STMT = {
  vulnerability: { name: 'CVE-2024-1' },
  products: [{ '@id': 'pkg:deb/debian/bash@5.2' }],
  status: 'fixed',
};

test('the spec, README and library examples all parse', async () => {
  const names = (await readdir(TESTDATA)).filter((n) => n.endsWith('.json') && !n.includes('as-published'));
  assert.ok(names.length >= 11);
  for (const n of names) {
    const d = parseOpenVex(await fixture(n), n);
    assert.equal(d.name, n);
    assert.ok(d.statements.length > 0, n);
  }
});

test('v0.2.0 statements: vulnerability ids, products, subcomponents, timestamps', async () => {
  const spring = parseOpenVex(await fixture('spec-spring.json'), 'spring.json');
  assert.equal(
    spring.id,
    'https://openvex.dev/docs/public/vex-2e67563e128250cbcb3e98930df948dd053e43271d70dc50cfa22d57e03fe96f',
  );
  assert.equal(spring.timestamp, Date.parse('2023-01-17T01:07:16.853Z'));
  const [s] = spring.statements;
  assert.equal(s?.vulnerability, 'CVE-2021-44228');
  assert.deepEqual(s?.vulnerabilityIds, [
    'CVE-2021-44228',
    'https://nvd.nist.gov/vuln/detail/CVE-2021-44228',
    'GHSA-jfh8-c2jp-5v3q',
  ]);
  assert.equal(s?.status, 'not_affected');
  assert.equal(s?.justification, 'vulnerable_code_not_in_execute_path');
  assert.match(s?.impactStatement ?? '', /^Spring Boot users are only affected/);
  assert.equal(s?.timestamp, undefined);
  const p = s?.products[0];
  assert.equal(p?.purls.length, 2); // @id and identifiers.purl
  assert.equal(p?.purls[0]?.name, 'spring-boot');
  assert.deepEqual(p?.hashes, ['sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']);

  const img = parseOpenVex(await fixture('go-vex-v0.2.0.json'), 'img.json');
  assert.equal(img.statements.length, 5);
  const prod = img.statements[3]?.products[0];
  assert.equal(prod?.purls[0]?.type, 'oci');
  assert.equal(
    prod?.purls[0]?.version,
    'sha256:124c7d2707904eea7431fffe91522a01e5a861a624ee31d03372cc1d138a3126',
  );
  assert.deepEqual(
    prod?.subcomponents.map((c) => c.purls[0]?.name),
    ['libssl3', 'libcrypto3'],
  );

  const update = parseOpenVex(await fixture('spec-update-2.json'), 'u.json');
  assert.equal(update.statements[0]?.timestamp, Date.parse('2023-01-09T00:02:03Z'));
  assert.equal(update.statements[1]?.timestamp, undefined);
  assert.equal(update.timestamp, Date.parse('2023-01-09T15:08:42Z'));
});

test('v0.0.1 documents: string vulnerabilities and products, string versions, statement-level subcomponents', async () => {
  for (const n of ['go-vex-v0.0.1.json', 'go-vex-v0.0.1-noversion.json']) {
    const d = parseOpenVex(await fixture(n), n);
    const s = d.statements[0];
    assert.equal(s?.vulnerability, 'CVE-2023-12345');
    assert.deepEqual(
      s?.products.map((p) => p.purls[0]?.qualifiers['arch']),
      ['armv7', 'x86_64'],
    );
  }
  const legacy = parseOpenVex(
    JSON.stringify({
      '@context': 'https://openvex.dev/ns',
      statements: [
        {
          vulnerability: 'CVE-1',
          products: ['pkg:oci/app@sha256%3Aabc'],
          subcomponents: ['pkg:npm/lodash@4.17.20'],
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
          timestamp: '2022-12-22T16:36:43-05:00',
        },
      ],
    }),
    'legacy.json',
  );
  assert.equal(legacy.timestamp, undefined);
  assert.equal(legacy.statements[0]?.timestamp, Date.parse('2022-12-22T21:36:43Z'));
  assert.equal(legacy.statements[0]?.products[0]?.subcomponents[0]?.purls[0]?.name, 'lodash');
});

test('an in-toto attestation: the predicate is the document, subjects cascade to statements without products', async () => {
  const d = parseOpenVex(await fixture('spec-attestation.json'), 'att.json');
  const s = d.statements[0];
  assert.equal(s?.products.length, 2);
  assert.equal(s?.products[0]?.purls[0]?.name, 'git');
  assert.deepEqual(s?.products[0]?.hashes, [
    'sha256:74634d9736a45ca9f6e1187e783492199e020f4a5c19d0b1abc2b604f894ac99',
  ]);
  rejects(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      predicateType: 'https://slsa.dev/provenance/v1',
      predicate: { buildDefinition: {} },
    }),
    'INVALID_ARGUMENT',
    /not an OpenVEX document \(predicate\.@context must be/,
  );
  rejects(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [],
      predicate: JSON.parse(doc([{ ...STMT, products: undefined }])),
    }),
    'INVALID_ARGUMENT',
    'vex.json: predicate.statements[0].products: required (the statement names no product)',
  );
});

test('the spec examples as published with JSON syntax errors are refused clearly', async () => {
  rejects(
    await fixture('spec-update-2.as-published.json'),
    'INVALID_ARGUMENT',
    /^vex\.json: not valid JSON: /,
  );
});

test('validation names the field and what is wrong with it', () => {
  const st = (over: Record<string, unknown>): string => doc([{ ...STMT, ...over }]);
  rejects(
    JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5' }),
    'INVALID_ARGUMENT',
    'vex.json: not an OpenVEX document (@context must be https://openvex.dev/ns[/vX.Y.Z], got nothing)',
  );
  rejects(
    doc([], { '@context': 'https://example.com/ns' }),
    'INVALID_ARGUMENT',
    /not an OpenVEX document \(@context must be .*got "https:\/\/example.com\/ns"\)/,
  );
  rejects('[1, 2]', 'INVALID_ARGUMENT', 'vex.json: not an OpenVEX document (a list)');
  rejects(doc([], { statements: undefined }), 'INVALID_ARGUMENT', 'vex.json: statements: required');
  rejects(
    doc([], { statements: {} }),
    'INVALID_ARGUMENT',
    'vex.json: statements: must be a list, got a mapping',
  );
  rejects(
    doc([], { timestamp: 'yesterday' }),
    'INVALID_ARGUMENT',
    'vex.json: timestamp: not an RFC 3339 date-time: "yesterday"',
  );
  rejects(
    doc([], { timestamp: 1700000000 }),
    'INVALID_ARGUMENT',
    'vex.json: timestamp: must be a string, got a number',
  );
  rejects(
    doc([], { version: 'one' }),
    'INVALID_ARGUMENT',
    'vex.json: version: must be an integer, got a string',
  );
  rejects(doc(['CVE-1']), 'INVALID_ARGUMENT', 'vex.json: statements[0]: must be a mapping, got a string');
  rejects(
    st({ status: 'maybe' }),
    'INVALID_ARGUMENT',
    'vex.json: statements[0].status: must be one of not_affected, affected, fixed, under_investigation, got "maybe"',
  );
  rejects(
    st({ status: undefined }),
    'INVALID_ARGUMENT',
    /statements\[0\]\.status: must be one of .*, got nothing/,
  );
  rejects(
    st({ status: 'not_affected' }),
    'INVALID_ARGUMENT',
    'vex.json: statements[0]: a not_affected statement needs a justification or an impact_statement',
  );
  rejects(
    st({ status: 'not_affected', justification: 'trust_me' }),
    'INVALID_ARGUMENT',
    /statements\[0\]\.justification: must be one of component_not_present, .*got "trust_me"/,
  );
  rejects(
    st({ vulnerability: undefined }),
    'INVALID_ARGUMENT',
    'vex.json: statements[0].vulnerability: required',
  );
  rejects(
    st({ vulnerability: {} }),
    'INVALID_ARGUMENT',
    'vex.json: statements[0].vulnerability.name: required',
  );
  rejects(
    st({ vulnerability: { name: 7 } }),
    'INVALID_ARGUMENT',
    'vex.json: statements[0].vulnerability.name: must be a string, got a number',
  );
  rejects(
    st({ vulnerability: { name: 'CVE-1', aliases: [1] } }),
    'INVALID_ARGUMENT',
    'vex.json: statements[0].vulnerability.aliases[0]: must be a string, got a number',
  );
  rejects(
    st({ products: undefined }),
    'INVALID_ARGUMENT',
    'vex.json: statements[0].products: required (the statement names no product)',
  );
  rejects(st({ products: [] }), 'INVALID_ARGUMENT', 'vex.json: statements[0].products: must not be empty');
  rejects(
    st({ products: [{}] }),
    'INVALID_ARGUMENT',
    'vex.json: statements[0].products[0]: names no software (needs @id, identifiers or hashes)',
  );
  rejects(
    st({ products: [{ '@id': 'pkg:' }] }),
    'INVALID_ARGUMENT',
    'vex.json: statements[0].products[0].@id: not a valid package URL: "pkg:"',
  );
  rejects(
    st({ products: [{ identifiers: { purl: 'pkg:%%%/x' } }] }),
    'INVALID_ARGUMENT',
    /statements\[0\]\.products\[0\]\.identifiers\.purl: not a valid package URL/,
  );
  rejects(
    st({ products: [{ '@id': 'pkg:oci/app', subcomponents: 'pkg:deb/debian/bash' }] }),
    'INVALID_ARGUMENT',
    'vex.json: statements[0].products[0].subcomponents: must be a list, got a string',
  );
  rejects(
    st({ products: [{ '@id': 'pkg:oci/app', subcomponents: [42] }] }),
    'INVALID_ARGUMENT',
    'vex.json: statements[0].products[0].subcomponents[0]: must be a mapping or a string, got a number',
  );
  rejects(
    st({ products: [{ hashes: ['abc'] }] }),
    'INVALID_ARGUMENT',
    'vex.json: statements[0].products[0].hashes: must be a mapping, got a list',
  );
  rejects(
    st({ timestamp: '2024-02-30T00:00:00Z' }),
    'INVALID_ARGUMENT',
    'vex.json: statements[0].timestamp: not an RFC 3339 date-time: "2024-02-30T00:00:00Z"',
  );
  rejects(
    st({ action_statement: ['upgrade'] }),
    'INVALID_ARGUMENT',
    'vex.json: statements[0].action_statement: must be a string, got a list',
  );
  // Unknown fields are allowed (JSON-LD extensions); harmful keys stay plain data.
  const ok = parseOpenVex(
    st({ 'x-extension': { nested: [1, 2] }, __proto__: { polluted: true } }),
    'vex.json',
  );
  assert.equal(ok.statements.length, 1);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.equal(parseOpenVex(`\uFEFF${st({})}`, 'bom.json').statements.length, 1);
});

test('hostile documents: depth, size and counts are bounded', () => {
  rejects(
    `{"@context": "https://openvex.dev/ns/v0.2.0", "x": ${'['.repeat(8 * 1024 * 1024)}`,
    'LIMIT_EXCEEDED',
    'vex.json: nested more than 64 levels deep',
  );
  rejects(
    `{"a": ${'{"a": '.repeat(100)}1${'}'.repeat(101)}`,
    'LIMIT_EXCEEDED',
    /nested more than 64 levels deep/,
  );
  // Brackets inside strings, and escaped quotes, are not nesting.
  assert.equal(
    parseOpenVex(doc([{ ...STMT, status_notes: `\\"${'['.repeat(1000)}` }]), 'x').statements.length,
    1,
  );
  rejects(
    `${doc([STMT])}${' '.repeat(16 * 1024 * 1024)}`,
    'LIMIT_EXCEEDED',
    'vex.json: larger than 16777216 bytes',
  );
  rejects(doc(Array(100_001).fill(STMT)), 'LIMIT_EXCEEDED', 'vex.json: statements: more than 100000 items');
  rejects(
    doc([{ ...STMT, products: Array(100_001).fill('pkg:npm/x') }]),
    'LIMIT_EXCEEDED',
    'vex.json: statements[0].products: more than 100000 items',
  );
});

test('loading keeps the order given and reports unreadable files', async () => {
  const paths = ['spec-update-1.json', 'spec-update-2.json'].map((n) => join(TESTDATA, n));
  const docs = await loadOpenVex(paths);
  assert.deepEqual(
    docs.documents.map((d: VexDocument) => d.name),
    paths,
  );
  await assert.rejects(loadOpenVex([join(TESTDATA, 'absent.json')]), (e: unknown) =>
    isMamoriError(e, 'NOT_FOUND'),
  );
  await assert.rejects(loadOpenVex([TESTDATA]), (e: unknown) => isMamoriError(e, 'INVALID_ARGUMENT'));
  await assert.rejects(loadOpenVex(Array(257).fill(paths[0])), (e: unknown) =>
    isMamoriError(e, 'LIMIT_EXCEEDED'),
  );
  assert.deepEqual(await loadOpenVex([]), { documents: [] });
});

function onlyMamoriErrors(text: string): void {
  try {
    parseOpenVex(text, 'fuzz.json');
  } catch (e) {
    if (!isMamoriError(e)) throw e;
  }
}

test('fuzz: any text either parses or fails with a MamoriError', () => {
  fc.assert(fc.property(fc.string({ maxLength: 300 }), onlyMamoriErrors), { numRuns: 1_000 });
});

test('fuzz: documents with any values in any field either parse or fail with a MamoriError', async () => {
  const base = JSON.parse(await fixture('go-vex-v0.2.0.json')) as Record<string, unknown>;
  const scalar = fc.oneof(
    fc.constantFrom(
      'pkg:oci/alpine@sha256%3Aab',
      'pkg:',
      'pkg:npm/x',
      'CVE-1',
      'not_affected',
      'fixed',
      'affected',
    ),
    fc.constantFrom('2023-01-01T00:00:00Z', 'https://openvex.dev/ns', 'component_not_present', ''),
    fc.string({ maxLength: 12 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
  );
  const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.record({ k: scalar }));
  const ids = fc.record({ purl: value, cpe23: value, 'sha-256': value }, { requiredKeys: [] });
  const sub = fc.oneof(
    value,
    fc.record(
      { '@id': value, identifiers: fc.oneof(ids, value), hashes: fc.oneof(ids, value) },
      { requiredKeys: [] },
    ),
  );
  const product = fc.oneof(
    sub,
    fc.record(
      { '@id': value, identifiers: ids, subcomponents: fc.oneof(value, fc.array(sub, { maxLength: 3 })) },
      { requiredKeys: [] },
    ),
  );
  const vuln = fc.oneof(
    value,
    fc.record({ name: value, '@id': value, aliases: value }, { requiredKeys: [] }),
  );
  const statement = fc.record(
    {
      vulnerability: vuln,
      products: fc.oneof(value, fc.array(product, { maxLength: 3 })),
      status: value,
      justification: value,
      impact_statement: value,
      action_statement: value,
      timestamp: value,
      subcomponents: fc.oneof(value, fc.array(sub, { maxLength: 2 })),
    },
    { requiredKeys: [] },
  );
  const mutated = fc.record({
    key: fc.constantFrom(
      '@context',
      'timestamp',
      'statements',
      'version',
      '@id',
      'author',
      'predicate',
      '_type',
    ),
    v: fc.oneof(value, fc.array(statement, { maxLength: 3 })),
  });
  fc.assert(
    fc.property(mutated, ({ key, v }) => onlyMamoriErrors(JSON.stringify({ ...base, [key]: v }))),
    { numRuns: 1_000 },
  );
  fc.assert(
    fc.property(fc.array(statement, { maxLength: 4 }), (sts) =>
      onlyMamoriErrors(JSON.stringify({ ...base, statements: sts })),
    ),
    { numRuns: 2_000 },
  );
  // Wrapped as an in-toto statement with any subjects.
  const subject = fc.oneof(
    value,
    fc.record({ name: value, digest: fc.oneof(value, fc.record({ sha256: value })) }, { requiredKeys: [] }),
  );
  fc.assert(
    fc.property(
      fc.oneof(value, fc.array(subject, { maxLength: 3 })),
      fc.array(statement, { maxLength: 2 }),
      (subj, sts) =>
        onlyMamoriErrors(
          JSON.stringify({
            _type: 'https://in-toto.io/Statement/v1',
            subject: subj,
            predicate: { ...base, statements: sts },
          }),
        ),
    ),
    { numRuns: 1_000 },
  );
});
