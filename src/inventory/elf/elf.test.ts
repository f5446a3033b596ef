import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { isMamoriError } from '../../core/index.js';
import { BufferSource } from '../bytesource.js';
import type { ByteSource } from '../cataloger.js';
import { goFixtures } from '../catalogers/go/testdata/fixtures.js';
import type { FixtureName } from '../catalogers/go/testdata/fixtures.js';
import { ElfFile, PF_R, PF_W, PT_LOAD, isExecutableOrSharedObject } from './index.js';
import { buildElf } from './testdata/synth.js';

const execFileAsync = promisify(execFile);

interface ReadelfSegment {
  readonly isLoad: boolean;
  readonly offset: number;
  readonly vaddr: bigint;
  readonly filesz: number;
  readonly memsz: bigint;
}
interface ReadelfSection {
  readonly index: number;
  readonly name: string;
  readonly addr: bigint;
  readonly offset: number;
  readonly size: number;
}

/** Program and section headers as binutils' readelf prints them. */
async function readelf(file: string): Promise<{ segments: ReadelfSegment[]; sections: ReadelfSection[] }> {
  const { stdout: l } = await execFileAsync('readelf', ['-W', '-l', file], { maxBuffer: 16 << 20 });
  const { stdout: s } = await execFileAsync('readelf', ['-W', '-S', file], { maxBuffer: 16 << 20 });
  const segments: ReadelfSegment[] = [];
  let inTable = false;
  for (const line of l.split('\n')) {
    if (line.startsWith('Program Headers:')) inTable = true;
    else if (inTable && line.trim() === '') break;
    else if (inTable && !line.trim().startsWith('Type') && !line.trim().startsWith('[')) {
      const t = line.trim().split(/\s+/);
      segments.push({
        isLoad: t[0] === 'LOAD',
        offset: Number(t[1]),
        vaddr: BigInt(t[2] ?? '0'),
        filesz: Number(t[4]),
        memsz: BigInt(t[5] ?? '0'),
      });
    }
  }
  const sections: ReadelfSection[] = [];
  for (const line of s.split('\n')) {
    const m = /^\s*\[\s*(\d+)\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s/.exec(line);
    if (m === null || m[1] === '0') continue;
    sections.push({
      index: Number(m[1]),
      name: m[2] ?? '',
      addr: BigInt(`0x${m[3]}`),
      offset: Number(`0x${m[4]}`),
      size: Number(`0x${m[5]}`),
    });
  }
  return { segments, sections };
}

async function expectMamoriError(
  p: Promise<unknown>,
  code: 'INVALID_ARGUMENT' | 'LIMIT_EXCEEDED',
  re: RegExp,
): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isMamoriError(e, code), `expected MamoriError ${code}, got ${String(e)}`);
    assert.match(e.message, re);
    return true;
  });
}

describe('ElfFile on real binaries, against readelf', () => {
  const files: Record<string, { path: string; bits: 32 | 64; le: boolean }> = {};
  before(async () => {
    const fx = await goFixtures();
    const arch: [FixtureName, 32 | 64, boolean][] = [
      ['app', 64, true],
      ['app-pie', 64, true],
      ['libapp.so', 64, true],
      ['app-386', 32, true],
      ['app-mips', 32, false],
      ['app-s390x', 64, false],
      ['app-arm64', 64, true],
    ];
    for (const [n, bits, le] of arch) files[n] = { path: fx[n], bits, le };
    files['/bin/true'] = { path: '/bin/true', bits: 64, le: true };
  });

  it('reads class, byte order, program headers, named sections and virtual addresses as readelf does', async () => {
    assert.ok(Object.keys(files).length >= 8);
    for (const [name, f] of Object.entries(files)) {
      const buf = await readFile(f.path);
      const elf = await ElfFile.open(new BufferSource(buf));
      assert.equal(elf.header.bits, f.bits, name);
      assert.equal(elf.header.littleEndian, f.le, name);
      const want = await readelf(f.path);
      assert.ok(want.segments.length > 0 && want.sections.length > 0, name);
      assert.deepEqual(
        elf.programHeaders.map((p) => ({
          isLoad: p.type === PT_LOAD,
          offset: p.offset,
          vaddr: p.vaddr,
          filesz: p.filesz,
          memsz: p.memsz,
        })),
        want.segments,
        name,
      );
      const sections = await elf.sections();
      assert.deepEqual(
        sections
          .slice(1)
          .map((s) => ({ index: s.index, name: s.name, addr: s.addr, offset: s.offset, size: s.size })),
        want.sections,
        name,
      );
      // Every allocated section with file bytes reads the same through its virtual address.
      let mapped = 0;
      for (const s of sections) {
        if (s.addr === 0n || s.type === 8 || s.size === 0) continue;
        const n = Math.min(s.size, 256);
        const viaVaddr = await elf.readVirtual(s.addr, n);
        assert.deepEqual(viaVaddr, buf.subarray(s.offset, s.offset + n), `${name} ${s.name}`);
        mapped++;
      }
      assert.ok(mapped >= 5, `${name}: ${mapped} sections mapped`);
      assert.ok((await elf.section('.text')) !== undefined, name);
      assert.equal(await elf.section('.no-such-section'), undefined);
    }
  });

  it('reads only headers and requested ranges, not the whole file', async () => {
    const buf = await readFile('/bin/true');
    let bytes = 0;
    const counting: ByteSource = {
      size: buf.length,
      read: (o, n) => {
        bytes += Math.max(0, Math.min(n, buf.length - o));
        return Promise.resolve(buf.subarray(o, o + n));
      },
    };
    const elf = await ElfFile.open(counting);
    const names = await elf.section('.shstrtab');
    assert.ok(names !== undefined);
    assert.ok(bytes < buf.length / 2, `read ${bytes} of ${buf.length} bytes`);
  });
});

describe('ElfFile on hostile input', () => {
  const base = (): Buffer =>
    buildElf({
      bits: 64,
      littleEndian: true,
      segments: [{ type: PT_LOAD, flags: PF_R | PF_W, vaddr: 0x1000n, data: Buffer.alloc(64, 7) }],
      sections: [{ name: '.data', addr: 0x1000n, size: 64 }],
    });

  it('rejects what is not ELF, or too short to be', async () => {
    for (const b of [
      Buffer.alloc(0),
      Buffer.from('\x7fEL'),
      Buffer.from('#!/bin/sh\necho hi\n'),
      Buffer.alloc(100),
    ]) {
      await expectMamoriError(ElfFile.open(new BufferSource(b)), 'INVALID_ARGUMENT', /not an ELF file/);
    }
    const b = base();
    await expectMamoriError(
      ElfFile.open(new BufferSource(b.subarray(0, 40))),
      'INVALID_ARGUMENT',
      /truncated/,
    );
    const badClass = Buffer.from(b);
    badClass[4] = 9;
    await expectMamoriError(ElfFile.open(new BufferSource(badClass)), 'INVALID_ARGUMENT', /class/);
    const badData = Buffer.from(b);
    badData[5] = 0;
    await expectMamoriError(ElfFile.open(new BufferSource(badData)), 'INVALID_ARGUMENT', /data encoding/);
  });

  it('rejects program headers past the end of the file or too small', async () => {
    const b = base();
    b.writeBigUInt64LE(BigInt(b.length - 10), 32); // e_phoff
    await expectMamoriError(
      ElfFile.open(new BufferSource(b)),
      'INVALID_ARGUMENT',
      /program header table .* past the end/,
    );
    const c = base();
    c.writeUInt16LE(8, 54); // e_phentsize
    await expectMamoriError(ElfFile.open(new BufferSource(c)), 'INVALID_ARGUMENT', /entry size 8 too small/);
    const d = base();
    d.writeBigUInt64LE(0xffff_ffff_ffff_ff00n, 32);
    await expectMamoriError(ElfFile.open(new BufferSource(d)), 'INVALID_ARGUMENT', /past the end/);
  });

  it('rejects absurd counts without allocating for them', async () => {
    // A 1 TiB sparse source: every read returns zeros, and the largest read is recorded.
    const header = base();
    let largest = 0;
    const huge: ByteSource = {
      size: 2 ** 40,
      read: (o, n) => {
        largest = Math.max(largest, n);
        const out = Buffer.alloc(Math.min(n, 2 ** 40 - o));
        if (o < header.length) header.copy(out, 0, o, Math.min(header.length, o + out.length));
        return Promise.resolve(out);
      },
    };
    header.writeUInt16LE(0xffff, 56); // e_phnum = PN_XNUM: count in section 0's sh_info (zero here)
    header.writeUInt16LE(0xffff, 54); // e_phentsize
    const x = await ElfFile.open(huge);
    assert.equal(x.programHeaders.length, 0);
    header.writeUInt16LE(60000, 56); // 60000 × 65535 bytes of program headers
    await expectMamoriError(ElfFile.open(huge), 'LIMIT_EXCEEDED', /program header table too large/);
    header.writeUInt16LE(1, 56);
    header.writeUInt16LE(56, 54);
    header.writeUInt16LE(0, 60); // e_shnum = 0: count in section 0's sh_size
    const shoff = Number(header.readBigUInt64LE(40));
    header.writeBigUInt64LE(2n ** 40n, shoff + 32);
    const y = await ElfFile.open(huge);
    await expectMamoriError(y.sections(), 'LIMIT_EXCEEDED', /more than \d+ sections/);
    assert.ok(largest <= 64 << 20, `largest read ${largest}`);
  });

  it('rejects a section table past the end of the file, but still opens for the program headers', async () => {
    const b = base();
    b.writeBigUInt64LE(BigInt(b.length + 4096), 40); // e_shoff
    const elf = await ElfFile.open(new BufferSource(b));
    assert.equal(elf.programHeaders.length, 1);
    await expectMamoriError(elf.sections(), 'INVALID_ARGUMENT', /past the end/);
    assert.deepEqual(await elf.readVirtual(0x1010n, 4), Buffer.alloc(4, 7));
  });

  it('rejects a section-name table index out of range, and a bad section entry size', async () => {
    const b = base();
    b.writeUInt16LE(200, 62); // e_shstrndx
    await expectMamoriError(
      (await ElfFile.open(new BufferSource(b))).sections(),
      'INVALID_ARGUMENT',
      /index 200 out of range/,
    );
    const c = base();
    c.writeUInt16LE(10, 58); // e_shentsize
    await expectMamoriError(
      (await ElfFile.open(new BufferSource(c))).sections(),
      'INVALID_ARGUMENT',
      /too small/,
    );
  });

  it('bounds section reads: past the end of the file, or larger than asked for', async () => {
    const b = base();
    const elf0 = await ElfFile.open(new BufferSource(b));
    const data = await elf0.section('.data');
    assert.ok(data !== undefined);
    assert.deepEqual(await elf0.readSection(data, 1024), Buffer.alloc(64, 7));
    await expectMamoriError(elf0.readSection(data, 63), 'LIMIT_EXCEEDED', /more than 63/);
    // Move .data's offset past the end of the file.
    const shoff = Number(b.readBigUInt64LE(40));
    b.writeBigUInt64LE(BigInt(b.length * 2), shoff + 64 + 24);
    const elf = await ElfFile.open(new BufferSource(b));
    const moved = await elf.section('.data');
    assert.ok(moved !== undefined);
    await expectMamoriError(
      elf.readSection(moved, 1024),
      'INVALID_ARGUMENT',
      /section \.data .* past the end/,
    );
  });

  it('maps no address through a segment whose bytes lie past the end of the file', async () => {
    const b = base();
    b.writeBigUInt64LE(BigInt(b.length + 100), 64 + 8); // p_offset
    const elf = await ElfFile.open(new BufferSource(b));
    assert.equal(elf.fileOffset(0x1000n), undefined);
    assert.equal((await elf.readVirtual(0x1000n, 16)).length, 0);
    assert.equal((await elf.readVirtual(0xfffn, 16)).length, 0);
  });
});

describe('isExecutableOrSharedObject', () => {
  it('selects executables and shared objects by name', () => {
    const e = (path: string, mode: number) =>
      isExecutableOrSharedObject({ path, mode, type: 'file', size: 1 });
    assert.equal(e('/usr/bin/app', 0o755), true);
    assert.equal(e('/usr/bin/app', 0o100), true);
    assert.equal(e('/usr/lib/libx.so', 0o644), true);
    assert.equal(e('/usr/lib/libx.so.1.2.3', 0o644), true);
    assert.equal(e('/etc/passwd', 0o644), false);
    assert.equal(e('/usr/lib/libx.so.txt', 0o644), false);
    assert.equal(e('/usr/lib/x.sock', 0o644), false);
  });
});
