import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { dpkgCataloger, parseStanzas } from './index.js';
import { runCataloger } from '../../testing.js';

describe('deb822 stanza parser', () => {
  it('joins continuation lines and keeps a Description’s paragraphs', () => {
    const [s] = parseStanzas(
      [
        'Package: mawk',
        'Depends: libc6 (>= 2.34),',
        '         libgcc-s1',
        'Description: Pattern scanning and text processing language',
        ' Mawk is an interpreter for the AWK Programming Language.',
        ' .',
        ' The AWK language is useful.',
        '',
      ].join('\n'),
    );
    assert.ok(s);
    assert.equal(s.fields.get('depends'), 'libc6 (>= 2.34),\n        libgcc-s1');
    assert.equal(
      s.fields.get('description'),
      'Pattern scanning and text processing language\nMawk is an interpreter for the AWK Programming Language.\n.\nThe AWK language is useful.',
    );
    assert.equal(s.malformed, false);
    assert.equal(s.line, 1);
  });

  it('separates stanzas on blank or whitespace-only lines, reads CRLF, skips comments, matches names case-insensitively', () => {
    const stanzas = parseStanzas(
      '\r\n# c\r\nPACKAGE: a\r\nversion:  1 \r\n \t \r\n\r\nPackage: b\r\nPackage: dup\r\n',
    );
    assert.equal(stanzas.length, 2);
    assert.equal(stanzas[0]?.fields.get('package'), 'a');
    assert.equal(stanzas[0]?.fields.get('version'), '1');
    assert.equal(stanzas[0]?.line, 3);
    assert.equal(stanzas[1]?.fields.get('package'), 'b', 'a repeated field keeps its first value');
  });

  it('marks a stanza with a non-field line or an orphan continuation as malformed, and keeps the next one', () => {
    const stanzas = parseStanzas(' orphan\nPackage: x\n\nno colon here\nPackage: y\n\nPackage: z\n');
    assert.deepEqual(
      stanzas.map((s) => [s.fields.get('package'), s.malformed]),
      [
        ['x', true],
        ['y', true],
        ['z', false],
      ],
    );
  });

  it('bounds values and stanza counts', () => {
    const long = 'Package: a\nDescription: x\n' + ' y\n'.repeat(1000);
    const [s] = parseStanzas(long, { maxValueLength: 100 });
    assert.ok((s?.fields.get('description')?.length ?? 0) <= 100);
    assert.equal(parseStanzas('A: 1\n\nA: 2\n\nA: 3\n', { maxStanzas: 2 }).length, 2);
  });
});

const fieldName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/);
const lineText = fc
  .string({ unit: fc.constantFrom(...'abc XYZ 019 ()<>@,.+~:-_/#'.split('')), minLength: 1, maxLength: 30 })
  .map((s) => s.trim())
  .filter((s) => s !== '' && s !== '.');
const fieldValue = fc.array(lineText, { minLength: 1, maxLength: 4 });

describe('deb822 stanza parser under fuzzing', () => {
  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 600 }), (text) => {
        for (const s of parseStanzas(text)) {
          for (const [k, v] of s.fields) {
            assert.equal(typeof k, 'string');
            assert.equal(typeof v, 'string');
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never lets an exception escape the dpkg cataloger, whatever the status file holds', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 600 }), async (text) => {
        const files = [
          { path: '/var/lib/dpkg/status', data: text },
          { path: '/var/lib/dpkg/info/a.list', data: text },
          { path: '/usr/share/doc/a/copyright', data: 'Format: copyright-format\n' + text },
        ];
        await runCataloger(dpkgCataloger, files);
      }),
      { numRuns: 500 },
    );
  });

  it('reads back every well-formed stanza exactly', () => {
    const stanza = fc.uniqueArray(fc.tuple(fieldName, fieldValue), {
      minLength: 1,
      maxLength: 8,
      selector: ([k]) => k.toLowerCase(),
    });
    fc.assert(
      fc.property(fc.array(stanza, { minLength: 1, maxLength: 5 }), fc.boolean(), (stanzas, crlf) => {
        const nl = crlf ? '\r\n' : '\n';
        const text = stanzas
          .map((fields) => fields.map(([k, lines]) => `${k}: ${lines.join(`${nl} `)}`).join(nl))
          .join(nl + nl);
        const parsed = parseStanzas(text);
        assert.equal(parsed.length, stanzas.length);
        parsed.forEach((p, i) => {
          assert.equal(p.malformed, false);
          const expected = new Map(
            (stanzas[i] ?? []).map(([k, lines]) => [k.toLowerCase(), lines.join('\n')]),
          );
          assert.deepEqual(p.fields, expected);
        });
      }),
      { numRuns: 1000 },
    );
  });
});
