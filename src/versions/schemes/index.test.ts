import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SCHEMES } from './index.js';

test('the comparer table lists every comparer file, and nothing else', () => {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const names = readdirSync(here, { withFileTypes: true })
    .filter((d) => d.name !== 'testdata' && d.name !== 'index.ts' && !d.name.endsWith('.test.ts'))
    .map((d) => (d.isDirectory() ? d.name : d.name.replace(/\.ts$/, '')))
    .sort();
  assert.deepEqual(Object.keys(SCHEMES).sort(), names);
  for (const [name, comparer] of Object.entries(SCHEMES)) assert.equal(comparer.name, name);
});

test('no comparer throws on hostile input', () => {
  const odd = [
    '',
    ' ',
    '\0',
    '-',
    '.',
    ':',
    '~',
    '^',
    '+',
    'é',
    '\u{1F600}',
    '\ud800',
    'x'.repeat(100_000),
    '1-'.repeat(20_000),
    '9'.repeat(5000),
    '1.'.repeat(30_000),
  ];
  for (const [name, c] of Object.entries(SCHEMES)) {
    for (const a of odd) {
      assert.equal(typeof c.isValid(a), 'boolean', name);
      for (const b of odd.slice(0, 6)) {
        const r = c.compare(a, b);
        assert.ok(
          (Number.isInteger(r) && Math.sign(r) === -Math.sign(c.compare(b, a))) ||
            (r === 0 && c.compare(b, a) === 0),
          `${name}: ${JSON.stringify([a.slice(0, 10), b])}`,
        );
      }
    }
  }
});
