/**
 * Property-based fuzzing of the ELF reader and the parsers built on it:
 * well-formed synthetic binaries (Go build info in both layouts, a
 * cargo-auditable section; 32/64-bit, both byte orders) are mutated at random
 * (header bytes most often), truncated, or replaced by random bytes after the
 * magic. Every reader must then return a value or reject with a MamoriError —
 * never another exception — and read a bounded number of bytes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { MamoriError } from '../../core/index.js';
import { BufferSource } from '../bytesource.js';
import type { ByteSource } from '../cataloger.js';
import { readGoBuildInfo } from '../catalogers/go/index.js';
import { framed, inlineFormatElf, pointerFormatElf } from '../catalogers/go/testdata/synthgo.js';
import { readCargoAuditable } from '../catalogers/rust/index.js';
import { ElfFile, PF_R, PF_W, PT_LOAD } from './index.js';
import { buildElf } from './testdata/synth.js';

const MOD = framed(
  'path\tex.com/a\nmod\tex.com/a\t(devel)\t\ndep\tex.com/b\tv1.0.0\th1:x=\n=>\tex.com/c\tv1.1.0\th1:y=\nbuild\t-ldflags="-s -w"\n',
);

const SEEDS: readonly Buffer[] = [
  inlineFormatElf({ bits: 64, littleEndian: true, version: 'go1.21.0', mod: MOD }),
  inlineFormatElf({ bits: 32, littleEndian: false, version: 'go1.21.0', mod: MOD, section: false, lead: 32 }),
  pointerFormatElf({ bits: 64, littleEndian: false, version: 'go1.16', mod: MOD }),
  pointerFormatElf({ bits: 32, littleEndian: true, version: 'go1.16', mod: MOD, section: false }),
  buildElf({
    bits: 64,
    littleEndian: true,
    segments: [{ type: PT_LOAD, flags: PF_R | PF_W, vaddr: 0x1000n, data: Buffer.alloc(32, 1) }],
    sections: [
      {
        name: '.dep-v0',
        data: deflateSync(
          JSON.stringify({ packages: [{ name: 'a', version: '1.0.0', source: 'crates.io' }] }),
        ),
      },
    ],
  }),
];

/** A source that counts the bytes handed out. */
function counting(buf: Buffer): { src: ByteSource; bytes: () => number } {
  let total = 0;
  const inner = new BufferSource(buf);
  return {
    src: {
      size: buf.length,
      read: async (o, n) => {
        const b = await inner.read(o, n);
        total += b.length;
        return b;
      },
    },
    bytes: () => total,
  };
}

async function settle(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof MamoriError)) throw e;
  }
}

async function exercise(buf: Buffer): Promise<void> {
  const c = counting(buf);
  await settle(readGoBuildInfo(c.src));
  await settle(readCargoAuditable(c.src));
  await settle(
    (async () => {
      const elf = await ElfFile.open(c.src);
      for (const s of await elf.sections()) {
        await settle(elf.readSection(s, 1 << 16));
        await elf.readVirtual(s.addr, 64);
      }
    })(),
  );
  // Every reader stays within a few passes over the (small) file.
  assert.ok(
    c.bytes() <= 64 * Math.max(buf.length, 4096),
    `read ${c.bytes()} bytes of a ${buf.length}-byte file`,
  );
}

const mutation = fc.record({
  seed: fc.nat({ max: SEEDS.length - 1 }),
  edits: fc.array(fc.tuple(fc.oneof(fc.nat({ max: 255 }), fc.nat({ max: 1 << 16 })), fc.nat({ max: 255 })), {
    minLength: 1,
    maxLength: 12,
  }),
  cut: fc.option(fc.nat({ max: 1 << 16 }), { nil: undefined }),
});

describe('ELF and binary-parser fuzzing', () => {
  it('the seeds parse', async () => {
    for (const s of SEEDS.slice(0, 4))
      assert.ok((await readGoBuildInfo(new BufferSource(s)))?.deps.length === 1);
    assert.equal(
      (await readCargoAuditable(new BufferSource(SEEDS[4] ?? Buffer.alloc(0))))?.packages.length,
      1,
    );
  });

  it('mutated binaries give a value or a MamoriError, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(mutation, async ({ seed, edits, cut }) => {
        const buf = Buffer.from(SEEDS[seed] ?? Buffer.alloc(0));
        for (const [pos, val] of edits) buf[pos % buf.length] = val;
        await exercise(cut === undefined ? buf : buf.subarray(0, cut % (buf.length + 1)));
      }),
      { numRuns: 400 },
    );
  });

  it('random bytes after the ELF magic give a value or a MamoriError', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 0, maxLength: 512 }),
        fc.constantFrom(1, 2),
        fc.constantFrom(1, 2),
        async (rest, cls, data) => {
          await exercise(Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, cls, data, 1]), rest]));
        },
      ),
      { numRuns: 400 },
    );
  });
});
