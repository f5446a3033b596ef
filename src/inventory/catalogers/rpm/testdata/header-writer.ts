/**
 * Encodes rpm header blobs (as stored in an rpmdb: il, dl, index, data, no
 * magic) for the tests that need a header no current rpmbuild writes: the
 * legacy OLDFILENAMES file list, dribble entries overriding region ones, and
 * deliberately malformed entries. Types and alignment follow rpm's
 * lib/header.c: INT16 on 2 bytes, INT32 on 4, INT64 on 8.
 */

export const TAGS = {
  HEADERIMMUTABLE: 63,
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SUMMARY: 1004,
  SIZE: 1009,
  VENDOR: 1011,
  LICENSE: 1014,
  ARCH: 1022,
  OLDFILENAMES: 1027,
  SOURCERPM: 1044,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  LONGSIZE: 5009,
  MODULARITYLABEL: 5096,
} as const;

export type Value =
  | { readonly type: 'string'; readonly v: string }
  | { readonly type: 'string_array' | 'i18n'; readonly v: readonly string[] }
  | { readonly type: 'int32'; readonly v: readonly number[] }
  | { readonly type: 'int64'; readonly v: readonly bigint[] }
  | { readonly type: 'bin'; readonly v: Buffer };

export interface Entry {
  readonly tag: number;
  readonly value: Value;
}

const TYPE_CODE = { int32: 4, int64: 5, string: 6, bin: 7, string_array: 8, i18n: 9 } as const;
const ALIGN = { int32: 4, int64: 8, string: 1, bin: 1, string_array: 1, i18n: 1 } as const;

function encodeValue(value: Value): { bytes: Buffer; count: number } {
  switch (value.type) {
    case 'string':
      return { bytes: Buffer.from(`${value.v}\0`, 'utf8'), count: 1 };
    case 'string_array':
    case 'i18n':
      return { bytes: Buffer.from(value.v.map((s) => `${s}\0`).join(''), 'utf8'), count: value.v.length };
    case 'int32': {
      const b = Buffer.alloc(value.v.length * 4);
      value.v.forEach((n, i) => b.writeUInt32BE(n, i * 4));
      return { bytes: b, count: value.v.length };
    }
    case 'int64': {
      const b = Buffer.alloc(value.v.length * 8);
      value.v.forEach((n, i) => b.writeBigUInt64BE(n, i * 8));
      return { bytes: b, count: value.v.length };
    }
    case 'bin':
      return { bytes: value.v, count: value.v.length };
  }
}

/** Encodes entries in the given order; with `region`, wraps them in an immutable region as installed headers are. */
export function encodeHeader(entries: readonly Entry[], opts: { region?: boolean } = {}): Buffer {
  const index: Buffer[] = [];
  const data: Buffer[] = [];
  let dl = 0;
  const il = entries.length + (opts.region ? 1 : 0);
  const push = (tag: number, type: number, offset: number, count: number): void => {
    const e = Buffer.alloc(16);
    e.writeUInt32BE(tag, 0);
    e.writeUInt32BE(type, 4);
    e.writeInt32BE(offset, 8);
    e.writeUInt32BE(count, 12);
    index.push(e);
  };
  for (const { tag, value } of entries) {
    const pad = (ALIGN[value.type] - (dl % ALIGN[value.type])) % ALIGN[value.type];
    if (pad) data.push(Buffer.alloc(pad));
    dl += pad;
    const { bytes, count } = encodeValue(value);
    push(tag, TYPE_CODE[value.type], dl, count);
    data.push(bytes);
    dl += bytes.length;
  }
  if (opts.region) {
    // The region tag comes first in the index; its data is a trailer entry
    // pointing back over the index, placed at the end of the data store.
    const trailer = Buffer.alloc(16);
    trailer.writeUInt32BE(TAGS.HEADERIMMUTABLE, 0);
    trailer.writeUInt32BE(TYPE_CODE.bin, 4);
    trailer.writeInt32BE(-(il * 16), 8);
    trailer.writeUInt32BE(16, 12);
    const e = Buffer.alloc(16);
    e.writeUInt32BE(TAGS.HEADERIMMUTABLE, 0);
    e.writeUInt32BE(TYPE_CODE.bin, 4);
    e.writeInt32BE(dl, 8);
    e.writeUInt32BE(16, 12);
    index.unshift(e);
    data.push(trailer);
    dl += 16;
  }
  const pre = Buffer.alloc(8);
  pre.writeUInt32BE(il, 0);
  pre.writeUInt32BE(dl, 4);
  return Buffer.concat([pre, ...index, ...data]);
}

/** A minimal valid package header. */
export function basicEntries(name = 'pkg', version = '1.0', release = '1'): Entry[] {
  return [
    { tag: TAGS.NAME, value: { type: 'string', v: name } },
    { tag: TAGS.VERSION, value: { type: 'string', v: version } },
    { tag: TAGS.RELEASE, value: { type: 'string', v: release } },
  ];
}

/** Byte position of index entry `i` (0-based, counting a region entry) in an encoded blob. */
export function indexPos(i: number): number {
  return 8 + i * 16;
}
