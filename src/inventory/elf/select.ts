import type { EntryInfo } from '../cataloger.js';

/** The ELF magic, for a cataloger's `magic` list. */
export const ELF_MAGIC: Uint8Array = Uint8Array.from([0x7f, 0x45, 0x4c, 0x46]);

const SHARED_OBJECT = /\.so(\.[0-9]+)*$/;

/**
 * Files a binary cataloger looks into: any with an execute bit, and shared
 * objects by name (`libx.so`, `libx.so.1.2`), which are often not executable.
 */
export function isExecutableOrSharedObject(entry: EntryInfo): boolean {
  if ((entry.mode & 0o111) !== 0) return true;
  const base = entry.path.slice(entry.path.lastIndexOf('/') + 1);
  return SHARED_OBJECT.test(base);
}
