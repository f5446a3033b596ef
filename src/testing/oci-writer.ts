/**
 * Writes small OCI image layouts for tests: layers given as lists of tar
 * members (including whiteouts, links and deliberately hostile names),
 * compressed with gzip, zstd or not at all. Real images come from
 * mmdebstrap + umoci (see images.ts); this writer is for the cases those
 * tools will not produce.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

const run = promisify(execFile);

export interface TarMemberSpec {
  readonly name: string;
  readonly type?: 'file' | 'directory' | 'symlink' | 'link';
  readonly content?: string | Buffer;
  readonly linkname?: string;
  readonly mode?: number;
  /** Declared size, when a test wants a header that lies. */
  readonly size?: number;
}

export async function tarBytes(members: readonly TarMemberSpec[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack as AsyncIterable<Buffer>) chunks.push(c);
  })();
  for (const m of members) {
    const type = m.type ?? (m.content !== undefined ? 'file' : 'directory');
    const content = typeof m.content === 'string' ? Buffer.from(m.content) : m.content;
    const header = {
      name: m.name,
      type,
      mode: m.mode ?? (type === 'directory' ? 0o755 : 0o644),
      mtime: new Date(0),
      ...(m.linkname !== undefined ? { linkname: m.linkname } : {}),
    };
    await new Promise<void>((resolve, reject) => {
      if (type === 'file')
        pack.entry({ ...header, size: content?.length ?? 0 }, content ?? Buffer.alloc(0), (e) =>
          e ? reject(e) : resolve(),
        );
      else pack.entry(header, (e) => (e ? reject(e) : resolve()));
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export type Compression = 'gzip' | 'zstd' | 'none';

async function compress(data: Buffer, how: Compression, dir: string): Promise<Buffer> {
  if (how === 'gzip') return gzipSync(data);
  if (how === 'none') return data;
  const tmp = join(dir, `zstd-${createHash('sha256').update(data).digest('hex')}`);
  await writeFile(tmp, data);
  const { stdout } = await run('zstd', ['-q', '-c', tmp], { encoding: 'buffer', maxBuffer: 1 << 30 });
  return stdout;
}

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

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

export interface WrittenImage {
  readonly dir: string;
  readonly tag: string;
  readonly manifestDigest: string;
  readonly diffIds: readonly string[];
}

export async function writeOciImage(
  dir: string,
  tag: string,
  layers: readonly LayerSpec[],
): Promise<WrittenImage> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = async (b: Buffer) => {
    const d = sha(b);
    await writeFile(join(dir, 'blobs', 'sha256', d.slice(7)), b);
    return d;
  };
  const descs = [];
  const diffIds: string[] = [];
  for (const l of layers) {
    const plain = l.raw ?? (await tarBytes(l.members ?? []));
    const how = l.compression ?? 'gzip';
    const blob = await compress(plain, how, dir);
    const digest = await put(blob);
    diffIds.push(l.declaredDiffId ?? sha(plain));
    descs.push({
      mediaType: `application/vnd.oci.image.layer.v1.tar${how === 'none' ? '' : `+${how}`}`,
      digest: l.declaredDigest ?? digest,
      size: l.declaredSize ?? blob.length,
    });
  }
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/bin:/bin'] },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: layers.map((_, i) => ({ created_by: `layer ${i}` })),
    }),
  );
  const configDigest = await put(config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: configDigest,
        size: config.length,
      },
      layers: descs,
    }),
  );
  const manifestDigest = await put(manifest);
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: manifestDigest,
          size: manifest.length,
          annotations: { 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  );
  return { dir, tag, manifestDigest, diffIds };
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
    const bytes = await readFile(join(dir, 'blobs', 'sha256', one.manifestDigest.slice(7)));
    entries.push({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: one.manifestDigest,
      size: bytes.length,
      platform: im.platform,
      annotations: { 'org.opencontainers.image.ref.name': tag },
    });
  }
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: entries }));
}
