/**
 * Writes OCI image layouts for tests: layers given as lists of tar members
 * (including whiteouts, links, deliberately hostile names and owners too
 * large for tar's octal fields), compressed with gzip, zstd or not at all,
 * under a chosen image config and history. Blobs too large to hold in
 * memory are streamed into the layout with `putBlob` and tied together by
 * `writeOciLayout`. Real images come from mmdebstrap + umoci (see
 * images.ts); this writer is for the cases those tools will not produce.
 */
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

const run = promisify(execFile);

const MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';
const CONFIG_TYPE = 'application/vnd.oci.image.config.v1+json';
const LAYER_TYPE = 'application/vnd.oci.image.layer.v1.tar';
const REF_NAME = 'org.opencontainers.image.ref.name';

export interface TarMemberSpec {
  readonly name: string;
  readonly type?: 'file' | 'directory' | 'symlink' | 'link';
  readonly content?: string | Buffer;
  readonly linkname?: string;
  /** Default 0755 for directories, 0777 for symlinks, 0644 otherwise. */
  readonly mode?: number;
  /** Owner ids, default 0; above 0777777 they are written in GNU base-256, as GNU tar does. */
  readonly uid?: number;
  readonly gid?: number;
}

/** The largest id an 8-byte octal header field holds. */
const OCTAL_MAX = 0o777777;
/** The largest id the writer puts in a base-256 field (six value bytes). */
const BASE256_MAX = 2 ** 48 - 1;

/** An uncompressed tar of `members`, in order, all dated 1970-01-01. */
export async function tarBytes(members: readonly TarMemberSpec[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack as AsyncIterable<Buffer>) chunks.push(c);
  })();
  for (const m of members) {
    const type = m.type ?? (m.content !== undefined ? 'file' : 'directory');
    const content = typeof m.content === 'string' ? Buffer.from(m.content) : (m.content ?? Buffer.alloc(0));
    const header = {
      name: m.name,
      type,
      mode: m.mode ?? (type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644),
      uid: octalOwner(m.uid),
      gid: octalOwner(m.gid),
      mtime: new Date(0),
      ...(m.linkname !== undefined ? { linkname: m.linkname } : {}),
    };
    await new Promise<void>((resolve, reject) => {
      const cb = (e?: Error | null) => (e ? reject(e) : resolve());
      if (type === 'file') pack.entry({ ...header, size: content.length }, content, cb);
      else pack.entry(header, cb);
    });
  }
  pack.finalize();
  await done;
  const tarball = Buffer.concat(chunks);
  if (members.some((m) => (m.uid ?? 0) > OCTAL_MAX || (m.gid ?? 0) > OCTAL_MAX))
    base256Owners(tarball, members);
  return tarball;
}

/** The owner tar-stream is given: large ones are written as 0 and patched in afterwards. */
function octalOwner(id = 0): number {
  if (!Number.isSafeInteger(id) || id < 0 || id > BASE256_MAX)
    throw new RangeError(`tar owner id ${id} is not an integer from 0 to ${BASE256_MAX}`);
  return id > OCTAL_MAX ? 0 : id;
}

/** Rewrites the uid/gid fields of members whose ids exceed octal in GNU base-256, fixing the checksums. */
function base256Owners(tarball: Buffer, members: readonly TarMemberSpec[]): void {
  const octal = (o: number, len: number) =>
    parseInt(
      tarball
        .toString('latin1', o, o + len)
        .replace(/\0.*$/, '')
        .trim() || '0',
      8,
    );
  const next = (o: number) => o + 512 + Math.ceil(octal(o + 124, 12) / 512) * 512;
  let off = 0;
  for (const m of members) {
    // PAX and GNU long-name headers come before the member's own header.
    while (off < tarball.length && 'xgLK'.includes(String.fromCharCode(tarball[off + 156] ?? 0x30)))
      off = next(off);
    const header = tarball.subarray(off, off + 512);
    let patched = false;
    for (const [id, at] of [
      [m.uid ?? 0, 108],
      [m.gid ?? 0, 116],
    ] as const) {
      if (id <= OCTAL_MAX) continue;
      header.fill(0, at, at + 8);
      header[at] = 0x80;
      header.writeUIntBE(id, at + 2, 6);
      patched = true;
    }
    if (patched) {
      header.fill(0x20, 148, 156);
      let sum = 0;
      for (const b of header) sum += b;
      header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    }
    off = next(off);
  }
}

export type Compression = 'gzip' | 'zstd' | 'none';

async function compress(data: Buffer, how: Compression): Promise<Buffer> {
  if (how === 'gzip') return gzipSync(data);
  if (how === 'none') return data;
  const zstd = run('zstd', ['-q', '-c'], { encoding: 'buffer', maxBuffer: 1 << 30 });
  // A zstd that fails or is missing is reported by the rejected promise, not by the pipe it closed.
  zstd.child.stdin?.on('error', () => undefined).end(data);
  return (await zstd).stdout;
}

/** `sha256:<hex>` of the bytes. */
export const sha256Digest = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A blob in a layout's store. */
export interface BlobRef {
  readonly digest: string;
  readonly size: number;
}

/**
 * Streams bytes into `dir/blobs/sha256/`, hashing them on the way, so a
 * layer of any size is never held in memory. A `Readable` is an
 * `AsyncIterable` and may be passed as it is.
 */
export async function putBlob(dir: string, source: Buffer | AsyncIterable<Buffer>): Promise<BlobRef> {
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const hash = createHash('sha256');
  let size = 0;
  const tmp = join(blobs, `.tmp-${randomUUID()}`);
  try {
    await pipeline(
      Readable.from(Buffer.isBuffer(source) ? [source] : source),
      new Transform({
        transform(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          size += chunk.length;
          cb(null, chunk);
        },
      }),
      createWriteStream(tmp),
    );
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  const digest = `sha256:${hash.digest('hex')}`;
  await rename(tmp, join(blobs, digest.slice('sha256:'.length)));
  return { digest, size };
}

/** A layer already in the blob store, as the manifest and config will name it. */
export interface LayerBlob extends BlobRef {
  /** Default: an uncompressed tar. */
  readonly mediaType?: string;
  /** Default: the blob's digest (right for an uncompressed layer). */
  readonly diffId?: string;
}

export interface ImageConfigOptions {
  /** The config's `config` object (User, Env, Entrypoint, Cmd, Healthcheck, …); replaces the default `{ Env: ['PATH=/usr/bin:/bin'] }`. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** The config's history; default one `{ created_by: 'layer N' }` per layer. */
  readonly history?: readonly unknown[];
  /** Default `linux`. */
  readonly os?: string;
  /** Default `amd64`. */
  readonly architecture?: string;
}

export interface WrittenImage {
  readonly dir: string;
  readonly tag: string;
  /** `oci:<dir>:<tag>`, the reference that reads the image back. */
  readonly ref: string;
  readonly manifestDigest: string;
  readonly manifestSize: number;
  readonly diffIds: readonly string[];
}

/**
 * Writes the config, the manifest, oci-layout and an index.json naming the
 * manifest under `tag`, for layers already in the blob store.
 */
export async function writeOciLayout(
  dir: string,
  tag: string,
  image: ImageConfigOptions & { readonly layers: readonly LayerBlob[] },
): Promise<WrittenImage> {
  const diffIds = image.layers.map((l) => l.diffId ?? l.digest);
  const config = await putBlob(
    dir,
    Buffer.from(
      JSON.stringify({
        architecture: image.architecture ?? 'amd64',
        os: image.os ?? 'linux',
        config: image.config ?? { Env: ['PATH=/usr/bin:/bin'] },
        rootfs: { type: 'layers', diff_ids: diffIds },
        history: image.history ?? image.layers.map((_, i) => ({ created_by: `layer ${i}` })),
      }),
    ),
  );
  const manifest = await putBlob(
    dir,
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MANIFEST_TYPE,
        config: { mediaType: CONFIG_TYPE, digest: config.digest, size: config.size },
        layers: image.layers.map((l) => ({
          mediaType: l.mediaType ?? LAYER_TYPE,
          digest: l.digest,
          size: l.size,
        })),
      }),
    ),
  );
  await writeIndex(dir, [{ mediaType: MANIFEST_TYPE, ...manifest, annotations: { [REF_NAME]: tag } }]);
  return {
    dir,
    tag,
    ref: `oci:${dir}:${tag}`,
    manifestDigest: manifest.digest,
    manifestSize: manifest.size,
    diffIds,
  };
}

async function writeIndex(dir: string, manifests: readonly object[]): Promise<void> {
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests }));
}

export interface LayerSpec {
  readonly members?: readonly TarMemberSpec[];
  /** Raw uncompressed layer bytes instead of members. */
  readonly raw?: Buffer;
  readonly compression?: Compression;
  /** Overrides for a lying manifest. */
  readonly declaredSize?: number;
  readonly declaredDigest?: string;
  readonly declaredDiffId?: string;
}

/** Writes an image of small in-memory layers (default gzip) under `tag`. */
export async function writeOciImage(
  dir: string,
  tag: string,
  layers: readonly LayerSpec[],
  options: ImageConfigOptions = {},
): Promise<WrittenImage> {
  const blobs: LayerBlob[] = [];
  for (const l of layers) {
    const plain = l.raw ?? (await tarBytes(l.members ?? []));
    const how = l.compression ?? 'gzip';
    const blob = await putBlob(dir, await compress(plain, how));
    blobs.push({
      mediaType: how === 'none' ? LAYER_TYPE : `${LAYER_TYPE}+${how}`,
      digest: l.declaredDigest ?? blob.digest,
      size: l.declaredSize ?? blob.size,
      diffId: l.declaredDiffId ?? sha256Digest(plain),
    });
  }
  return writeOciLayout(dir, tag, { ...options, layers: blobs });
}

/**
 * Writes several single-platform images into one layout whose index.json
 * lists them all under one tag, as `skopeo copy --all` leaves a multi-arch image.
 */
export async function writeMultiPlatformImage(
  dir: string,
  tag: string,
  images: ReadonlyArray<{
    platform: { os: string; architecture: string; variant?: string };
    layers: readonly LayerSpec[];
  }>,
): Promise<void> {
  const entries = [];
  for (const [i, im] of images.entries()) {
    const one = await writeOciImage(dir, `tmp-${i}`, im.layers);
    entries.push({
      mediaType: MANIFEST_TYPE,
      digest: one.manifestDigest,
      size: one.manifestSize,
      platform: im.platform,
      annotations: { [REF_NAME]: tag },
    });
  }
  await writeIndex(dir, entries);
}
