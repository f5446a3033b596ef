/** Helpers shared by the Python catalogers. */
import { purl } from '../../../core/index.js';
import { readTextBounded } from '../../bytesource.js';
import type { CatalogFile } from '../../cataloger.js';

/** Largest metadata, RECORD or lockfile read. */
export const MAX_FILE_SIZE = 32 * 1024 * 1024;

/** Lines longer than this are not metadata or requirement syntax and are skipped. */
export const MAX_LINE = 64 * 1024;

/** Reads a selected file as UTF-8, refusing one larger than the cataloger's bound. */
export function readBounded(file: CatalogFile): Promise<string> {
  return readTextBounded(file, MAX_FILE_SIZE);
}

/** PEP 503 normalised name: lower case, runs of `-`, `_` and `.` folded to one `-`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** A distribution name as PEP 508 allows it (letters, digits, `-_.`, alphanumeric at both ends). */
export function isValidName(name: string): boolean {
  return name.length <= 256 && /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(name);
}

/** `pkg:pypi/<normalised name>@<version>`, or undefined when no valid PURL can be made. */
export function pypiPurl(name: string, version: string): string | undefined {
  try {
    return purl({ type: 'pypi', name: normalizeName(name), version });
  } catch {
    return undefined;
  }
}

export function dedupe<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A non-empty string of sane length, else undefined. */
export function str(v: unknown, max = 4096): string | undefined {
  return typeof v === 'string' && v.trim() !== '' && v.length <= max ? v.trim() : undefined;
}

/** Splits text into lines without CR, skipping over-long ones. */
export function lines(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.length <= MAX_LINE)
    .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}
