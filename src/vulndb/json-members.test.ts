import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isMamoriError } from '../core/index.js';
import { MemberSplitter, objectMembers } from './json-members.js';

function split(text: string | Buffer, chunkSizes: readonly number[] = [1 << 20], max = 1 << 20) {
  const buf = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const s = new MemberSplitter('test.json', max);
  const out: Array<[string, unknown]> = [];
  let at = 0;
  for (let i = 0; at < buf.length; i++) {
    const n = Math.max(1, chunkSizes[i % chunkSizes.length] ?? 1);
    for (const m of s.push(buf.subarray(at, at + n))) out.push([m.key, JSON.parse(m.value)]);
    at += n;
  }
  s.end();
  return out;
}

test('members come out with their keys and values, whatever the chunking', () => {
  const doc = {
    'a"b\\c': { x: [1, 2, { y: 'z}' }], s: 'brace } and bracket ] in a string' },
    'ü-ключ': 'snowman ☃ and "quotes"',
    n: -12.5e3,
    t: true,
    nul: null,
    arr: [[], {}, ''],
  };
  const text = ` \n${JSON.stringify(doc, null, 2)}\n `;
  const expected = Object.entries(doc);
  for (const sizes of [[1], [2], [3], [7, 1, 13], [1 << 20]]) {
    assert.deepEqual(split(text, sizes), expected, `chunks of ${sizes.join(',')}`);
  }
  // A byte-order mark is skipped.
  assert.deepEqual(split(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"k":1}')])), [
    ['k', 1],
  ]);
  assert.deepEqual(split('{}'), []);
  assert.deepEqual(split('{"k":1}'), [['k', 1]]);
});

test('random objects split into random chunks give back their entries', () => {
  fc.assert(
    fc.property(
      fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 })),
      fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }),
      fc.boolean(),
      (obj, sizes, pretty) => {
        const text = JSON.stringify(obj, null, pretty ? 2 : undefined);
        // JSON.parse normalises -0 and the like: compare with a round trip.
        assert.deepEqual(split(text, sizes), Object.entries(JSON.parse(text) as object));
      },
    ),
    { numRuns: 300 },
  );
});

test('malformed or truncated documents fail with a clear error and the byte offset', () => {
  const cases: Array<[string, RegExp]> = [
    ['[1,2]', /expected a JSON object at byte 0/],
    ['{"a":1,}', /expected a member name at byte 7/],
    ['{"a" 1}', /expected ":"/],
    ['{"a":{"b":1}', /truncated/],
    ['{"a":"unterminated', /truncated/],
    ['{"a":1} {"b":2}', /unexpected data after the object/],
    ['{"a":1 "b":2}', /expected "," or "}"/],
    ['', /truncated/],
    ['{a:1}', /expected a member name/],
  ];
  for (const [text, re] of cases) {
    assert.throws(
      () => split(text, [3]),
      (e: unknown) => isMamoriError(e, 'INVALID_ARGUMENT') && re.test(e.message),
      text,
    );
  }
});

test('a member larger than the bound is refused, not buffered', () => {
  const text = `{"small":1,"big":"${'x'.repeat(5000)}"}`;
  assert.throws(
    () => split(text, [100], 1000),
    (e: unknown) => isMamoriError(e, 'LIMIT_EXCEEDED') && /larger than 1000 bytes/.test(e.message),
  );
  // Keys are bounded too.
  assert.throws(
    () => split(`{"${'k'.repeat(5000)}":1}`, [100]),
    (e: unknown) => isMamoriError(e, 'LIMIT_EXCEEDED'),
  );
});

test('objectMembers streams an async source', async () => {
  async function* chunks() {
    yield Buffer.from('{"one": {"CVE-1": {}},');
    yield Buffer.from(' "two": [1, 2]}');
  }
  const got: string[] = [];
  for await (const m of objectMembers(chunks(), 'x', 1024)) got.push(`${m.key}=${m.value}`);
  assert.deepEqual(got, ['one={"CVE-1": {}}', 'two=[1, 2]']);
  await assert.rejects(
    (async () => {
      for await (const _ of objectMembers(chunks(), 'x', 1024, 30)) void _;
    })(),
    (e: unknown) => isMamoriError(e, 'LIMIT_EXCEEDED') && /more than 30 bytes of JSON/.test(e.message),
  );
});
