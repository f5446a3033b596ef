/**
 * Downloads one feed file over HTTP(S): conditional (If-None-Match /
 * If-Modified-Since with the validators of what the database holds),
 * resumable (a `.part` file and its validators; `Range` + `If-Range` on the
 * next attempt), bounded in size and idle time, following a few redirects
 * but never from HTTPS down to HTTP.
 */
import { createWriteStream } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { rootCertificates } from 'node:tls';
import { MamoriError } from '../core/index.js';

export interface DownloadOptions {
  readonly url: string;
  /** Where the complete file goes; `<dest>.part` holds a partial one. */
  readonly dest: string;
  /** Validators of the copy already imported: a 304 answer means nothing to do. */
  readonly etag?: string;
  readonly lastModified?: string;
  /** Extra trusted CA certificates (PEM), for a mirror with a private CA. */
  readonly ca?: string | Buffer;
  /** Give up when the server sends nothing for this long; default 30 s. */
  readonly timeoutMs?: number;
  /** Largest file accepted; default 4 GiB. */
  readonly maxBytes?: number;
  readonly onProgress?: (bytes: number, total: number | undefined) => void;
}

export type DownloadResult =
  | { readonly notModified: true }
  | {
      readonly notModified: false;
      readonly path: string;
      readonly bytes: number;
      /** Bytes that came from an earlier, interrupted attempt. */
      readonly resumedFrom: number;
      readonly etag?: string;
      readonly lastModified?: string;
    };

interface PartMeta {
  url: string;
  etag?: string;
  lastModified?: string;
}

const MAX_REDIRECTS = 5;
const OFFLINE = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EPIPE',
  'ECONNABORTED',
]);

function errCode(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : '';
}

/** The server could not be reached at all (offline, refused, no DNS): other feeds from it will fail too. */
export class UnreachableError extends MamoriError {}

export function isOffline(e: unknown): boolean {
  return e instanceof UnreachableError;
}

/** A network failure as a clear error that says what to do. */
export function networkError(url: string, e: unknown, partial: boolean, connecting = false): MamoriError {
  const code = errCode(e);
  const msg = e instanceof Error ? e.message : String(e);
  const keep = partial ? '; the partial download is kept and the next run resumes it' : '';
  if (/CERT|SELF_SIGNED|ERR_TLS|UNABLE_TO_VERIFY|HOSTNAME/.test(code) || /certificate/i.test(msg)) {
    return new MamoriError(
      'NETWORK',
      `cannot verify the TLS certificate of ${url} (${code || msg}); trust the mirror's CA with --ca-file PEM${keep}`,
    );
  }
  if (OFFLINE.has(code) || code === 'TIMEOUT') {
    return new (connecting ? UnreachableError : MamoriError)(
      'NETWORK',
      `cannot reach ${url} (${code}): offline? Point --mirror at a reachable copy of the OSV bucket, or run "mamori db import FILE" with a downloaded all.zip${keep}`,
    );
  }
  return new MamoriError('NETWORK', `download of ${url} failed: ${msg}${keep}`);
}

function get(url: URL, headers: Record<string, string>, o: DownloadOptions): Promise<http.IncomingMessage> {
  const timeout = o.timeoutMs ?? 30_000;
  return new Promise((resolvePromise, reject) => {
    const opts: https.RequestOptions = {
      method: 'GET',
      headers: { 'user-agent': 'mamori', 'accept-encoding': 'identity', ...headers },
      ...(url.protocol === 'https:' && o.ca ? { ca: [...rootCertificates, o.ca.toString()] } : {}),
    };
    const req = (url.protocol === 'https:' ? https : http).request(url, opts, resolvePromise);
    req.setTimeout(timeout, () => {
      const e = Object.assign(new Error(`no answer for ${timeout} ms`), { code: 'TIMEOUT' });
      req.destroy(e);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Follows redirects (at most five, never HTTPS → HTTP). */
async function request(
  url: string,
  headers: Record<string, string>,
  o: DownloadOptions,
): Promise<{ res: http.IncomingMessage; url: URL }> {
  let u = new URL(url);
  for (let hops = 0; ; hops++) {
    const res = await get(u, headers, o);
    const loc = res.headers.location;
    if (
      res.statusCode === undefined ||
      res.statusCode < 300 ||
      res.statusCode >= 400 ||
      res.statusCode === 304 ||
      !loc
    ) {
      return { res, url: u };
    }
    res.resume();
    const next = new URL(loc, u);
    if (hops >= MAX_REDIRECTS) throw new MamoriError('NETWORK', `${url}: too many redirects`);
    if (u.protocol === 'https:' && next.protocol !== 'https:') {
      throw new MamoriError('NETWORK', `${url}: refusing a redirect from HTTPS to ${next.protocol}`);
    }
    if (next.protocol !== 'https:' && next.protocol !== 'http:') {
      throw new MamoriError('NETWORK', `${url}: refusing a redirect to ${next.protocol}`);
    }
    u = next;
  }
}

async function readMeta(path: string): Promise<PartMeta | undefined> {
  try {
    const m = JSON.parse(await readFile(path, 'utf8')) as unknown;
    if (typeof m === 'object' && m !== null && 'url' in m && typeof m.url === 'string') return m as PartMeta;
  } catch {
    // none, or unreadable: start over
  }
  return undefined;
}

function header(res: http.IncomingMessage, name: string): string | undefined {
  const v = res.headers[name];
  return typeof v === 'string' && v.length > 0 && v.length <= 1024 ? v : undefined;
}

/** Downloads `url` to `dest`, resuming a partial download of the same URL. */
export async function download(o: DownloadOptions): Promise<DownloadResult> {
  const part = `${o.dest}.part`;
  const metaPath = `${o.dest}.part.json`;
  const max = o.maxBytes ?? 4 * 1024 ** 3;
  const meta = await readMeta(metaPath);
  const have = meta && meta.url === o.url ? ((await stat(part).catch(() => undefined))?.size ?? 0) : 0;
  const validator = have > 0 ? (meta?.etag ?? meta?.lastModified) : undefined;
  const headers: Record<string, string> = {};
  if (validator) {
    headers.range = `bytes=${have}-`;
    headers['if-range'] = validator;
  } else {
    if (o.etag) headers['if-none-match'] = o.etag;
    if (o.lastModified) headers['if-modified-since'] = o.lastModified;
  }
  let res: http.IncomingMessage;
  try {
    ({ res } = await request(o.url, headers, o));
  } catch (e) {
    if (e instanceof MamoriError) throw e;
    throw networkError(o.url, e, have > 0, true);
  }
  const status = res.statusCode ?? 0;
  if (status === 304 && !validator) {
    res.resume();
    return { notModified: true };
  }
  if (status === 416 && validator) {
    // The partial copy is of another version or already complete but unverifiable: start over.
    res.resume();
    await rm(part, { force: true });
    await rm(metaPath, { force: true });
    return download(o);
  }
  if (status === 404) {
    res.resume();
    throw new MamoriError('NOT_FOUND', `${o.url}: no such feed (HTTP 404); check --ecosystems and --mirror`);
  }
  if (status !== 200 && status !== 206) {
    res.resume();
    throw new MamoriError('NETWORK', `${o.url}: HTTP ${status} ${res.statusMessage ?? ''}`.trim());
  }
  let start = 0;
  let total: number | undefined;
  if (status === 206) {
    const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header(res, 'content-range') ?? '');
    if (!m || Number(m[1]) !== have) {
      res.resume();
      await rm(part, { force: true });
      throw new MamoriError(
        'NETWORK',
        `${o.url}: the server resumed at the wrong offset; run again to start over`,
      );
    }
    start = have;
    total = Number(m[3]);
  } else {
    const len = header(res, 'content-length');
    total = len !== undefined && /^\d+$/.test(len) ? Number(len) : undefined;
  }
  if (total !== undefined && total > max) {
    res.resume();
    throw new MamoriError('LIMIT_EXCEEDED', `${o.url}: ${total} bytes, more than the limit of ${max}`);
  }
  const etag = status === 206 ? meta?.etag : header(res, 'etag');
  const lastModified = status === 206 ? meta?.lastModified : header(res, 'last-modified');
  if (status === 200) {
    const m: PartMeta = { url: o.url, ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
    await writeFile(metaPath, JSON.stringify(m));
  }
  let bytes = start;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > max)
        done(new MamoriError('LIMIT_EXCEEDED', `${o.url}: more than the limit of ${max} bytes`));
      else {
        o.onProgress?.(bytes, total);
        done(null, chunk);
      }
    },
  });
  try {
    await pipeline(res, counter, createWriteStream(part, { flags: status === 206 ? 'a' : 'w' }));
  } catch (e) {
    if (e instanceof MamoriError) throw e;
    throw networkError(o.url, e, true);
  }
  if (!res.complete || (total !== undefined && bytes !== total)) {
    throw networkError(
      o.url,
      Object.assign(new Error('connection closed early'), { code: 'ECONNRESET' }),
      true,
    );
  }
  await rename(part, o.dest);
  await rm(metaPath, { force: true });
  return {
    notModified: false,
    path: o.dest,
    bytes,
    resumedFrom: start,
    ...(etag ? { etag } : {}),
    ...(lastModified ? { lastModified } : {}),
  };
}
