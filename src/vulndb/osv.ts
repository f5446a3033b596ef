/**
 * OSV importers: the per-ecosystem `all.zip` that OSV publishes (read with
 * the bounded ZIP reader, entries in file order, a few in flight so reading
 * and inflating overlap with storing), a directory of OSV JSON files, and
 * one record.
 */
import { opendir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { MamoriError, isMamoriError } from '../core/index.js';
import { FileSource } from '../inventory/bytesource.js';
import { ZipArchive, type ZipEntry } from '../inventory/zip/index.js';
import type { VulnDb } from './db.js';
import { ReadaheadSource } from './readahead.js';
import type { ImportSession } from './session.js';
import type { ImportReport } from './types.js';
import { parseOsv, problemOf } from './validate.js';

export interface ImportOptions {
  /** Called now and then with the number of records handled so far. */
  readonly onProgress?: (handled: number) => void;
  /** OSV feeds: the source's name in the database instead of the one derived from the path. */
  readonly name?: string;
  /** Where the data came from, when not the path (the URL of a download). */
  readonly location?: string;
  /** HTTP validators of a download, kept for the next conditional request. */
  readonly etag?: string;
  readonly lastModified?: string;
  /** Largest record accepted, in bytes; default 32 MiB. */
  readonly maxRecordBytes?: number;
}

export const DEFAULT_MAX_RECORD_BYTES = 32 * 1024 * 1024;
const IN_FLIGHT = 32;
const PROGRESS_EVERY = 10_000;
const MAX_DIR_DEPTH = 16;

/** Feeds one record's bytes to the session: stored, or skipped and counted when malformed. */
export function putOsvText(session: ImportSession, what: string, text: string): void {
  try {
    session.put(parseOsv(JSON.parse(text), text.length));
  } catch (e) {
    const problem = problemOf(e);
    if (problem === undefined) throw e;
    session.skip(`${what}: ${problem}`);
  }
}

function progress(session: ImportSession, options: ImportOptions): void {
  if (options.onProgress && session.handled % PROGRESS_EVERY === 0) options.onProgress(session.handled);
}

/** `Go.zip` → `Go`; `…/Go/all.zip` (as OSV publishes it) → `Go`. */
export function zipLabel(path: string): string {
  const base = basename(path).replace(/\.zip$/i, '');
  const label = base === 'all' ? basename(dirname(resolve(path))) : base;
  return label || base;
}

/** Imports an OSV zip in one transaction: all its valid records, or nothing. */
export async function importOsvZip(
  db: VulnDb,
  path: string,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const maxBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const file = await FileSource.open(path).catch((e: unknown) => {
    throw new MamoriError('IO', `cannot open ${path}: ${(e as Error).message}`);
  });
  let session: ImportSession | undefined;
  try {
    let archive: ZipArchive;
    try {
      archive = await ZipArchive.open(new ReadaheadSource(file), {
        maxEntries: 5_000_000,
        maxCentralDirectorySize: 512 * 1024 * 1024,
        maxEntrySize: maxBytes,
      });
    } catch (e) {
      throw corrupt(path, e);
    }
    // File order: the reads then run forward through the archive whatever its directory says.
    const entries = archive.entries
      .filter((e) => !e.isDirectory && e.name.toLowerCase().endsWith('.json'))
      .sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
    session = db.beginImport({
      name: options.name ?? `osv:${zipLabel(path)}`,
      kind: 'osv-zip',
      location: options.location ?? resolve(path),
      owned: false,
    });
    const read = (e: ZipEntry) => {
      const p = archive.read(e, { maxBytes });
      p.catch(() => undefined); // awaited in order below; never an unhandled rejection meanwhile
      return p;
    };
    const inflight: Array<Promise<Buffer>> = [];
    let next = 0;
    while (next < entries.length && inflight.length < IN_FLIGHT)
      inflight.push(read(entries[next++] as ZipEntry));
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as ZipEntry;
      let data: Buffer | undefined;
      try {
        data = await inflight.shift();
      } catch (e) {
        // One oversized record is a bad record; corrupt data means a corrupt archive.
        if (!isMamoriError(e, 'LIMIT_EXCEEDED')) throw corrupt(path, e);
        session.skip(`${entry.name}: ${(e as Error).message}`);
      }
      if (next < entries.length) inflight.push(read(entries[next++] as ZipEntry));
      if (data) putOsvText(session, entry.name, data.toString('utf8'));
      progress(session, options);
    }
    return session.commit({
      ...(options.etag ? { etag: options.etag } : {}),
      ...(options.lastModified ? { lastModified: options.lastModified } : {}),
    });
  } catch (e) {
    session?.rollback();
    throw e;
  } finally {
    await file.close();
  }
}

function corrupt(path: string, e: unknown): MamoriError {
  const msg = e instanceof Error ? e.message : String(e);
  return new MamoriError(
    'INVALID_ARGUMENT',
    `${path}: not a readable OSV zip (${msg}); the database was not changed`,
  );
}

/** Every `*.json` file under `dir` (symbolic links are not followed), in name order. */
async function* jsonFiles(dir: string, depth = 0): AsyncGenerator<string> {
  if (depth > MAX_DIR_DEPTH) return;
  const names: Array<{ name: string; dir: boolean }> = [];
  for await (const d of await opendir(dir)) {
    if (d.isDirectory()) names.push({ name: d.name, dir: true });
    else if (d.isFile() && d.name.toLowerCase().endsWith('.json')) names.push({ name: d.name, dir: false });
  }
  names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const n of names) {
    const p = join(dir, n.name);
    if (n.dir) yield* jsonFiles(p, depth + 1);
    else yield p;
  }
}

/** Imports every OSV record under a directory (e.g. a clone of an advisory database) in one transaction. */
export async function importOsvDir(
  db: VulnDb,
  dir: string,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const maxBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const root = resolve(dir);
  const session = db.beginImport({
    name: options.name ?? `osv-dir:${root}`,
    kind: 'osv-dir',
    location: options.location ?? root,
    owned: false,
  });
  try {
    for await (const file of jsonFiles(root)) {
      const rel = file.slice(root.length + 1);
      const st = await stat(file);
      if (st.size > maxBytes) session.skip(`${rel}: larger than ${maxBytes} bytes`);
      else putOsvText(session, rel, await readFile(file, 'utf8'));
      progress(session, options);
    }
    return session.commit();
  } catch (e) {
    session.rollback();
    if (e instanceof MamoriError) throw e;
    throw new MamoriError('IO', `cannot read ${dir}: ${(e as Error).message}`);
  }
}
