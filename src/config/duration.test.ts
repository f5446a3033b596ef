import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_DURATION_MS, formatDuration, parseDuration } from './index.js';
import { closest } from '../core/index.js';

test('parseDuration reads the usual forms and refuses the rest', () => {
  const ok: [string, number][] = [
    ['0', 0],
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['24h', 86_400_000],
    ['2d', 172_800_000],
    ['1h30m', 5_400_000],
    ['1m1s1ms', 61_001],
  ];
  for (const [text, ms] of ok) assert.equal(parseDuration(text), ms, text);
  for (const bad of [
    '',
    'soon',
    '5',
    '-5m',
    '1.5h',
    '5 m',
    '5M',
    '30m1h',
    '1h1h',
    'h',
    '367d',
    `${'1'.repeat(40)}s`,
    '0s0',
  ]) {
    assert.equal(parseDuration(bad), undefined, bad);
  }
});

test('formatDuration and parseDuration round-trip every duration', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: MAX_DURATION_MS }),
      (ms) => parseDuration(formatDuration(ms)) === ms,
    ),
  );
  assert.equal(formatDuration(86_400_000), '24h');
  assert.equal(formatDuration(9_000_000), '2h30m');
});

test('closest suggests near spellings only', () => {
  assert.equal(closest('intreval', ['interval', 'gracePeriod']), 'interval');
  assert.equal(closest('token_ttl', ['tokenTtl', 'realm']), 'tokenTtl');
  assert.equal(closest('LISTEN', ['listen', 'data']), 'listen');
  assert.equal(closest('zzzzzz', ['listen', 'data']), undefined);
  assert.equal(closest('x'.repeat(10_000), ['listen']), undefined);
});
