import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { MarkSet, markFrom } from './mark.js';

const d256 = (i: number): string => `sha256:${createHash('sha256').update(String(i)).digest('hex')}`;
const d512 = (i: number): string => `sha512:${createHash('sha512').update(String(i)).digest('hex')}`;

async function* from<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

describe('MarkSet', () => {
  it('answers membership for sorted, unsorted, duplicate and non-canonical digests', async () => {
    const sorted = Array.from({ length: 5000 }, (_, i) => d256(i)).sort();
    const wide = Array.from({ length: 300 }, (_, i) => d512(i)).sort();
    const odd = ['sha256:ABC', 'blake3:0011', 'sha256:' + 'a'.repeat(63)];
    const shuffled = [d256(900_001), d256(900_002), d256(900_003)];
    const mark = await markFrom(from([...sorted, ...wide, ...odd, ...shuffled, sorted[10] as string]));
    assert.equal(mark.size, sorted.length + wide.length + odd.length + shuffled.length);
    for (const d of [...sorted, ...wide, ...odd, ...shuffled]) assert.ok(mark.has(d), d);
    for (let i = 5000; i < 5200; i++) assert.equal(mark.has(d256(i)), false);
    assert.equal(mark.has(d512(301)), false);
    assert.equal(mark.has('not a digest'), false);
    assert.equal(new MarkSet().has(d256(1)), false);
  });

  it('stops when the signal is aborted', async () => {
    const ac = new AbortController();
    ac.abort(new Error('halt'));
    await assert.rejects(markFrom(from([d256(1)]), ac.signal), /halt/);
  });
});
