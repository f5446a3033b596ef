export {
  ElfFile,
  MAX_HEADER_TABLE_BYTES,
  MAX_PROGRAM_HEADERS,
  MAX_SECTIONS,
  MAX_SHSTRTAB_BYTES,
} from './elf.js';
export { ELF_MAGIC, isExecutableOrSharedObject } from './select.js';
export { PF_R, PF_W, PF_X, PT_LOAD, SHT_NOBITS } from './types.js';
export type { ElfHeader, ElfProgramHeader, ElfSection } from './types.js';
