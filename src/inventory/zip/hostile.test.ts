/**
 * Hostile archives: every lie a header can tell ends in a MamoriError with a
 * stable code, before memory or time grow with what the lie claims.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { BufferSource } from '../bytesource.js';
import type { ByteSource } from '../cataloger.js';
import { ZipArchive } from './index.js';
import type { ZipLimits } from './index.js';
import { buildZip } from './testing.js';

const invalid = { name: 'MamoriError', code: 'INVALID_ARGUMENT' };
const limit = { name: 'MamoriError', code: 'LIMIT_EXCEEDED' };

function open(buf: Buffer, limits?: Partial<ZipLimits>): Promise<ZipArchive> {
  return ZipArchive.open(new BufferSource(buf), limits);
}

async function drain(stream: NodeJS.ReadableStream): Promise<number> {
  let n = 0;
  for await (const c of stream) n += (c as Buffer).length;
  return n;
}

/** A source that counts the bytes it hands out, to show a refusal reads nothing big. */
class CountingSource implements ByteSource {
  bytesRead = 0;
  readonly size: number;
  constructor(private readonly inner: BufferSource) {
    this.size = inner.size;
  }
  async read(offset: number, length: number): Promise<Buffer> {
    const b = await this.inner.read(offset, length);
    this.bytesRead += b.length;
    return b;
  }
}

describe('ZipArchive on hostile archives', () => {
  it('reads a well-formed archive it built (baseline for the cases below)', async () => {
    const zip = await open(
      buildZip([
        { name: 'a.txt', data: 'alpha' },
        { name: 'b.txt', data: 'beta', method: 0 },
      ]),
    );
    assert.deepEqual(
      zip.entries.map((e) => e.name),
      ['a.txt', 'b.txt'],
    );
    const a = zip.get('a.txt');
    const b = zip.get('b.txt');
    assert.ok(a && b);
    assert.equal((await zip.read(a)).toString(), 'alpha');
    assert.equal((await zip.read(b)).toString(), 'beta');
  });

  it('stops a deflate entry that declares a small size but inflates to a huge one', async () => {
    const bomb = deflateRawSync(Buffer.alloc(50 * 1024 * 1024));
    const zip = await open(buildZip([{ name: 'bomb.bin', raw: bomb, declaredSize: 1000 }]));
    const e = zip.get('bomb.bin');
    assert.ok(e);
    // The compressed data is far larger than 1000 bytes could need: refused before reading.
    await assert.rejects(zip.read(e), invalid);
    await assert.rejects(drain(zip.createReadStream(e)), limit);
  });

  it('stops inflation exactly at the declared size when the compressed size is plausible', async () => {
    const data = Buffer.alloc(2_000_000, 7);
    const zip = await open(buildZip([{ name: 'x', raw: deflateRawSync(data), declaredSize: 1_000_000 }]), {
      maxCompressionRatio: 100_000,
    });
    const e = zip.get('x');
    assert.ok(e);
    await assert.rejects(zip.read(e), /inflates past its declared size/);
    await assert.rejects(drain(zip.createReadStream(e)), /inflates past its declared size/);
  });

  it('refuses an entry declaring a huge size before reading its data', async () => {
    const buf = buildZip([{ name: 'huge', data: 'tiny', zip64: true, declaredSize: 2 ** 40 }]);
    const counting = new CountingSource(new BufferSource(buf));
    const zip = await ZipArchive.open(counting);
    const e = zip.get('huge');
    assert.ok(e);
    assert.equal(e.uncompressedSize, 2 ** 40);
    const before = counting.bytesRead;
    await assert.rejects(zip.read(e), limit);
    await assert.rejects(drain(zip.createReadStream(e)), limit);
    assert.equal(counting.bytesRead, before, 'no data read for a refused entry');
  });

  it('refuses a compression ratio above the limit', async () => {
    const data = Buffer.alloc(8 * 1024 * 1024);
    const zip = await open(buildZip([{ name: 'zeros', data }]));
    const e = zip.get('zeros');
    assert.ok(e);
    await assert.rejects(zip.read(e), /compression ratio/);
    // The same entry is readable when the caller allows the ratio.
    const lenient = await open(buildZip([{ name: 'zeros', data }]), { maxCompressionRatio: 2000 });
    const e2 = lenient.get('zeros');
    assert.ok(e2);
    assert.equal((await lenient.read(e2)).length, data.length);
  });

  it('rejects truncated archives', async () => {
    const whole = buildZip([
      { name: 'a.txt', data: randomBytes(5000) },
      { name: 'b.txt', data: 'y' },
    ]);
    for (const cut of [0, 10, 21, whole.length - 30, whole.length - 1]) {
      await assert.rejects(open(whole.subarray(0, cut)), invalid, `cut at ${cut}`);
    }
    // Directory intact, data gone: the damage shows when the entry is read.
    const dataless = Buffer.concat([Buffer.alloc(200), whole.subarray(200)]);
    const zip = await open(dataless);
    const a = zip.get('a.txt');
    assert.ok(a);
    await assert.rejects(zip.read(a), invalid);
  });

  it('rejects a central directory or an entry pointing past the end of the file', async () => {
    await assert.rejects(open(buildZip([{ name: 'a', data: 'a' }], { cdOffset: 0x7fffff00 })), invalid);
    const good = buildZip([{ name: 'a', data: 'a' }]);
    const bad = Buffer.from(good);
    const cd = bad.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    bad.writeUInt32LE(0x7fff0000, cd + 42);
    await assert.rejects(open(bad), /points past the end/);
  });

  it('rejects absurd entry counts', async () => {
    const one = [{ name: 'a', data: 'a' }];
    await assert.rejects(open(buildZip(one, { declaredEntries: 60_000 })), /cannot hold/);
    await assert.rejects(open(buildZip(one, { zip64: true, declaredEntries: 1e12 })), limit);
    await assert.rejects(open(buildZip(one, { declaredEntries: 2 })), invalid);
    const many = Array.from({ length: 50 }, (_, i) => ({ name: `f${i}`, data: '' }));
    await assert.rejects(open(buildZip(many), { maxEntries: 10 }), limit);
  });

  it('enforces the name length bound', async () => {
    const zip = buildZip([{ name: 'n'.repeat(300), data: '' }]);
    await assert.rejects(open(zip, { maxNameLength: 255 }), limit);
    assert.equal((await open(zip)).entries[0]?.name.length, 300);
  });

  it('rejects CRC mismatches, corrupt deflate data, encryption and unknown methods', async () => {
    const zip = await open(
      buildZip([
        { name: 'crc', data: 'hello', crc: 1234 },
        { name: 'corrupt', raw: Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]), declaredSize: 5 },
        { name: 'locked', data: 'secret', flags: 1 },
        { name: 'bzip2', data: 'x', method: 12 },
      ]),
    );
    for (const [name, re] of [
      ['crc', /CRC-32/],
      ['corrupt', /corrupt deflate/],
      ['locked', /encrypted/],
      ['bzip2', /unsupported compression method 12/],
    ] as const) {
      const e = zip.get(name);
      assert.ok(e);
      await assert.rejects(zip.read(e), re, name);
      await assert.rejects(drain(zip.createReadStream(e)), re, name);
    }
  });

  it('rejects an entry whose local header is missing', async () => {
    const good = buildZip([{ name: 'a', data: 'abc' }]);
    const bad = Buffer.from(good);
    bad.writeUInt32LE(0, 0);
    const zip = await open(bad);
    const e = zip.get('a');
    assert.ok(e);
    await assert.rejects(zip.read(e), /no local header/);
  });

  it('refuses entries of another archive and invalid limits', async () => {
    const a = await open(buildZip([{ name: 'a', data: 'a' }]));
    const b = await open(buildZip([{ name: 'a', data: 'a' }]));
    const e = a.get('a');
    assert.ok(e);
    await assert.rejects(b.read(e), /does not belong/);
    await assert.rejects(open(buildZip([]), { maxEntries: -1 }), invalid);
  });

  it('reads an empty archive and an archive with a comment', async () => {
    assert.equal((await open(buildZip([]))).entries.length, 0);
    const zip = await open(
      buildZip([{ name: 'a', data: 'a' }], { comment: 'PK\u0005\u0006 fake end record inside' }),
    );
    assert.equal(zip.entries.length, 1);
  });
});
