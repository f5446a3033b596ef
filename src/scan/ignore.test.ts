import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { isMamoriError, type ErrorCode } from '../core/index.js';
import { findIgnoreFile, loadIgnoreFile, parseIgnoreFile } from './ignore.js';

const TESTDATA = fileURLToPath(new URL('./testdata/ignore/', import.meta.url));
const NAME = '.mamoriignore.yaml';

let tmp = '';
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mamori-ignore-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function rejects(text: string, code: ErrorCode, message: string | RegExp): void {
  assert.throws(
    () => parseIgnoreFile(text, NAME),
    (e: unknown) => {
      assert.ok(isMamoriError(e, code), `expected ${code}, got ${String(e)}`);
      if (typeof message === 'string') assert.equal(e.message, message);
      else assert.match(e.message, message);
      return true;
    },
  );
}

test('a full ignore file parses into entries with every field', async () => {
  const rules = await loadIgnoreFile(join(TESTDATA, '.mamoriignore.yaml'));
  assert.equal(rules.name, join(TESTDATA, '.mamoriignore.yaml'));
  assert.equal(rules.entries.length, 3);
  const [a, b, c] = rules.entries;
  assert.equal(a?.id, 'CVE-2023-39615');
  assert.equal(a?.reason, 'not reachable: we never parse untrusted XML');
  // A date suppresses through that whole day (UTC).
  assert.deepEqual(a?.expires, { text: '2027-01-31', at: Date.UTC(2027, 1, 1) });
  assert.deepEqual(a?.packages?.[1], { kind: 'name', name: 'libxml2' });
  assert.equal(a?.packages?.[0]?.kind, 'purl');
  assert.deepEqual(a?.paths, ['/usr/lib/**']);
  assert.equal(b?.reason, 'semver is only used at build time with version strings from our own lockfile.');
  assert.deepEqual(b?.expires, { text: '2026-06-30T17:00:00+02:00', at: Date.UTC(2026, 5, 30, 15) });
  assert.equal(c?.packages, undefined);
  assert.equal(c?.paths, undefined);
  assert.equal(c?.expires, undefined);
  assert.equal(c?.index, 2);
});

test('empty files and an empty list are no rules; a byte-order mark and CRLF are fine', () => {
  assert.deepEqual(parseIgnoreFile('', NAME), { name: NAME, entries: [] });
  assert.deepEqual(parseIgnoreFile('# nothing yet\n', NAME).entries, []);
  assert.deepEqual(parseIgnoreFile('ignore:\n', NAME).entries, []);
  assert.deepEqual(parseIgnoreFile('ignore: []\n', NAME).entries, []);
  const r = parseIgnoreFile('\uFEFFignore:\r\n  - id: CVE-1\r\n    reason: x\r\n', NAME);
  assert.equal(r.entries[0]?.id, 'CVE-1');
});

test('every required field, type and key is checked, naming the entry', () => {
  const entry = (body: string): string => `ignore:\n  - id: CVE-0\n    reason: ok\n  - ${body}\n`;
  rejects(entry('id: CVE-1'), 'INVALID_ARGUMENT', '.mamoriignore.yaml: ignore[1].reason: required');
  rejects(
    entry('id: CVE-1\n    reason: "  "'),
    'INVALID_ARGUMENT',
    '.mamoriignore.yaml: ignore[1].reason: required (empty)',
  );
  rejects(entry('reason: x'), 'INVALID_ARGUMENT', '.mamoriignore.yaml: ignore[1].id: required');
  rejects(
    entry('id: 12345\n    reason: x'),
    'INVALID_ARGUMENT',
    '.mamoriignore.yaml: ignore[1].id: must be a string, got a number',
  );
  rejects(entry('id: "CVE 1"\n    reason: x'), 'INVALID_ARGUMENT', /ignore\[1\]\.id: not a vulnerability id/);
  rejects(
    entry('id: [CVE-1]\n    reason: x'),
    'INVALID_ARGUMENT',
    /ignore\[1\]\.id: must be a string, got a list/,
  );
  rejects(
    entry('id: CVE-1\n    reason: x\n    expire: 2027-01-01'),
    'INVALID_ARGUMENT',
    '.mamoriignore.yaml: ignore[1]: unknown key "expire" (expected id, reason, expires, packages, paths)',
  );
  rejects(
    entry('id: CVE-1\n    reason: x\n    packages: libxml2'),
    'INVALID_ARGUMENT',
    '.mamoriignore.yaml: ignore[1].packages: must be a list, got a string',
  );
  rejects(
    entry('id: CVE-1\n    reason: x\n    packages: []'),
    'INVALID_ARGUMENT',
    /ignore\[1\]\.packages: must not be empty/,
  );
  rejects(
    entry('id: CVE-1\n    reason: x\n    packages: [1]'),
    'INVALID_ARGUMENT',
    /ignore\[1\]\.packages\[0\]: must be a string, got a number/,
  );
  rejects(
    entry('id: CVE-1\n    reason: x\n    packages: ["pkg:"]'),
    'INVALID_ARGUMENT',
    /ignore\[1\]\.packages\[0\]: not a valid package URL: "pkg:"/,
  );
  rejects(
    entry('id: CVE-1\n    reason: x\n    packages: ["lib xml"]'),
    'INVALID_ARGUMENT',
    /packages\[0\]: not a package name or package URL/,
  );
  rejects(
    entry('id: CVE-1\n    reason: x\n    paths: {a: 1}'),
    'INVALID_ARGUMENT',
    /ignore\[1\]\.paths: must be a list, got a mapping/,
  );
  rejects(
    entry('id: CVE-1\n    reason: x\n    paths: [true]'),
    'INVALID_ARGUMENT',
    /ignore\[1\]\.paths\[0\]: must be a string, got a boolean/,
  );
  rejects(
    entry('"just a string"'),
    'INVALID_ARGUMENT',
    '.mamoriignore.yaml: ignore[1]: must be a mapping, got a string',
  );
  rejects(
    '- id: CVE-1\n  reason: x\n',
    'INVALID_ARGUMENT',
    /must be a mapping with an "ignore" list, got a list/,
  );
  rejects(
    'ignore: []\nexceptions: []\n',
    'INVALID_ARGUMENT',
    '.mamoriignore.yaml: unknown key "exceptions" (expected ignore)',
  );
  rejects(
    'ignore: {id: CVE-1}\n',
    'INVALID_ARGUMENT',
    '.mamoriignore.yaml: ignore: must be a list, got a mapping',
  );
  rejects(
    'ignore:\n  - id: CVE-1\n    reason: x\n    __proto__: {polluted: 1}\n',
    'INVALID_ARGUMENT',
    /unknown key "__proto__"/,
  );
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('values quoted in messages are escaped, so a message cannot drive the terminal', () => {
  rejects(
    'ignore:\n  - {id: CVE-1, reason: x, "\\e[31mred": 1}\n',
    'INVALID_ARGUMENT',
    /unknown key "\\u001b\[31mred"/,
  );
  rejects(
    'ignore:\n  - {id: CVE-1, reason: x, packages: ["pkg:\\e[2J"]}\n',
    'INVALID_ARGUMENT',
    /not a valid package URL: "pkg:\\u001b\[2J"/,
  );
  assert.throws(
    () => parseIgnoreFile('ignore: [\u001b[2J\n', NAME),
    (e: unknown) => isMamoriError(e, 'INVALID_ARGUMENT') && !e.message.includes('\u001b'),
  );
});

test('expiry dates: calendar dates and RFC 3339 instants, nothing else', () => {
  const exp = (v: string): number | undefined =>
    parseIgnoreFile(`ignore:\n  - id: CVE-1\n    reason: x\n    expires: ${v}\n`, NAME).entries[0]?.expires
      ?.at;
  assert.equal(exp('2024-02-29'), Date.UTC(2024, 2, 1));
  assert.equal(exp('"2027-01-31"'), Date.UTC(2027, 1, 1));
  assert.equal(exp('2027-01-31T10:00:00Z'), Date.UTC(2027, 0, 31, 10));
  assert.equal(exp('2027-01-31t10:00:00.250z'), Date.UTC(2027, 0, 31, 10, 0, 0, 250));
  assert.equal(exp('2027-01-31T10:00:00-05:30'), Date.UTC(2027, 0, 31, 15, 30));
  for (const bad of [
    '2023-02-29',
    '2027-13-01',
    '2027-00-10',
    '2027-04-31',
    '27-01-31',
    '2027-1-31',
    'tomorrow',
    '2027-01-31T25:00:00Z',
    '2027-01-31T10:00:00',
    '2027-01-31T10:00:00+24:00',
  ]) {
    rejects(
      `ignore:\n  - id: CVE-1\n    reason: x\n    expires: ${bad}\n`,
      'INVALID_ARGUMENT',
      /ignore\[0\]\.expires: not a date \(YYYY-MM-DD or an RFC 3339 date-time\)/,
    );
  }
  rejects(
    'ignore:\n  - id: CVE-1\n    reason: x\n    expires: 20270131\n',
    'INVALID_ARGUMENT',
    /ignore\[0\]\.expires: must be a string, got a number/,
  );
  // A YAML 1.1 directive does not turn dates into timestamps behind our back.
  const r = parseIgnoreFile(
    '%YAML 1.1\n---\nignore:\n  - id: CVE-1\n    reason: x\n    expires: 2027-01-31\n',
    NAME,
  );
  assert.equal(r.entries[0]?.expires?.at, Date.UTC(2027, 1, 1));
});

test('invalid YAML is reported with its position', () => {
  rejects(
    'ignore:\n  - id: CVE-1\n    id: CVE-2\n    reason: x\n',
    'INVALID_ARGUMENT',
    /^\.mamoriignore\.yaml: invalid YAML: Map keys must be unique at line 3/,
  );
  rejects('ignore: [\n', 'INVALID_ARGUMENT', /^\.mamoriignore\.yaml: invalid YAML: /);
  rejects(
    'ignore: []\n---\nignore: []\n',
    'INVALID_ARGUMENT',
    /invalid YAML: Source contains multiple documents/,
  );
  rejects(
    'ignore:\n  - id: !custom CVE-1\n    reason: x\n',
    'INVALID_ARGUMENT',
    /invalid YAML: Unresolved tag: !custom/,
  );
  rejects(
    'ignore:\n  - id: !!binary aGVsbG8=\n    reason: x\n',
    'INVALID_ARGUMENT',
    /ignore\[0\]\.id: must be a string, got binary data/,
  );
});

test('bounds: entries, file size, globs', () => {
  const many = `ignore:\n${'  - {id: CVE-1, reason: x}\n'.repeat(10_001)}`;
  rejects(many, 'LIMIT_EXCEEDED', '.mamoriignore.yaml: more than 10000 ignore entries');
  assert.equal(
    parseIgnoreFile(`ignore:\n${'  - {id: CVE-1, reason: x}\n'.repeat(10_000)}`, NAME).entries.length,
    10_000,
  );
  rejects(
    `# ${'x'.repeat(4 * 1024 * 1024)}\n`,
    'LIMIT_EXCEEDED',
    '.mamoriignore.yaml: larger than 4194304 bytes',
  );
  const globs = (n: number): string => `[${Array.from({ length: n }, (_, i) => `"/p${i}"`).join(', ')}]`;
  rejects(
    `ignore:\n  - {id: CVE-1, reason: x, paths: ${globs(101)}}\n`,
    'LIMIT_EXCEEDED',
    /ignore\[0\]\.paths: more than 100 items/,
  );
  const entries = Array.from(
    { length: 101 },
    () => `  - {id: CVE-1, reason: x, paths: ${globs(100)}}\n`,
  ).join('');
  rejects(`ignore:\n${entries}`, 'LIMIT_EXCEEDED', '.mamoriignore.yaml: more than 10000 path globs');
  rejects(
    'ignore:\n  - {id: CVE-1, reason: x, paths: ["/{a,b}{c,d}{e,f}{g,h}{i,j}"]}\n',
    'INVALID_ARGUMENT',
    /paths\[0\]: more than 4 brace groups/,
  );
  rejects(
    `ignore:\n  - {id: CVE-1, reason: x, paths: ["/${'a'.repeat(1025)}"]}\n`,
    'INVALID_ARGUMENT',
    /paths\[0\]: longer than 1024 characters/,
  );
});

test('hostile YAML: alias bombs and deep nesting fail fast with a MamoriError', () => {
  // Billion laughs: nine levels of nine references each.
  let bomb = 'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
  for (let i = 1; i <= 9; i++)
    bomb += `a${i}: &a${i} [${Array(9)
      .fill(`*a${i - 1}`)
      .join(', ')}]\n`;
  rejects(bomb, 'LIMIT_EXCEEDED', /invalid YAML: Excessive alias count/);
  rejects(
    `ignore:\n  - id: CVE-1\n    reason: x\n    paths: ${'['.repeat(4 * 1024 * 1024 - 64)}`,
    'LIMIT_EXCEEDED',
    '.mamoriignore.yaml: nested more than 128 levels deep',
  );
  rejects(`ignore: ${'{a: '.repeat(500_000)}`, 'LIMIT_EXCEEDED', /nested more than 128 levels deep/);
  rejects(`ignore:\n${'- '.repeat(1_000_000)}x\n`, 'LIMIT_EXCEEDED', /nested more than 128 levels deep/);
  let deep = '';
  for (let i = 0; i < 2_000; i++) deep += `${' '.repeat(i)}k:\n`;
  rejects(deep, 'LIMIT_EXCEEDED', /nested more than 128 levels deep/);
  // Brackets inside quoted or block scalars are text, not nesting.
  const text = `ignore:\n  - id: CVE-1\n    reason: "${'['.repeat(500)}"\n  - id: CVE-2\n    reason: |\n      ${'{'.repeat(500)}\n`;
  assert.equal(parseIgnoreFile(text, NAME).entries.length, 2);
});

test('loading: missing files, directories, FIFOs, oversized and non-UTF-8 files', async () => {
  const code = async (p: string): Promise<string> => {
    try {
      await loadIgnoreFile(p);
      return 'ok';
    } catch (e) {
      return isMamoriError(e) ? `${e.code}: ${e.message}` : `raw ${String(e)}`;
    }
  };
  assert.equal(await code(join(tmp, 'absent.yaml')), `NOT_FOUND: ${join(tmp, 'absent.yaml')}: no such file`);
  assert.equal(await code(tmp), `INVALID_ARGUMENT: ${tmp}: not a regular file`);
  const fifo = join(tmp, 'fifo.yaml');
  await promisify(execFile)('mkfifo', [fifo]);
  assert.equal(await code(fifo), `INVALID_ARGUMENT: ${fifo}: not a regular file`);
  const big = join(tmp, 'big.yaml');
  await writeFile(big, '');
  await truncate(big, 4 * 1024 * 1024 + 1);
  assert.equal(await code(big), `LIMIT_EXCEEDED: ${big}: larger than 4194304 bytes`);
  const latin1 = join(tmp, 'latin1.yaml');
  await writeFile(latin1, Buffer.from('ignore:\n  - id: CVE-1\n    reason: "caf\xe9"\n', 'latin1'));
  assert.equal(await code(latin1), `INVALID_ARGUMENT: ${latin1}: not UTF-8 text`);
});

test('findIgnoreFile prefers nothing: one name is found, both is an error', async () => {
  const dir = await mkdtemp(join(tmp, 'find-'));
  assert.equal(await findIgnoreFile(dir), undefined);
  await writeFile(join(dir, '.mamoriignore.yml'), 'ignore: []\n');
  assert.equal(await findIgnoreFile(dir), join(dir, '.mamoriignore.yml'));
  await writeFile(join(dir, '.mamoriignore.yaml'), 'ignore: []\n');
  await assert.rejects(
    findIgnoreFile(dir),
    (e: unknown) => isMamoriError(e, 'INVALID_ARGUMENT') && /both/.test(e.message),
  );
  await rm(join(dir, '.mamoriignore.yml'));
  assert.equal(await findIgnoreFile(dir), join(dir, '.mamoriignore.yaml'));
  assert.equal(await findIgnoreFile(join(dir, 'no-such-dir')), undefined);
});

function onlyMamoriErrors(text: string): void {
  try {
    const r = parseIgnoreFile(text, NAME);
    for (const e of r.entries) {
      assert.equal(typeof e.id, 'string');
      assert.ok(e.reason.length > 0);
    }
  } catch (e) {
    if (!isMamoriError(e)) throw e;
  }
}

test('fuzz: any text either parses or fails with a MamoriError', () => {
  const yamlish = fc.stringMatching(/^[\s\S]{0,200}$/).map((s) => s);
  const tokens = fc
    .array(
      fc.constantFrom(
        'ignore:',
        '\n',
        '  ',
        '- ',
        'id: ',
        'reason: ',
        'expires: ',
        'paths: ',
        'packages: ',
        '[',
        ']',
        '{',
        '}',
        ',',
        '&a ',
        '*a',
        '"',
        "'",
        'CVE-1',
        '2027-01-31',
        'pkg:deb/debian/x',
        '#',
        '!!binary ',
        '? ',
        ': ',
        '|',
        '>',
        '%YAML 1.1\n---\n',
      ),
      { maxLength: 60 },
    )
    .map((t) => t.join(''));
  fc.assert(fc.property(fc.oneof(yamlish, tokens), onlyMamoriErrors), { numRuns: 2_000 });
});

test('fuzz: well-formed YAML of any shape either parses or fails with a MamoriError', () => {
  const scalar = fc.oneof(
    fc.constantFrom(
      'CVE-2023-1',
      '2027-01-31',
      '2027-02-30',
      'pkg:npm/x@1',
      'pkg:',
      'libxml2',
      '/usr/**',
      '{a,b}',
      '',
    ),
    fc.string({ maxLength: 12 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
  );
  const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.record({ k: scalar }));
  const entry = fc.record(
    { id: value, reason: value, expires: value, packages: value, paths: value, other: value },
    { requiredKeys: [] },
  );
  const doc = fc.oneof(
    fc.record({ ignore: fc.array(fc.oneof(entry, entry, value), { maxLength: 5 }) }),
    value,
  );
  fc.assert(
    fc.property(doc, (d) => onlyMamoriErrors(stringify(d))),
    { numRuns: 2_000 },
  );
});
