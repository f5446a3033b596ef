import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { isMamoriError } from '../../../core/index.js';
import { parseRpmHeader, type RpmHeader } from './index.js';
import * as fx from './testdata/fixtures.js';
import { basicEntries, encodeHeader, indexPos, TAGS, type Entry } from './testdata/header-writer.js';

/** Calls the parser; returns the header or the MamoriError, and fails on any other exception. */
function attempt(blob: Uint8Array): RpmHeader | Error {
  try {
    return parseRpmHeader(blob);
  } catch (e) {
    if (!isMamoriError(e, 'INVALID_ARGUMENT')) throw e;
    return e;
  }
}

function rejects(blob: Uint8Array, pattern: RegExp): void {
  const r = attempt(blob);
  assert.ok(r instanceof Error, 'expected the header to be rejected');
  assert.match(r.message, pattern);
}

describe('parseRpmHeader on headers written by rpm', () => {
  let dir = '';
  let blobs: Buffer[] = [];
  let expected: fx.Expected[] = [];
  before(async () => {
    dir = await fx.tempDir('header');
    const db = await fx.makeSqliteDb(dir, await fx.buildRpms(dir), true);
    blobs = await fx.exportHeaders(db);
    expected = await fx.rpmQuery(db);
  });
  after(() => fx.removeDir(dir));

  it('reads every exported header exactly as rpm -qa reports it', () => {
    const got = blobs.map((b) => parseRpmHeader(b)).sort((a, b) => (a.name < b.name ? -1 : 1));
    assert.equal(got.length, expected.length);
    assert.deepEqual(got.map(fx.comparable), expected);
    const hello = got.find((h) => h.name === 'hello-mamori');
    assert.equal(hello?.epoch, 2);
    assert.equal(hello?.modularityLabel, 'mymod:1:20200101:abcdef');
    assert.equal(got.find((h) => h.name === 'meta-mamori')?.epoch, 0);
    assert.equal(got.find((h) => h.name === 'big-mamori')?.files.length, 631);
    assert.equal(got.find((h) => h.name === 'utf8-mamori')?.vendor, 'Société Générale ✓');
  });

  it('accepts a blob that still carries the 8-byte header magic', () => {
    const b = blobs[0];
    assert.ok(b);
    const withMagic = Buffer.concat([Buffer.from([0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0]), b]);
    assert.deepEqual(parseRpmHeader(withMagic), parseRpmHeader(b));
  });

  it('never throws anything but MamoriError on mutated real headers (fuzz)', () => {
    const small = blobs.filter((b) => b.length < 4096);
    assert.ok(small.length > 0);
    fc.assert(
      fc.property(
        fc.constantFrom(...small),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.option(fc.nat()),
        (blob, flips, cut) => {
          const m = Buffer.from(blob);
          for (const [pos, byte] of flips) m[pos % m.length] = byte;
          const input = cut === null ? m : m.subarray(0, cut % (m.length + 1));
          const r = attempt(input);
          if (!(r instanceof Error)) {
            assert.ok(r.name.length > 0);
            assert.ok(Array.isArray(r.files));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('never throws anything but MamoriError when index fields of a real header are overwritten (fuzz)', () => {
    const blob = blobs.find((b) => b.length < 4096);
    assert.ok(blob);
    const il = blob.readUInt32BE(0);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: il - 1 }),
        fc.constantFrom(0, 4, 8, 12),
        fc.oneof(fc.constantFrom(0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff0), fc.nat()),
        (entry, field, value) => {
          const m = Buffer.from(blob);
          m.writeUInt32BE(value >>> 0, indexPos(entry) + field);
          attempt(m);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('parseRpmHeader on hand-made headers', () => {
  it('builds the file list from the legacy OLDFILENAMES tag', () => {
    const blob = encodeHeader([
      ...basicEntries('legacy', '2.0', '3.el4'),
      { tag: TAGS.OLDFILENAMES, value: { type: 'string_array', v: ['/bin/legacy', '/etc/legacy.conf'] } },
    ]);
    assert.deepEqual(parseRpmHeader(blob), {
      name: 'legacy',
      version: '2.0',
      release: '3.el4',
      files: ['/bin/legacy', '/etc/legacy.conf'],
    });
  });

  it('prefers DIRNAMES/BASENAMES over OLDFILENAMES and drops entries with a bad directory index', () => {
    const blob = encodeHeader([
      ...basicEntries(),
      { tag: TAGS.OLDFILENAMES, value: { type: 'string_array', v: ['/old'] } },
      { tag: TAGS.DIRNAMES, value: { type: 'string_array', v: ['/usr/bin/', '/etc/'] } },
      { tag: TAGS.BASENAMES, value: { type: 'string_array', v: ['a', 'b', 'c'] } },
      { tag: TAGS.DIRINDEXES, value: { type: 'int32', v: [1, 7, 0] } },
    ]);
    assert.deepEqual(parseRpmHeader(blob).files, ['/etc/a', '/usr/bin/c']);
  });

  it('rejects a file list that would expand far beyond its header (one long directory named many times)', () => {
    const blob = encodeHeader([
      ...basicEntries(),
      { tag: TAGS.DIRNAMES, value: { type: 'string_array', v: [`/${'d'.repeat(100_000)}/`] } },
      { tag: TAGS.BASENAMES, value: { type: 'string_array', v: Array<string>(1000).fill('f') } },
      { tag: TAGS.DIRINDEXES, value: { type: 'int32', v: Array<number>(1000).fill(0) } },
    ]);
    rejects(blob, /file list larger than its header allows/);
  });

  it('lets a later (dribble) entry override an earlier one of the same tag, inside a region', () => {
    const blob = encodeHeader(
      [
        ...basicEntries(),
        { tag: TAGS.VENDOR, value: { type: 'string', v: 'old' } },
        { tag: TAGS.VENDOR, value: { type: 'string', v: 'new' } },
      ],
      { region: true },
    );
    assert.equal(parseRpmHeader(blob).vendor, 'new');
  });

  it('reads LONGSIZE before SIZE, and string tags stored as I18NSTRING or STRING_ARRAY', () => {
    const blob = encodeHeader([
      ...basicEntries(),
      { tag: TAGS.SIZE, value: { type: 'int32', v: [1] } },
      { tag: TAGS.LONGSIZE, value: { type: 'int64', v: [5_000_000_000n] } },
      { tag: TAGS.LICENSE, value: { type: 'i18n', v: ['MIT', 'ignored'] } },
      { tag: TAGS.ARCH, value: { type: 'string_array', v: ['s390x'] } },
    ]);
    const h = parseRpmHeader(blob);
    assert.equal(h.size, 5_000_000_000);
    assert.equal(h.license, 'MIT');
    assert.equal(h.arch, 's390x');
  });

  it('rejects headers without NAME, VERSION or RELEASE', () => {
    for (const drop of [TAGS.NAME, TAGS.VERSION, TAGS.RELEASE]) {
      rejects(encodeHeader(basicEntries().filter((e) => e.tag !== drop)), /NAME, VERSION or RELEASE missing/);
    }
  });

  it('rejects malformed preambles', () => {
    const good = encodeHeader(basicEntries());
    rejects(Buffer.alloc(0), /shorter than its preamble/);
    rejects(good.subarray(0, 7), /shorter than its preamble/);
    rejects(good.subarray(0, good.length - 1), /truncated/);
    const zeroIl = Buffer.from(good);
    zeroIl.writeUInt32BE(0, 0);
    rejects(zeroIl, /bad index entry count 0/);
    const hugeIl = Buffer.from(good);
    hugeIl.writeUInt32BE(0x10000, 0);
    rejects(hugeIl, /bad index entry count/);
    const hugeDl = Buffer.from(good);
    hugeDl.writeUInt32BE(0xffffffff, 4);
    rejects(hugeDl, /too large/);
  });

  it('rejects entries that point outside the data store or are of the wrong type', () => {
    const mk = (patch: (b: Buffer) => void, extra: Entry[] = []): Buffer => {
      const b = encodeHeader([...basicEntries(), ...extra]);
      patch(b);
      return b;
    };
    // Entry 0 is NAME: offset field at +8, count at +12, type at +4.
    rejects(
      mk((b) => b.writeInt32BE(-1, indexPos(0) + 8)),
      /offset -1 out of the data store/,
    );
    rejects(
      mk((b) => b.writeInt32BE(1 << 20, indexPos(0) + 8)),
      /out of the data store/,
    );
    rejects(
      mk((b) => b.writeUInt32BE(0, indexPos(0) + 12)),
      /count 0/,
    );
    rejects(
      mk((b) => b.writeUInt32BE(2, indexPos(0) + 12)),
      /string with count 2/,
    );
    rejects(
      mk((b) => b.writeUInt32BE(4, indexPos(0) + 4)),
      /not INT32|not a string type/,
    );
    // A string whose terminating NUL is missing: the last byte of the store.
    rejects(
      mk((b) => (b[b.length - 1] = 0x41)),
      /unterminated string/,
    );
    // An INT32 array longer than the store, and a misaligned INT32.
    const epoch: Entry[] = [{ tag: TAGS.EPOCH, value: { type: 'int32', v: [1] } }];
    rejects(
      mk((b) => b.writeUInt32BE(1000, indexPos(3) + 12), epoch),
      /bad count|runs past the store/,
    );
    rejects(
      mk((b) => b.writeInt32BE(b.readInt32BE(indexPos(3) + 8) + 1, indexPos(3) + 8), epoch),
      /out of the data store/,
    );
    rejects(
      mk(() => undefined, [{ tag: TAGS.EPOCH, value: { type: 'string', v: '1' } }]),
      /not INT32/,
    );
    rejects(
      mk(() => undefined, [{ tag: TAGS.LONGSIZE, value: { type: 'int64', v: [1n << 60n] } }]),
      /out of range/,
    );
  });

  it('ignores malformed entries of tags it does not read', () => {
    const b = encodeHeader([...basicEntries(), { tag: TAGS.SUMMARY, value: { type: 'string', v: 'x' } }]);
    b.writeInt32BE(-5000, indexPos(3) + 8);
    b.writeUInt32BE(99, indexPos(3) + 4);
    assert.equal(parseRpmHeader(b).name, 'pkg');
  });

  it('never throws anything but MamoriError on random bytes (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        attempt(bytes);
      }),
      { numRuns: 5000 },
    );
    // Random index and data behind a plausible preamble reach the entry checks.
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 256 }),
        fc.uint8Array({ maxLength: 512 }),
        (il, dl, rest) => {
          const pre = Buffer.alloc(8);
          pre.writeUInt32BE(il, 0);
          pre.writeUInt32BE(dl, 4);
          const body = Buffer.alloc(il * 16 + dl);
          Buffer.from(rest).copy(body);
          for (let i = 0; i < il; i++) body.writeUInt32BE(1000 + ((rest[i] ?? 0) % 4), i * 16);
          attempt(Buffer.concat([pre, body]));
        },
      ),
      { numRuns: 5000 },
    );
  });
});
