/**
 * `importFeed`: one path to the database, whatever the feed — an OSV zip, a
 * directory of OSV records, one OSV record, an Alpine secdb file or the
 * Debian security tracker's JSON (plain or gzip). JSON feeds are recognised
 * by their first member and streamed member by member; each source is
 * imported in its own transaction, so a failure leaves the database as it was.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { MamoriError } from '../core/index.js';
import { type Converted, alpineFeed, alpineRecords } from './alpine.js';
import type { VulnDb } from './db.js';
import { DEBIAN_SOURCE, debianRecords } from './debian.js';
import { type Member, objectMembers } from './json-members.js';
import {
  DEFAULT_MAX_RECORD_BYTES,
  type ImportOptions,
  importOsvDir,
  importOsvZip,
  putOsvText,
} from './osv.js';
import type { ImportSession } from './session.js';
import type { ImportReport } from './types.js';
import { problemOf } from './validate.js';

/** Top-level keys of an OSV record (https://ossf.github.io/osv-schema/). */
const OSV_KEYS = new Set([
  'schema_version',
  'id',
  'modified',
  'published',
  'withdrawn',
  'aliases',
  'related',
  'upstream',
  'summary',
  'details',
  'severity',
  'affected',
  'references',
  'credits',
  'database_specific',
]);
const SECDB_KEYS = new Set(['distroversion', 'reponame', 'archs', 'urlprefix', 'apkurl', 'packages']);
/** Largest single member of a streamed feed (one Debian source package with all its issues). */
const MAX_MEMBER_BYTES = 64 * 1024 * 1024;
/** Largest JSON feed, after decompression (the Debian tracker is about 100 MB). */
const MAX_FEED_BYTES = 4 * 1024 * 1024 * 1024;
const PROGRESS_EVERY = 10_000;

export type { ImportOptions } from './osv.js';

/** Imports the feed at `path` (see the module comment for what is recognised). */
export async function importFeed(
  db: VulnDb,
  path: string,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const st = await stat(path).catch((e: unknown) => {
    throw new MamoriError('NOT_FOUND', `cannot read ${path}: ${(e as Error).message}`);
  });
  if (st.isDirectory()) return importOsvDir(db, path, options);
  if (!st.isFile()) throw new MamoriError('INVALID_ARGUMENT', `${path} is neither a file nor a directory`);
  const magic = await head(path);
  if (magic.readUInt32LE(0) === 0x04034b50 || magic.readUInt32LE(0) === 0x06054b50) {
    return importOsvZip(db, path, options);
  }
  const raw = createReadStream(path, { highWaterMark: 256 * 1024 });
  const input: Readable = magic[0] === 0x1f && magic[1] === 0x8b ? raw.pipe(createGunzip()) : raw;
  // A gzip error must reach the reader, not vanish on the source side.
  raw.on('error', (e) => input.destroy(e));
  try {
    return await importJson(db, path, input, options);
  } catch (e) {
    if (e instanceof MamoriError) {
      throw new MamoriError(e.code, `${e.message}; the database was not changed`, { cause: e.cause });
    }
    const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
    const what = code.startsWith('Z_') ? 'corrupt gzip data' : (e as Error).message;
    throw new MamoriError('INVALID_ARGUMENT', `${path}: ${what}; the database was not changed`, {
      cause: what === 'corrupt gzip data' ? e : undefined,
    });
  } finally {
    input.destroy();
    raw.destroy();
  }
}

async function head(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(4);
    await fh.read(b, 0, 4, 0);
    return b;
  } finally {
    await fh.close();
  }
}

async function importJson(
  db: VulnDb,
  path: string,
  input: Readable,
  options: ImportOptions,
): Promise<ImportReport> {
  const members = objectMembers(input, path, MAX_MEMBER_BYTES, MAX_FEED_BYTES)[Symbol.asyncIterator]();
  const first = await members.next();
  if (first.done === true)
    throw new MamoriError('INVALID_ARGUMENT', `${path}: an empty JSON object is not a feed`);
  if (OSV_KEYS.has(first.value.key)) return importOsvJson(db, path, first.value, members, options);
  if (SECDB_KEYS.has(first.value.key)) return importSecdb(db, path, first.value, members, options);
  return importDebian(db, path, first.value, members, options);
}

/** The remaining members of a small document as one object, bounded in total size. */
async function collect(
  first: Member,
  rest: AsyncIterator<Member>,
  max: number,
  path: string,
): Promise<string> {
  const parts = [`${JSON.stringify(first.key)}:${first.value}`];
  let size = parts[0]?.length ?? 0;
  for (let m = await rest.next(); m.done !== true; m = await rest.next()) {
    const part = `${JSON.stringify(m.value.key)}:${m.value.value}`;
    size += part.length;
    if (size > max) throw new MamoriError('LIMIT_EXCEEDED', `${path}: larger than ${max} bytes`);
    parts.push(part);
  }
  return `{${parts.join(',')}}`;
}

async function importOsvJson(
  db: VulnDb,
  path: string,
  first: Member,
  rest: AsyncIterator<Member>,
  options: ImportOptions,
): Promise<ImportReport> {
  const text = await collect(first, rest, options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES, path);
  const session = db.beginImport({
    name: options.name ?? `osv-json:${resolve(path)}`,
    kind: 'osv-json',
    location: options.location ?? resolve(path),
    owned: false,
  });
  return filled(session, () => putOsvText(session, path, text));
}

/** Fills an import session and commits it; on any error the session is rolled back and the error passed on. */
async function filled(session: ImportSession, fill: () => void | Promise<void>): Promise<ImportReport> {
  try {
    await fill();
    return session.commit();
  } catch (e) {
    session.rollback();
    throw e;
  }
}

function putConverted(session: ImportSession, records: Iterable<Converted>, options: ImportOptions): void {
  for (const r of records) {
    if ('problem' in r) session.skip(r.problem);
    else session.put(r.advisory, r.part);
    if (options.onProgress && session.handled % PROGRESS_EVERY === 0) options.onProgress(session.handled);
  }
}

async function importSecdb(
  db: VulnDb,
  path: string,
  first: Member,
  rest: AsyncIterator<Member>,
  options: ImportOptions,
): Promise<ImportReport> {
  let doc: unknown;
  try {
    doc = JSON.parse(await collect(first, rest, 64 * 1024 * 1024, path));
  } catch (e) {
    if (e instanceof MamoriError) throw e;
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `${path}: not an Alpine secdb file (${problemOf(e) ?? String(e)})`,
    );
  }
  const feed = alpineFeed(doc, path);
  const session = db.beginImport({
    name: feed.source,
    kind: 'alpine-secdb',
    location: options.location ?? resolve(path),
    owned: true,
  });
  return filled(session, () =>
    feed.packages.forEach((p, i) => putConverted(session, alpineRecords(feed, p, i), options)),
  );
}

async function importDebian(
  db: VulnDb,
  path: string,
  first: Member,
  rest: AsyncIterator<Member>,
  options: ImportOptions,
): Promise<ImportReport> {
  const session = db.beginImport({
    name: DEBIAN_SOURCE,
    kind: 'debian-tracker',
    location: options.location ?? resolve(path),
    owned: true,
  });
  return filled(session, async () => {
    for (
      let m: IteratorResult<Member> = { done: false, value: first };
      m.done !== true;
      m = await rest.next()
    ) {
      let issues: unknown;
      try {
        issues = JSON.parse(m.value.value);
      } catch (e) {
        session.skip(`${m.value.key.slice(0, 80)}: ${problemOf(e) ?? String(e)}`);
        continue;
      }
      putConverted(session, debianRecords(m.value.key, issues), options);
    }
  });
}
