/**
 * Reading an SBOM file: refused before any byte is read when it is not a
 * regular file or is larger than the bound, then streamed in chunks through
 * the collector (see collect.ts for what is kept in memory), so a file of
 * hundreds of megabytes is never held whole, neither as bytes nor as a
 * parsed tree.
 */
import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { MamoriError } from '../core/index.js';
import type { Inventory } from '../inventory/index.js';
import { assembleInventory } from './assemble.js';
import { DEFAULT_MAX_BYTES, MAX_DEPTH } from './bounds.js';
import { SbomCollector, SUPPORTED } from './collect.js';
import { JsonSplitter } from './json-stream.js';
import type { SbomFormat } from './model.js';

export interface ReadSbomOptions {
  /** Largest file read, in bytes; default 512 MiB. */
  readonly maxBytes?: number;
}

const CHUNK = 1024 * 1024;
/** How much of a file sniffSbom reads. */
export const SNIFF_BYTES = 16 * 1024;

function ioError(path: string, e: unknown): MamoriError {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return new MamoriError('NOT_FOUND', `${path}: no such file`, { cause: e });
  if (code === 'EACCES' || code === 'EPERM')
    return new MamoriError('DENIED', `${path}: permission denied`, { cause: e });
  return new MamoriError('IO', `${path}: cannot read the file`, { cause: e });
}

/** Refuses a document whose first bytes are not JSON, naming the SBOM forms mamori does not read. */
function refuseNonJson(what: string, head: string): void {
  const t = head.replace(/^\uFEFF/, '').trimStart();
  if (t === '' || t.startsWith('{')) return;
  if (t.startsWith('<')) {
    const kind = /cyclonedx/i.test(t) ? 'CycloneDX XML' : /spdx/i.test(t) ? 'SPDX XML' : 'XML';
    throw new MamoriError('INVALID_ARGUMENT', `${what}: ${kind} is not supported; ${SUPPORTED}`);
  }
  if (/^(?:SPDXVersion|DataLicense|SPDXID|DocumentName)\s*:/m.test(t.slice(0, 4096))) {
    throw new MamoriError('INVALID_ARGUMENT', `${what}: SPDX tag-value is not supported; ${SUPPORTED}`);
  }
  throw new MamoriError('INVALID_ARGUMENT', `${what}: not a JSON document; ${SUPPORTED}`);
}

/**
 * Parses an SBOM held in memory (at most 512 MiB of UTF-8); `name` names it
 * in messages and stands in for a missing subject name.
 */
export function parseSbom(text: string, name: string): Inventory {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > DEFAULT_MAX_BYTES) {
    throw new MamoriError('LIMIT_EXCEEDED', `${name}: the SBOM is larger than ${DEFAULT_MAX_BYTES} bytes`);
  }
  refuseNonJson(name, text.slice(0, 8192));
  const collector = new SbomCollector(name);
  collector.push(bytes);
  return assembleInventory(collector.finish(), { ref: `sbom:${name}`, fallbackName: name });
}

async function openRegular(path: string): Promise<{ fh: FileHandle; size: number }> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    throw ioError(path, e);
  }
  if (!st.isFile()) throw new MamoriError('INVALID_ARGUMENT', `${path}: not a regular file`);
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw ioError(path, e);
  }
  try {
    const again = await fh.stat();
    if (!again.isFile()) throw new MamoriError('INVALID_ARGUMENT', `${path}: not a regular file`);
    return { fh, size: again.size };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

function checkMax(maxBytes: number): void {
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    throw new MamoriError('INVALID_ARGUMENT', `maxBytes must be a positive integer, got ${String(maxBytes)}`);
  }
}

/** Reads a CycloneDX or SPDX JSON SBOM file into an inventory of the packages it lists. */
export async function readSbomFile(path: string, opts: ReadSbomOptions = {}): Promise<Inventory> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  checkMax(maxBytes);
  const { fh, size } = await openRegular(path);
  try {
    if (size > maxBytes) {
      throw new MamoriError(
        'LIMIT_EXCEEDED',
        `${path}: the SBOM is ${size} bytes, more than the limit of ${maxBytes} bytes`,
      );
    }
    const collector = new SbomCollector(path);
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(size, 1)));
    let total = 0;
    for (;;) {
      let n: number;
      try {
        ({ bytesRead: n } = await fh.read(buf, 0, buf.length, total));
      } catch (e) {
        throw ioError(path, e);
      }
      if (n === 0) break;
      if (total === 0) refuseNonJson(path, buf.subarray(0, Math.min(n, 8192)).toString('utf8'));
      total += n;
      if (total > maxBytes) {
        throw new MamoriError('LIMIT_EXCEEDED', `${path}: the SBOM grew past the limit of ${maxBytes} bytes`);
      }
      // The collector keeps slices of what it is given: hand it a copy, the buffer is reused.
      collector.push(Buffer.from(buf.subarray(0, n)));
    }
    return assembleInventory(collector.finish(), { ref: `sbom:${path}`, fallbackName: basename(path) });
  } finally {
    await fh.close();
  }
}

/**
 * Whether a file is a CycloneDX or SPDX JSON SBOM, from its first 16 KiB:
 * a JSON object whose top-level `bomFormat` is `CycloneDX` or whose
 * `spdxVersion` starts with `SPDX-`. Anything else (another JSON document,
 * XML, binary data, a directory, a missing file) is undefined.
 */
export async function sniffSbom(path: string): Promise<SbomFormat | undefined> {
  let fh: FileHandle | undefined;
  try {
    ({ fh } = await openRegular(path));
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0);
    return sniffBytes(buf.subarray(0, bytesRead));
  } catch {
    return undefined;
  } finally {
    await fh?.close();
  }
}

const SNIFF_KEYS = new Set(['bomFormat', 'spdxVersion']);

/** The format the head of a document declares, or undefined. */
export function sniffBytes(head: Buffer): SbomFormat | undefined {
  const splitter = new JsonSplitter({
    what: 'sniff',
    mode: (key) => (SNIFF_KEYS.has(key) ? 'value' : 'skip'),
    maxPieceBytes: 1024,
    maxDepth: MAX_DEPTH,
  });
  let pieces;
  try {
    pieces = splitter.push(head);
  } catch {
    return undefined;
  }
  for (const p of pieces) {
    let v: unknown;
    try {
      v = JSON.parse(p.text);
    } catch {
      return undefined;
    }
    if (p.key === 'bomFormat') return v === 'CycloneDX' ? 'cyclonedx' : undefined;
    if (p.key === 'spdxVersion') return typeof v === 'string' && v.startsWith('SPDX-') ? 'spdx' : undefined;
  }
  return undefined;
}
