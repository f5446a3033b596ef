/**
 * One entry point over the three rpmdb formats: which format a path holds,
 * and reading a whole database into parsed headers with the bad records
 * dropped and counted.
 */
import { isMamoriError, MamoriError } from '../../../core/index.js';
import type { ByteSource } from '../../cataloger.js';
import { readBerkeleyDb } from './bdb.js';
import { parseRpmHeader, type RpmHeader } from './header.js';
import { readNdb } from './ndb.js';
import { MAX_PACKAGES, type RpmDbRecord } from './record.js';
import { readRpmSqlite } from './sqlite.js';

export type RpmDbFormat = 'sqlite' | 'ndb' | 'bdb';

/** Directories rpm keeps its database in (`%_dbpath`), old and new. */
const DB_DIRS = ['/var/lib/rpm', '/usr/lib/sysimage/rpm', '/usr/share/rpm'] as const;
const DB_FILES: Readonly<Record<string, RpmDbFormat>> = {
  'rpmdb.sqlite': 'sqlite',
  'Packages.db': 'ndb',
  Packages: 'bdb',
};

const DB_PATHS: ReadonlyMap<string, RpmDbFormat> = new Map(
  DB_DIRS.flatMap((dir) => Object.entries(DB_FILES).map(([file, fmt]) => [`${dir}/${file}`, fmt] as const)),
);

/** The database format an absolute image path holds, or undefined when it is not an rpm database. */
export function rpmDbFormat(path: string): RpmDbFormat | undefined {
  return DB_PATHS.get(path);
}

/** The records of a database in the given format. */
export function readRpmDbRecords(format: RpmDbFormat, source: ByteSource): AsyncGenerator<RpmDbRecord> {
  switch (format) {
    case 'sqlite':
      return readRpmSqlite(source);
    case 'ndb':
      return readNdb(source);
    case 'bdb':
      return readBerkeleyDb(source);
  }
}

export interface RpmDbContents {
  readonly headers: RpmHeader[];
  /** Records found (read or not). */
  readonly records: number;
  /** Records dropped: unreadable in the database, or not a valid header. */
  readonly dropped: number;
  /** The first few reasons for dropping, for messages. */
  readonly errors: readonly string[];
}

const MAX_ERRORS_KEPT = 5;

/**
 * Reads and parses a whole database. Bad records are dropped and counted;
 * throws MamoriError when the database itself is unreadable, holds more than
 * the package limit, or its records add up to more bytes than the file
 * (which only a corrupt, self-overlapping file can do).
 */
export async function readRpmDb(format: RpmDbFormat, source: ByteSource): Promise<RpmDbContents> {
  const headers: RpmHeader[] = [];
  const errors: string[] = [];
  let records = 0;
  let dropped = 0;
  let bytes = 0;
  const drop = (why: string): void => {
    dropped++;
    if (errors.length < MAX_ERRORS_KEPT) errors.push(why);
  };
  for await (const rec of readRpmDbRecords(format, source)) {
    records++;
    if (records > MAX_PACKAGES * 2) {
      throw new MamoriError('LIMIT_EXCEEDED', `rpm database: more than ${MAX_PACKAGES * 2} records`);
    }
    if ('error' in rec) {
      drop(rec.key === undefined ? rec.error : `package ${rec.key}: ${rec.error}`);
      continue;
    }
    bytes += rec.blob.length;
    if (bytes > source.size)
      throw new MamoriError('LIMIT_EXCEEDED', 'rpm database: headers larger than the file');
    try {
      headers.push(parseRpmHeader(rec.blob));
    } catch (e) {
      if (!isMamoriError(e)) throw e;
      drop(`package ${rec.key}: ${e.message}`);
    }
    if (headers.length > MAX_PACKAGES) {
      throw new MamoriError('LIMIT_EXCEEDED', `rpm database: more than ${MAX_PACKAGES} packages`);
    }
  }
  return { headers, records, dropped, errors };
}
