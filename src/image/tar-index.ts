import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { MamoriError } from '../core/index.js';

/** Blobs are read in large chunks: fewer reads and fewer hops through the decompressor. */
const BLOB_READ_CHUNK = 256 * 1024;

export interface TarMember {
  readonly offset: number;
  readonly size: number;
  /** Tar typeflag: '0' regular, '2' symlink, '5' directory, … */
  readonly type: string;
  readonly linkname: string;
}

const BLOCK = 512;
const MAX_MEMBERS = 1_000_000;
const MAX_META = 1024 * 1024;

function cstr(buf: Buffer, start: number, len: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('utf8', start, end === -1 || end > start + len ? start + len : end);
}

function octal(buf: Buffer, start: number, len: number, what: string): number {
  // GNU base-256 encoding for large sizes.
  if ((buf[start] ?? 0) & 0x80) {
    let v = 0;
    for (let i = start + 1; i < start + len; i++) v = v * 256 + (buf[i] ?? 0);
    if (!Number.isSafeInteger(v)) throw new MamoriError('INVALID_LAYER', `${what}: size out of range`);
    return v;
  }
  const s = cstr(buf, start, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new MamoriError('INVALID_LAYER', `${what}: bad octal field "${s}"`);
  return parseInt(s, 8);
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] ?? 0);
  const stored = parseInt(cstr(h, 148, 8).trim() || 'x', 8);
  return stored === sum;
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp === -1) break;
    const len = parseInt(data.toString('ascii', i, sp), 10);
    if (!Number.isSafeInteger(len) || len <= 0 || i + len > data.length) break;
    const rec = data.toString('utf8', sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

/** Normalises a member name to a relative path without `./` or trailing `/`. */
export function normalizeMemberName(name: string): string {
  return name
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/');
}

/**
 * Indexes the members of an uncompressed tar file by reading its headers
 * only, so members (blobs of an archived image) can later be streamed by
 * offset without extracting anything.
 */
export class TarIndex {
  private constructor(
    readonly path: string,
    private readonly members: ReadonlyMap<string, TarMember>,
  ) {}

  static async open(path: string): Promise<TarIndex> {
    let fh;
    try {
      fh = await open(path, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new MamoriError(code === 'ENOENT' ? 'NOT_FOUND' : 'IO', `${path}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    try {
      const { size: fileSize } = await fh.stat();
      const head = Buffer.alloc(BLOCK);
      const members = new Map<string, TarMember>();
      let pos = 0;
      let longName: string | undefined;
      let longLink: string | undefined;
      let pax: Record<string, string> = {};
      for (;;) {
        if (pos + BLOCK > fileSize) {
          if (members.size === 0) throw new MamoriError('INVALID_LAYER', `${path}: not a tar archive`);
          throw new MamoriError('INVALID_LAYER', `${path}: truncated tar archive`);
        }
        await fh.read(head, 0, BLOCK, pos);
        if (pos === 0 && ((head[0] === 0x1f && head[1] === 0x8b) || head.readUInt32LE(0) === 0xfd2fb528)) {
          throw new MamoriError(
            'INVALID_LAYER',
            `${path}: compressed archives are not supported; decompress it first`,
          );
        }
        if (head.every((b) => b === 0)) break;
        if (!checksumOk(head))
          throw new MamoriError('INVALID_LAYER', `${path}: bad tar header checksum at offset ${pos}`);
        const what = `${path} at offset ${pos}`;
        const size = octal(head, 124, 12, what);
        const type = String.fromCharCode(head[156] || 0x30);
        const dataOffset = pos + BLOCK;
        if (dataOffset + size > fileSize)
          throw new MamoriError('INVALID_LAYER', `${path}: truncated tar archive`);
        pos = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
        if (type === 'L' || type === 'K' || type === 'x' || type === 'g') {
          if (size > MAX_META)
            throw new MamoriError('LIMIT_EXCEEDED', `${what}: tar metadata record too large`);
          const data = Buffer.alloc(size);
          await fh.read(data, 0, size, dataOffset);
          if (type === 'L') longName = cstr(data, 0, size);
          else if (type === 'K') longLink = cstr(data, 0, size);
          else if (type === 'x') pax = parsePax(data);
          continue;
        }
        const magic = head.toString('ascii', 257, 262);
        const prefix = magic === 'ustar' ? cstr(head, 345, 155) : '';
        const rawName =
          pax.path ?? longName ?? (prefix ? `${prefix}/${cstr(head, 0, 100)}` : cstr(head, 0, 100));
        const linkname = pax.linkpath ?? longLink ?? cstr(head, 157, 100);
        const realSize = pax.size !== undefined ? Number(pax.size) : size;
        longName = longLink = undefined;
        pax = {};
        const name = normalizeMemberName(rawName);
        if (members.size >= MAX_MEMBERS)
          throw new MamoriError('LIMIT_EXCEEDED', `${path}: too many tar members`);
        if (name !== '') members.set(name, { offset: dataOffset, size: realSize, type, linkname });
      }
      return new TarIndex(path, members);
    } finally {
      await fh.close();
    }
  }

  get(name: string): TarMember | undefined {
    return this.members.get(normalizeMemberName(name));
  }

  names(): IterableIterator<string> {
    return this.members.keys();
  }

  /** Resolves hard and symbolic links between members (docker save links duplicate layers). */
  resolve(name: string): TarMember | undefined {
    let m = this.get(name);
    let current = normalizeMemberName(name);
    for (let hops = 0; m && (m.type === '1' || m.type === '2') && hops < 16; hops++) {
      const base =
        m.type === '2' && !m.linkname.startsWith('/') ? current.split('/').slice(0, -1).join('/') : '';
      current = normalizeMemberName(base ? `${base}/${m.linkname}` : m.linkname);
      if (current.split('/').includes('..')) return undefined;
      m = this.get(current);
    }
    return m && (m.type === '0' || m.type === '\0' || m.type === '7') ? m : undefined;
  }

  async read(name: string, max: number): Promise<Buffer> {
    const m = this.resolve(name);
    if (!m) throw new MamoriError('NOT_FOUND', `${this.path}: ${name} not found in archive`);
    if (m.size > max)
      throw new MamoriError('LIMIT_EXCEEDED', `${this.path}: ${name} is larger than ${max} bytes`);
    const fh = await open(this.path, 'r');
    try {
      const buf = Buffer.alloc(m.size);
      await fh.read(buf, 0, m.size, m.offset);
      return buf;
    } finally {
      await fh.close();
    }
  }

  stream(name: string): Readable {
    const m = this.resolve(name);
    if (!m) throw new MamoriError('NOT_FOUND', `${this.path}: ${name} not found in archive`);
    if (m.size === 0) return Readable.from([]);
    return createReadStream(this.path, {
      start: m.offset,
      end: m.offset + m.size - 1,
      highWaterMark: BLOB_READ_CHUNK,
    });
  }
}
