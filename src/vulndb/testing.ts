/**
 * Test and benchmark support (not part of the build): a streaming ZIP writer
 * (deflate, ZIP64 end records past 65,535 entries) and generated OSV records
 * shaped like real ones, for feeds of any size built at test time.
 */
import { existsSync } from 'node:fs';
import { type FileHandle, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync } from 'node:zlib';

const FLUSH_AT = 1024 * 1024;

export class ZipWriter {
  private offset = 0;
  private readonly central: Buffer[] = [];
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private count = 0;

  private constructor(private readonly fh: FileHandle) {}

  static async create(path: string): Promise<ZipWriter> {
    return new ZipWriter(await open(path, 'w'));
  }

  async add(name: string, content: string | Buffer): Promise<void> {
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const body = deflateRawSync(data);
    const n = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(0x031e, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0800, 8);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(body.length, 20);
    cd.writeUInt32LE(data.length, 24);
    cd.writeUInt16LE(n.length, 28);
    cd.writeUInt32LE(this.offset, 42);
    this.central.push(cd, n);
    this.count++;
    await this.write(local, n, body);
  }

  private async write(...bufs: Buffer[]): Promise<void> {
    for (const b of bufs) {
      this.pending.push(b);
      this.pendingBytes += b.length;
      this.offset += b.length;
    }
    if (this.pendingBytes >= FLUSH_AT) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    await this.fh.write(Buffer.concat(this.pending, this.pendingBytes));
    this.pending = [];
    this.pendingBytes = 0;
  }

  async close(): Promise<void> {
    if (this.offset >= 0xffffffff) throw new Error('ZipWriter: archives past 4 GiB are not supported');
    const cdStart = this.offset;
    const cd = Buffer.concat(this.central);
    await this.write(cd);
    const z64 = this.count >= 0xffff;
    if (z64) {
      const rec = Buffer.alloc(56);
      rec.writeUInt32LE(0x06064b50, 0);
      rec.writeBigUInt64LE(44n, 4);
      rec.writeUInt16LE(45, 12);
      rec.writeUInt16LE(45, 14);
      rec.writeBigUInt64LE(BigInt(this.count), 24);
      rec.writeBigUInt64LE(BigInt(this.count), 32);
      rec.writeBigUInt64LE(BigInt(cd.length), 40);
      rec.writeBigUInt64LE(BigInt(cdStart), 48);
      const loc = Buffer.alloc(20);
      loc.writeUInt32LE(0x07064b50, 0);
      loc.writeBigUInt64LE(BigInt(cdStart + cd.length), 8);
      loc.writeUInt32LE(1, 16);
      await this.write(rec, loc);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(z64 ? 0xffff : this.count, 8);
    end.writeUInt16LE(z64 ? 0xffff : this.count, 10);
    end.writeUInt32LE(cd.length, 12);
    end.writeUInt32LE(cdStart, 16);
    await this.write(end);
    await this.flush();
    await this.fh.close();
  }
}

const ECOSYSTEMS = ['Go', 'PyPI', 'npm', 'Maven', 'Debian:12', 'crates.io', 'RubyGems', 'NuGet'];

function packageName(eco: string, n: number): string {
  switch (eco) {
    case 'Go':
      return `github.com/example${n % 97}/module-${n}`;
    case 'Maven':
      return `org.example${n % 53}:artifact-${n}`;
    default:
      return `package-${n}`;
  }
}

/** The id of the `i`-th generated record. */
export function generatedId(i: number): string {
  return `GEN-${2015 + (i % 10)}-${String(i).padStart(7, '0')}`;
}

/** The `i`-th generated OSV record (deterministic), about 1.5 KB of JSON like the real feeds. */
export function generatedRecord(i: number, modified = '2024-05-01T12:00:00Z'): string {
  const eco = ECOSYSTEMS[i % ECOSYSTEMS.length] as string;
  const pkg = packageName(eco, (i * 7919) % 40_000);
  const year = 2015 + (i % 10);
  const fixed = `${1 + (i % 9)}.${i % 17}.${i % 5}`;
  return JSON.stringify(
    {
      schema_version: '1.6.0',
      id: generatedId(i),
      modified,
      published: '2023-01-15T08:30:00Z',
      aliases: [
        `CVE-${year}-${100000 + i}`,
        `GHSA-${(i * 2654435761).toString(36).slice(0, 4)}-gen${i % 1000}-x`,
      ],
      summary: `Generated advisory ${i}: improper input validation in ${pkg}`,
      details:
        `A crafted request to ${pkg} before ${fixed} can cause excessive resource consumption. ` +
        'An attacker who can send input to an application using the affected function can make it ' +
        'allocate unbounded memory. Upgrade to the fixed version or bound the input size.',
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' }],
      affected: [
        {
          package: { ecosystem: eco, name: pkg },
          ranges: [{ type: eco === 'Go' ? 'SEMVER' : 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }],
          ecosystem_specific: { imports: [{ path: pkg, symbols: ['Parse', 'Decode'] }] },
        },
      ],
      references: [
        { type: 'ADVISORY', url: `https://example.org/advisories/GEN-${i}` },
        { type: 'FIX', url: `https://example.org/${pkg}/commit/${(i * 40503).toString(16)}` },
        { type: 'WEB', url: `https://example.org/issues/${i}` },
      ],
      database_specific: { source: 'generated', review_status: 'REVIEWED' },
    },
    null,
    2,
  );
}

/** Writes a zip of `count` generated records, as OSV publishes them (`<ID>.json` entries). */
export async function writeGeneratedZip(path: string, count: number, modified?: string): Promise<void> {
  const w = await ZipWriter.create(path);
  for (let i = 0; i < count; i++) {
    await w.add(`${generatedId(i)}.json`, generatedRecord(i, modified));
  }
  await w.close();
}

/** The repository's shared data (`../shared/data` beside the checkout), or undefined when absent. */
export function sharedData(): string | undefined {
  const candidates = [
    process.env.MAMORI_SHARED_DATA,
    fileURLToPath(new URL('./testdata/feeds', import.meta.url)),
    fileURLToPath(new URL('../../../shared/data', import.meta.url)),
    '/work/shared/data',
  ];
  return candidates.find((p): p is string => !!p && existsSync(join(p, 'osv')));
}

/** A private temporary directory, removed by `cleanup`. */
export async function tempDir(prefix = 'vulndb'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `mamori-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Packs files (name → content) into a zip the way OSV publishes its feeds. */
export async function writeZip(
  path: string,
  files: ReadonlyArray<readonly [string, string | Buffer]>,
): Promise<void> {
  const w = await ZipWriter.create(path);
  for (const [name, content] of files) await w.add(name, content);
  await w.close();
}
