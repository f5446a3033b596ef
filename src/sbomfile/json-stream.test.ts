import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { isMamoriError } from '../core/index.js';
import { JsonSplitter, type JsonPiece, type MemberMode } from './json-stream.js';

const MODES: Record<string, MemberMode> = { list: 'elements', meta: 'value', other: 'skip' };

function splitter(maxPieceBytes = 1 << 20, maxDepth = 64): JsonSplitter {
  return new JsonSplitter({
    what: 'doc',
    mode: (k) => (Object.hasOwn(MODES, k) ? (MODES[k] as MemberMode) : 'value'),
    maxPieceBytes,
    maxDepth,
  });
}

/** Feeds `text` in chunks cut at `cuts` (byte offsets) and returns every piece. */
function split(text: string, cuts: readonly number[] = [], s = splitter()): JsonPiece[] {
  const buf = Buffer.from(text, 'utf8');
  const points = [...new Set(cuts.map((c) => Math.min(Math.max(c, 0), buf.length)))].sort((a, b) => a - b);
  const out: JsonPiece[] = [];
  let at = 0;
  for (const p of [...points, buf.length]) {
    out.push(...s.push(buf.subarray(at, p)));
    at = p;
  }
  s.end();
  return out;
}

function expectError(fn: () => unknown, code: 'INVALID_ARGUMENT' | 'LIMIT_EXCEEDED', re: RegExp): void {
  assert.throws(fn, (e: unknown) => isMamoriError(e, code) && re.test((e as Error).message));
}

describe('JsonSplitter', () => {
  test('yields values whole, array elements one by one, and nothing of skipped members', () => {
    const doc =
      '\uFEFF{"meta": {"a": [1, {"b": "}]\\""}]}, "other": [{"x": 1}, "]"], "list": [ {"n": 1} , 2, "s,]", null, [3] ], "t": true, "e": []}';
    const pieces = split(doc);
    assert.deepEqual(
      pieces.map((p) => [p.key, JSON.parse(p.text)]),
      [
        ['meta', { a: [1, { b: '}]"' }] }],
        ['list', { n: 1 }],
        ['list', 2],
        ['list', 's,]'],
        ['list', null],
        ['list', [3]],
        ['t', true],
        ['e', []],
      ],
    );
    // Offsets point at each piece's first byte.
    const bytes = Buffer.from(doc, 'utf8');
    for (const p of pieces)
      assert.equal(bytes.subarray(p.offset, p.offset + p.text.length).toString(), p.text);
  });

  test('an empty object and whitespace around it', () => {
    assert.deepEqual(split(' \n{ } \n'), []);
  });

  test('chunk boundaries anywhere give the same pieces', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom('list', 'meta', 'other', 'x', 'y\u00e9"'),
          fc.jsonValue({ maxDepth: 4 }),
        ),
        fc.array(fc.nat(), { maxLength: 12 }),
        (value, cuts) => {
          const text = JSON.stringify(value, null, cuts.length % 2 === 0 ? 0 : 1);
          const obj = JSON.parse(text) as Record<string, unknown>;
          const whole = split(text);
          const len = Buffer.byteLength(text);
          assert.deepEqual(
            split(
              text,
              cuts.map((c) => c % (len + 1)),
            ),
            whole,
          );
          // And the pieces are exactly the document's values.
          const expected: [string, unknown][] = [];
          for (const [k, v] of Object.entries(obj)) {
            const mode = Object.hasOwn(MODES, k) ? MODES[k] : 'value';
            if (mode === 'skip') continue;
            if (mode === 'elements' && Array.isArray(v)) for (const e of v) expected.push([k, e]);
            else if (mode !== 'elements') expected.push([k, v]);
          }
          assert.deepEqual(
            whole.map((p) => [p.key, JSON.parse(p.text)]),
            expected,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  test('refuses nesting deeper than the bound, also inside skipped members', () => {
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    assert.equal(split(`{"meta": ${deep(63)}}`).length, 1);
    expectError(() => split(`{"meta": ${deep(64)}}`), 'LIMIT_EXCEEDED', /nested deeper than 64/);
    expectError(() => split(`{"other": ${deep(100_000)}}`), 'LIMIT_EXCEEDED', /nested deeper/);
    expectError(() => split(`{"list": [${deep(63)}]}`), 'LIMIT_EXCEEDED', /nested deeper/);
  });

  test('refuses a piece larger than the bound, wherever the chunks fall', () => {
    const big = `{"list": ["${'a'.repeat(2000)}"]}`;
    expectError(() => split(big, [], splitter(1000)), 'LIMIT_EXCEEDED', /larger than 1000 bytes/);
    expectError(
      () => split(big, [100, 500, 900, 1500], splitter(1000)),
      'LIMIT_EXCEEDED',
      /larger than 1000/,
    );
    // Skipped members are not kept, so their size does not count.
    assert.deepEqual(split(`{"other": "${'a'.repeat(5000)}"}`, [], splitter(1000)), []);
  });

  test('malformed documents are MamoriErrors naming the byte', () => {
    for (const [doc, re] of [
      ['[1]', /expected a JSON object at byte 0/],
      ['{"a" 1}', /expected ":"/],
      ['{"a": 1 "b": 2}', /expected "," or "}"/],
      ['{"a": , "b": 1}', /expected a value/],
      ['{"list": [1,]}', /expected an array element/],
      ['{"list": [1 2]}', /expected "," or "]"/],
      ['{"a": 1}x', /unexpected data after/],
      ['{"a": [1, 2', /truncated/],
      ['{"a', /truncated/],
      ['', /truncated/],
      ['{"\\x": 1}', /malformed member name/],
    ] as const) {
      expectError(() => split(doc), 'INVALID_ARGUMENT', re);
    }
  });
});
