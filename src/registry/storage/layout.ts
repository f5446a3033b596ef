import { randomUUID, type Hash } from 'node:crypto';
import { mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError, fsError } from './errors.js';
import type { DigestAlgorithm, ParsedDigest } from './digest.js';
import { errno, fsyncDir } from './io.js';
import type { KeyedLock } from './lock.js';

/**
 * On-disk layout under one root, all on one file system so that publishing
 * is a rename:
 *
 *   root/blobs/sha256/ab/<hex>     published blobs (sha512 alike)
 *   root/uploads/<id>/data          bytes received so far
 *   root/uploads/<id>/startedat     ISO time the session started
 *   root/tmp/…                      temp files, staged sessions, trash
 */
export interface Layout {
  readonly root: string;
  readonly blobs: string;
  readonly uploads: string;
  readonly tmp: string;
}

export const ALGORITHMS: readonly DigestAlgorithm[] = ['sha256', 'sha512'];

/** Upload ids are lowercase UUIDs: nothing else ever reaches a path. */
const UPLOAD_ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUploadId(id: unknown): id is string {
  return typeof id === 'string' && UPLOAD_ID_RE.test(id);
}

export function makeLayout(root: string): Layout {
  return { root, blobs: join(root, 'blobs'), uploads: join(root, 'uploads'), tmp: join(root, 'tmp') };
}

export function blobDir(l: Layout, d: ParsedDigest): string {
  return join(l.blobs, d.algorithm, d.hex.slice(0, 2));
}

export function blobPath(l: Layout, d: ParsedDigest): string {
  return join(blobDir(l, d), d.hex);
}

export function uploadDir(l: Layout, id: string): string {
  if (!isUploadId(id)) throw new StorageError('BLOB_UPLOAD_UNKNOWN', 'malformed upload id');
  return join(l.uploads, id);
}

/** A fresh, unique path in the temp directory. */
export function tempPath(l: Layout, suffix: string): string {
  return join(l.tmp, `${randomUUID()}${suffix}`);
}

/** The running hash of an upload, valid while the data file is exactly `offset` bytes long. */
export interface CachedHash {
  readonly offset: number;
  readonly hash: Hash;
}

/** Everything the store's operations share. */
export interface FsContext {
  readonly layout: Layout;
  readonly maxBlobBytes: number;
  readonly fsync: boolean;
  readonly beforeRename: ((from: string, to: string) => Promise<void> | void) | undefined;
  readonly locks: KeyedLock;
  readonly hashes: Map<string, CachedHash>;
}

/** Upper bound on remembered running hashes; a forgotten one is recomputed from the file at commit. */
export const MAX_CACHED_HASHES = 1024;

export function rememberHash(ctx: FsContext, id: string, entry: CachedHash): void {
  ctx.hashes.delete(id);
  if (ctx.hashes.size >= MAX_CACHED_HASHES) {
    const oldest = ctx.hashes.keys().next();
    if (!oldest.done) ctx.hashes.delete(oldest.value);
  }
  ctx.hashes.set(id, entry);
}

/** Creates the layout's directories (idempotent) and checks they share one file system. */
export async function ensureLayout(l: Layout, fsync: boolean): Promise<void> {
  try {
    await mkdir(l.root, { recursive: true });
    for (const dir of [l.uploads, l.tmp, ...ALGORITHMS.map((a) => join(l.blobs, a))]) {
      await mkdir(dir, { recursive: true });
    }
    const devs = await Promise.all([l.blobs, l.uploads, l.tmp].map(async (d) => (await stat(d)).dev));
    if (devs.some((d) => d !== devs[0])) {
      throw new StorageError('IO', `blob storage directories under ${l.root} must be on one file system`);
    }
    if (fsync) {
      for (const dir of [l.blobs, l.root]) await fsyncDir(dir);
    }
  } catch (e) {
    throw fsError(e, 'creating the storage layout');
  }
}

/**
 * Publishes a verified, synced file as the blob `d`: one rename within the
 * file system, then the directory entry is synced. Before the rename the
 * blob is invisible; after it, complete.
 */
export async function publish(ctx: FsContext, from: string, d: ParsedDigest): Promise<void> {
  const dir = blobDir(ctx.layout, d);
  const to = join(dir, d.hex);
  try {
    await ensurePrefixDir(ctx, dir, join(ctx.layout.blobs, d.algorithm));
    await ctx.beforeRename?.(from, to);
    await rename(from, to);
    if (ctx.fsync) await fsyncDir(dir);
  } catch (e) {
    throw fsError(e, 'publishing a blob');
  }
}

async function ensurePrefixDir(ctx: FsContext, dir: string, parent: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (e) {
    if (errno(e) === 'EEXIST') return;
    if (errno(e) !== 'ENOENT') throw e;
    await mkdir(dir, { recursive: true });
  }
  if (ctx.fsync) await fsyncDir(parent);
}
