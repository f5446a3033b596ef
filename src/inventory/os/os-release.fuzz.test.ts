import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { distroFromOsRelease, parseOsRelease } from './index.js';

/** Quotes a value for os-release the way a careful writer would (double quotes, escapes). */
function quote(v: string): string {
  return '"' + v.replace(/[\\"$`]/g, (c) => '\\' + c) + '"';
}

const key = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,15}$/);
// One line of printable text (os-release values are single-line).
const value = fc.string({
  unit: fc.constantFrom(...' abcXYZ019_-.:/$`"\'\\#=\t(){}'.split('')),
  maxLength: 40,
});

describe('os-release parser under fuzzing', () => {
  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        const m = parseOsRelease(text);
        distroFromOsRelease(m);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on near-valid assignments', () => {
    const line = fc.tuple(key, fc.constantFrom('=', '= ', ''), value).map(([k, eq, v]) => k + eq + v);
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), (lines) => {
        const d = distroFromOsRelease(parseOsRelease(lines.join('\n')));
        if (d !== undefined) assert.match(d.id, /^[a-z0-9._-]+$/);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads back every double-quoted value exactly', () => {
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 12 }), (dict) => {
        const text = Object.entries(dict)
          .map(([k, v]) => `${k}=${quote(v)}`)
          .join('\n');
        const parsed = parseOsRelease(text);
        assert.deepEqual(Object.fromEntries(parsed), { ...dict });
      }),
      { numRuns: 1000 },
    );
  });

  it('reads back every single-quoted value without a quote in it', () => {
    fc.assert(
      fc.property(key, value, (k, v) => {
        fc.pre(!v.includes("'"));
        assert.equal(parseOsRelease(`${k}='${v}'`).get(k), v);
      }),
      { numRuns: 1000 },
    );
  });
});
