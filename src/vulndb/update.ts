/**
 * `updateFeeds`: fetches OSV's per-ecosystem `all.zip` files from the public
 * bucket or a mirror (air-gapped sites), each only when it changed since the
 * copy the database holds, and imports each in its own transaction.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { MamoriError, errorMessage } from '../core/index.js';
import type { VulnDb } from './db.js';
import { download, isOffline } from './download.js';
import { importOsvZip } from './osv.js';
import type { ImportReport } from './types.js';

/** OSV's public bucket; `<mirror>/<Ecosystem>/all.zip` is each ecosystem's feed. */
export const DEFAULT_MIRROR = 'https://osv-vulnerabilities.storage.googleapis.com';

/** The ecosystems whose packages mamori inventories. */
export const DEFAULT_ECOSYSTEMS: readonly string[] = Object.freeze([
  'Alpine',
  'Debian',
  'Ubuntu',
  'Go',
  'PyPI',
  'npm',
  'Maven',
  'crates.io',
  'RubyGems',
  'NuGet',
  'Packagist',
]);

const ECOSYSTEM = /^[A-Za-z0-9][A-Za-z0-9._ -]{0,63}$/;

export interface UpdateOptions {
  /** Base URL of the bucket or a mirror of it; default OSV's public bucket. */
  readonly mirror?: string;
  readonly ecosystems?: readonly string[];
  /** Extra trusted CA certificates (PEM) for the mirror. */
  readonly ca?: string | Buffer;
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
  /** Where downloads are kept while in progress; default `<db>-downloads`. */
  readonly workDir?: string;
  readonly onEvent?: (e: UpdateEvent) => void;
}

export type UpdateEvent =
  | { readonly type: 'start'; readonly ecosystem: string; readonly url: string }
  | { readonly type: 'download'; readonly ecosystem: string; readonly bytes: number; readonly total?: number }
  | { readonly type: 'import'; readonly ecosystem: string; readonly records: number }
  | { readonly type: 'done'; readonly result: UpdateResult };

export type UpdateResult =
  | {
      readonly ecosystem: string;
      readonly url: string;
      readonly status: 'updated';
      readonly bytes: number;
      readonly resumedFrom: number;
      readonly report: ImportReport;
    }
  | { readonly ecosystem: string; readonly url: string; readonly status: 'not-modified' }
  | { readonly ecosystem: string; readonly url: string; readonly status: 'failed'; readonly error: string };

/** `<mirror>/<Ecosystem>/all.zip`, checking that the mirror is an HTTP(S) URL. */
export function feedUrl(mirror: string, ecosystem: string): string {
  let base: URL;
  try {
    base = new URL(mirror);
  } catch {
    throw new MamoriError('INVALID_ARGUMENT', `mirror ${JSON.stringify(mirror)} is not a URL`);
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new MamoriError('INVALID_ARGUMENT', `mirror ${mirror} must be an https:// (or http://) URL`);
  }
  if (!ECOSYSTEM.test(ecosystem)) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `ecosystem ${JSON.stringify(ecosystem)} is not an OSV ecosystem name`,
    );
  }
  return `${base.href.replace(/\/+$/, '')}/${encodeURIComponent(ecosystem)}/all.zip`;
}

/**
 * Updates each ecosystem in turn. A feed that fails does not stop the
 * others, unless the server cannot be reached at all: then the rest would
 * fail the same way, and the update stops at the first.
 */
export async function updateFeeds(db: VulnDb, options: UpdateOptions = {}): Promise<UpdateResult[]> {
  const mirror = options.mirror ?? DEFAULT_MIRROR;
  const ecosystems = options.ecosystems ?? DEFAULT_ECOSYSTEMS;
  const urls = ecosystems.map((e) => feedUrl(mirror, e));
  const workDir = options.workDir ?? `${db.path}-downloads`;
  await mkdir(workDir, { recursive: true });
  const results: UpdateResult[] = [];
  const done = (r: UpdateResult) => {
    results.push(r);
    options.onEvent?.({ type: 'done', result: r });
  };
  for (const [i, ecosystem] of ecosystems.entries()) {
    const url = urls[i] as string;
    const name = `osv:${ecosystem}`;
    options.onEvent?.({ type: 'start', ecosystem, url });
    const held = db.source(name);
    // Validators only mean something to the server that issued them.
    const validators = held && held.location === url ? held : undefined;
    const dest = join(workDir, `${ecosystem.replace(/[^A-Za-z0-9._-]/g, '_')}.zip`);
    try {
      const got = await download({
        url,
        dest,
        ...(validators?.etag ? { etag: validators.etag } : {}),
        ...(validators?.lastModified ? { lastModified: validators.lastModified } : {}),
        ...(options.ca ? { ca: options.ca } : {}),
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.maxBytes ? { maxBytes: options.maxBytes } : {}),
        onProgress: (bytes, total) =>
          options.onEvent?.({
            type: 'download',
            ecosystem,
            bytes,
            ...(total !== undefined ? { total } : {}),
          }),
      });
      if (got.notModified) {
        db.markChecked(name);
        done({ ecosystem, url, status: 'not-modified' });
        continue;
      }
      try {
        const report = await importOsvZip(db, got.path, {
          name,
          location: url,
          ...(got.etag ? { etag: got.etag } : {}),
          ...(got.lastModified ? { lastModified: got.lastModified } : {}),
          onProgress: (records) => options.onEvent?.({ type: 'import', ecosystem, records }),
        });
        done({ ecosystem, url, status: 'updated', bytes: got.bytes, resumedFrom: got.resumedFrom, report });
      } finally {
        await rm(got.path, { force: true });
      }
    } catch (e) {
      done({ ecosystem, url, status: 'failed', error: errorMessage(e) });
      if (isOffline(e)) break;
    }
  }
  return results;
}
