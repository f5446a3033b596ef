/**
 * Test support: synthetic ELF files carrying Go build information in both
 * layouts. The pre-1.18 pointer layout cannot be produced by the installed
 * Go toolchain, so these are written byte by byte, after Go's linker
 * (cmd/link/internal/ld/data.go, `buildinfo`) and debug/buildinfo.
 */
import { PF_R, PF_W, PT_LOAD } from '../../../elf/index.js';
import { buildElf } from '../../../elf/testdata/synth.js';

/** cmd/go/internal/modload infoStart / infoEnd: the 16-byte sentinels around module text. */
export const INFO_START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
export const INFO_END = Buffer.from('f932433186182072008242104116d8f2', 'hex');
const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');

export function framed(modText: string): Buffer {
  return Buffer.concat([INFO_START, Buffer.from(modText, 'utf8'), INFO_END]);
}

function uvarint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Buffer.from(out);
}

export interface SynthGoOptions {
  readonly bits: 32 | 64;
  readonly littleEndian: boolean;
  readonly version: string;
  /** Module text as stored (use `framed()` for the sentinels). */
  readonly mod: Buffer;
  /** Name the blob's section `.go.buildinfo` (default true); without it the reader scans the data segment. */
  readonly section?: boolean;
  /** Bytes of filler before the blob inside the data segment (default 0; keep it a multiple of 16 to stay aligned). */
  readonly lead?: number;
}

/** Go ≥ 1.18: flags & 2, varint-prefixed strings right after the 32-byte header. */
export function inlineFormatElf(o: SynthGoOptions): Buffer {
  const hdr = Buffer.alloc(32);
  MAGIC.copy(hdr);
  hdr[14] = o.bits / 8;
  hdr[15] = 2 | (o.littleEndian ? 0 : 1);
  const v = Buffer.from(o.version, 'utf8');
  const blob = Buffer.concat([hdr, uvarint(v.length), v, uvarint(o.mod.length), o.mod]);
  const lead = o.lead ?? 0;
  const data = Buffer.concat([Buffer.alloc(lead, 0x11), blob, Buffer.alloc(64)]);
  const vaddr = 0x500000n;
  return buildElf({
    bits: o.bits,
    littleEndian: o.littleEndian,
    segments: [
      { type: PT_LOAD, flags: PF_R | 1, vaddr: 0x400000n, data: Buffer.alloc(64, 0x90) },
      { type: PT_LOAD, flags: PF_R | PF_W, vaddr, data },
    ],
    sections:
      o.section === false ? [] : [{ name: '.go.buildinfo', addr: vaddr + BigInt(lead), size: blob.length }],
  });
}

/**
 * Before Go 1.18: the header holds pointers to two Go string headers
 * `{data, len}` (here in the data segment), whose bytes live in a read-only
 * segment. `zeroPointers` mimics a PIE binary, whose pointers the file leaves
 * to dynamic relocations.
 */
export function pointerFormatElf(o: SynthGoOptions & { readonly zeroPointers?: boolean }): Buffer {
  const ptr = o.bits / 8;
  const roAddr = 0x400000n;
  const rwAddr = 0x500000n;
  const v = Buffer.from(o.version, 'utf8');
  const ro = Buffer.concat([v, Buffer.alloc(16 - (v.length % 16)), o.mod]);
  const modAddr = roAddr + BigInt(v.length + (16 - (v.length % 16)));
  const rw = Buffer.alloc(32 + 4 * ptr + 64);
  MAGIC.copy(rw);
  rw[14] = ptr;
  rw[15] = o.littleEndian ? 0 : 1;
  const put = (off: number, val: bigint): void => {
    const x = o.zeroPointers === true ? 0n : val;
    if (ptr === 8) {
      if (o.littleEndian) rw.writeBigUInt64LE(x, off);
      else rw.writeBigUInt64BE(x, off);
    } else if (o.littleEndian) rw.writeUInt32LE(Number(x), off);
    else rw.writeUInt32BE(Number(x), off);
  };
  const versHdr = rwAddr + 32n;
  const modHdr = rwAddr + 32n + BigInt(2 * ptr);
  put(16, versHdr);
  put(16 + ptr, modHdr);
  put(32, roAddr);
  put(32 + ptr, BigInt(v.length));
  put(32 + 2 * ptr, modAddr);
  put(32 + 3 * ptr, BigInt(o.mod.length));
  return buildElf({
    bits: o.bits,
    littleEndian: o.littleEndian,
    machine: o.bits === 64 ? (o.littleEndian ? 62 : 22) : o.littleEndian ? 3 : 8,
    segments: [
      { type: PT_LOAD, flags: PF_R, vaddr: roAddr, data: ro },
      { type: PT_LOAD, flags: PF_R | PF_W, vaddr: rwAddr, data: rw },
    ],
    sections: o.section === false ? [] : [{ name: '.go.buildinfo', addr: rwAddr, size: 32 }],
  });
}
