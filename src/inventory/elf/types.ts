/** ELF constants and record shapes (System V gABI). Only what mamori's binary catalogers read. */

export const PT_LOAD = 1;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;
export const SHT_NOBITS = 8;

/** One program header (segment). */
export interface ElfProgramHeader {
  readonly type: number;
  readonly flags: number;
  /** File offset of the segment's bytes; may lie past the end of a damaged file. */
  readonly offset: number;
  readonly vaddr: bigint;
  /** Bytes of the segment present in the file. */
  readonly filesz: number;
  /** Bytes of the segment in memory (≥ filesz; the rest is zero-filled). */
  readonly memsz: bigint;
}

/** One section header, with its name resolved from the section-name string table. */
export interface ElfSection {
  readonly index: number;
  /** Empty when the file has no section-name table or the name is out of range. */
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly addr: bigint;
  /** File offset of the section's bytes; may lie past the end of a damaged file. */
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
}

/** The fixed part of an ELF file header. */
export interface ElfHeader {
  /** 32 or 64 (EI_CLASS). */
  readonly bits: 32 | 64;
  readonly littleEndian: boolean;
  /** e_type: 2 = EXEC, 3 = DYN (shared object or PIE), … */
  readonly type: number;
  /** e_machine: 62 = x86-64, 183 = AArch64, 3 = i386, 8 = MIPS, 22 = s390, … */
  readonly machine: number;
  readonly entry: bigint;
}
