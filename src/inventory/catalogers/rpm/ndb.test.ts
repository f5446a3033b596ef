import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { isMamoriError } from '../../../core/index.js';
import { BufferSource } from '../../bytesource.js';
import { readNdb, readRpmDb, type RpmDbContents } from './index.js';
import * as fx from './testdata/fixtures.js';
import { writeNdb, type NdbLayout } from './testdata/ndb-writer.js';

const byName = (a: { name: string }, b: { name: string }): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

async function readBytes(bytes: Buffer): Promise<RpmDbContents | Error> {
  try {
    return await readRpmDb('ndb', new BufferSource(bytes));
  } catch (e) {
    if (!isMamoriError(e)) throw e;
    return e;
  }
}

describe('readNdb', () => {
  let dir = '';
  let blobs: Buffer[] = [];
  let expected: fx.Expected[] = [];
  let layout: NdbLayout;
  before(async () => {
    dir = await fx.tempDir('ndb');
    const sqlite = await fx.makeSqliteDb(dir, await fx.buildRpms(dir), true);
    blobs = await fx.exportHeaders(sqlite);
    expected = await fx.rpmQuery(sqlite);
    layout = writeNdb(blobs.map((blob, i) => ({ pkgidx: i + 1, blob })));
  });
  after(() => fx.removeDir(dir));

  it('reads the headers rpm wrote, framed as an NDB database', async () => {
    const db = await readBytes(layout.file);
    assert.ok(!(db instanceof Error));
    assert.equal(db.dropped, 0);
    assert.deepEqual(db.headers.map(fx.comparable).sort(byName), expected);
  });

  it('skips free slots and free space between blobs, across several slot pages', async () => {
    const spread = writeNdb(
      blobs.map((blob, i) => ({ pkgidx: 10 + i * 3, blob })),
      { slotPages: 3, gapBlocks: 7, freeSlotsBetween: 150 },
    );
    const db = await readBytes(spread.file);
    assert.ok(!(db instanceof Error));
    assert.equal(db.dropped, 0);
    assert.deepEqual(db.headers.map(fx.comparable).sort(byName), expected);
    const keys = [];
    for await (const r of readNdb(new BufferSource(spread.file))) keys.push(r.key);
    assert.deepEqual(
      keys,
      blobs.map((_, i) => 10 + i * 3),
    );
  });

  it('rejects a file that is not an NDB database, or whose slot pages are missing', async () => {
    await assert.rejects(readRpmDb('ndb', new BufferSource(Buffer.alloc(0))), /NDB rpm database: bad magic/);
    await assert.rejects(readRpmDb('ndb', new BufferSource(Buffer.alloc(4096, 1))), /bad magic/);
    const v1 = Buffer.from(layout.file);
    v1.writeUInt32LE(1, 4);
    await assert.rejects(readRpmDb('ndb', new BufferSource(v1)), /unsupported version 1/);
    const pagesGone = Buffer.from(layout.file);
    pagesGone.writeUInt32LE(100000, 12);
    await assert.rejects(readRpmDb('ndb', new BufferSource(pagesGone)), /bad slot page count/);
    await assert.rejects(
      readRpmDb('ndb', new BufferSource(layout.file.subarray(0, 2000))),
      /bad slot page count/,
    );
  });

  it('drops the packages cut off by truncation', async () => {
    const last = Math.max(...layout.blobOffsets.values());
    const r = await readBytes(layout.file.subarray(0, last + 20));
    assert.ok(!(r instanceof Error));
    assert.equal(r.dropped, 1);
    assert.match(r.errors[0] ?? '', /past the end of the file/);
    assert.equal(r.headers.length, expected.length - 1);
  });

  it('drops a blob whose frame disagrees with its slot, and overlapping blobs', async () => {
    const otherPkg = Buffer.from(layout.file);
    otherPkg.writeUInt32LE(99, (layout.blobOffsets.get(2) ?? 0) + 4);
    const r1 = await readBytes(otherPkg);
    assert.ok(!(r1 instanceof Error));
    assert.deepEqual([r1.dropped, r1.errors], [1, ['package 2: blob belongs to another package']]);

    const badLen = Buffer.from(layout.file);
    badLen.writeUInt32LE(5, (layout.blobOffsets.get(3) ?? 0) + 12);
    const r2 = await readBytes(badLen);
    assert.ok(!(r2 instanceof Error));
    assert.match(r2.errors[0] ?? '', /length disagrees/);

    // Slot 2 claims the blocks of slot 1.
    const overlap = Buffer.from(layout.file);
    const s1 = layout.slotOffsets.get(1) ?? 0;
    const s2 = layout.slotOffsets.get(2) ?? 0;
    overlap.writeUInt32LE(overlap.readUInt32LE(s1 + 8), s2 + 8);
    const r3 = await readBytes(overlap);
    assert.ok(!(r3 instanceof Error));
    assert.equal(r3.dropped, 1);
    assert.match(r3.errors[0] ?? '', /overlaps|belongs to another package/);
  });

  it('reports a slot page with bad slot magics once and keeps the good slots', async () => {
    const twoPages = writeNdb(
      blobs.map((blob, i) => ({ pkgidx: i + 1, blob })),
      { slotPages: 2 },
    );
    const f = Buffer.from(twoPages.file);
    f.fill(0, 4096, 8192); // the second slot page, all unused, is zeroed
    const r = await readBytes(f);
    assert.ok(!(r instanceof Error));
    assert.equal(r.headers.length, expected.length);
    assert.deepEqual(r.errors, ['slot page 1: 256 slots with a bad magic']);
  });

  it('never hangs or throws anything but MamoriError on mutated databases (fuzz)', async () => {
    const base = layout.file;
    const slotFields = [...layout.slotOffsets.values()].flatMap((o) => [o, o + 4, o + 8, o + 12]);
    const blobFields = [...layout.blobOffsets.values()].flatMap((o) => [o, o + 4, o + 12]);
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.tuple(
              fc.constantFrom(...slotFields, ...blobFields, 12),
              fc.oneof(fc.nat(), fc.constantFrom(0, 1, 0xffffffff, 0x10000000)),
            ),
            fc.tuple(fc.nat(base.length - 4), fc.nat()),
          ),
          { minLength: 1, maxLength: 6 },
        ),
        fc.option(fc.nat(base.length)),
        async (mutations, cut) => {
          const f = Buffer.from(base);
          for (const [at, v] of mutations) f.writeUInt32LE(v >>> 0, at);
          await readBytes(cut === null ? f : f.subarray(0, cut));
        },
      ),
      { numRuns: 500 },
    );
  });
});
