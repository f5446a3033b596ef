/**
 * What the three rpmdb readers (SQLite, Berkeley DB, NDB) have in common: each
 * yields the header blobs it finds, one record per package, and a record
 * describing any package it had to drop.
 */
import { MamoriError } from '../../../core/index.js';
import { MAX_HEADER_DATA, MAX_HEADER_TAGS } from './header.js';

/** One package slot of a database: its header blob, or why it could not be read. */
export type RpmDbRecord =
  { readonly key: number; readonly blob: Buffer } | { readonly key?: number; readonly error: string };

/** Largest header blob a reader hands on: preamble, index and data store at their limits. */
export const MAX_HEADER_BLOB = 8 + MAX_HEADER_TAGS * 16 + MAX_HEADER_DATA;

/** Most packages read from one database (a full distribution repository holds fewer). */
export const MAX_PACKAGES = 100_000;

/** A database-level error: nothing in the file can be trusted. */
export function badDb(what: string, message: string): MamoriError {
  return new MamoriError('INVALID_ARGUMENT', `${what}: ${message}`);
}
