/**
 * Property: whatever the bytes, opening an archive and reading its entries
 * either succeeds within the bounds or fails with a MamoriError; no other
 * exception escapes and nothing hangs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isMamoriError } from '../../core/index.js';
import { BufferSource } from '../bytesource.js';
import { ZipArchive } from './index.js';
import { buildZip } from './testing.js';

const LIMITS = { maxEntrySize: 256 * 1024, maxEntries: 1000, maxCentralDirectorySize: 1 << 20 };

const SEEDS = [
  buildZip([
    { name: 'META-INF/MANIFEST.MF', data: 'Manifest-Version: 1.0\r\nImplementation-Version: 1.2.3\r\n\r\n' },
    { name: 'a/b/c.class', data: Buffer.alloc(3000, 0xca) },
    { name: 'stored.txt', data: 'stored data', method: 0 },
    { name: 'dir/', data: '', method: 0 },
  ]),
  buildZip(
    [
      { name: 'z64.txt', data: 'zip64 sizes in the extra field', zip64: true },
      { name: 'b', data: 'b'.repeat(500) },
    ],
    { zip64: true },
  ),
  buildZip([{ name: 'x', data: 'behind a launcher' }], { prefix: Buffer.from('#!/bin/sh\nexit 0\n') }),
];

/** Opens and reads everything; returns normally or throws only MamoriErrors. */
async function exercise(buf: Buffer): Promise<void> {
  let zip: ZipArchive;
  try {
    zip = await ZipArchive.open(new BufferSource(buf), LIMITS);
  } catch (e) {
    if (isMamoriError(e)) return;
    throw e;
  }
  assert.ok(zip.entries.length <= LIMITS.maxEntries);
  for (const e of zip.entries) {
    try {
      const out = await zip.read(e);
      assert.ok(out.length <= LIMITS.maxEntrySize);
    } catch (err) {
      if (!isMamoriError(err)) throw err;
    }
    try {
      let n = 0;
      for await (const c of zip.createReadStream(e)) n += (c as Buffer).length;
      assert.ok(n <= LIMITS.maxEntrySize);
    } catch (err) {
      if (!isMamoriError(err)) throw err;
    }
  }
}

describe('ZipArchive fuzzing', () => {
  it('survives byte mutations and truncations of valid archives', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...SEEDS),
        fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { maxLength: 12 }),
        fc.option(fc.nat(), { nil: undefined }),
        async (seed, edits, cut) => {
          const buf = Buffer.from(seed);
          for (const { at, byte } of edits) buf[at % buf.length] = byte;
          await exercise(cut === undefined ? buf : buf.subarray(0, cut % (buf.length + 1)));
        },
      ),
      { numRuns: 600 },
    );
  });

  it('survives arbitrary bytes around ZIP signatures', async () => {
    const sig = fc.constantFrom(
      [0x50, 0x4b, 0x03, 0x04],
      [0x50, 0x4b, 0x01, 0x02],
      [0x50, 0x4b, 0x05, 0x06],
      [0x50, 0x4b, 0x06, 0x06],
      [0x50, 0x4b, 0x06, 0x07],
    );
    const piece = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      sig.map((s) => Uint8Array.from(s)),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 24 }), async (pieces) => {
        await exercise(Buffer.concat(pieces));
      }),
      { numRuns: 600 },
    );
  });
});
