/**
 * Builds small real images with umoci and moves them with skopeo, for tests
 * that need an image in a registry.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { run } from './testing-tools.js';

export interface TestImage {
  /** The OCI layout directory. */
  readonly layout: string;
  readonly tag: string;
  /** skopeo source reference, `oci:LAYOUT:TAG`. */
  readonly ref: string;
}

const rootless = (): string[] => (process.getuid?.() === 0 ? [] : ['--rootless']);

/**
 * Creates an OCI layout under `dir` holding one image tagged `tag` with one
 * layer per file (path inside the image → content).
 */
export async function buildTestImage(
  dir: string,
  files: Readonly<Record<string, string | Buffer>>,
  tag = 'latest',
): Promise<TestImage> {
  const layout = join(dir, 'oci');
  const image = `${layout}:${tag}`;
  await run('umoci', ['init', '--layout', layout]);
  await run('umoci', ['new', ...rootless(), '--image', image]);
  let n = 0;
  for (const [target, content] of Object.entries(files)) {
    const src = join(dir, 'files', String(n++), target.replace(/^\/+/, ''));
    await mkdir(dirname(src), { recursive: true });
    await writeFile(src, content);
    await run('umoci', ['insert', ...rootless(), '--image', image, src, target]);
  }
  return { layout, tag, ref: `oci:${image}` };
}

interface LayoutDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: Record<string, string>;
}

async function readBlobJson(layout: string, digest: string): Promise<Record<string, unknown>> {
  const [algo, hex] = digest.split(':');
  return JSON.parse(await readFile(join(layout, 'blobs', algo ?? '', hex ?? ''), 'utf8')) as Record<
    string,
    unknown
  >;
}

/**
 * Adds an OCI image index tagged `indexTag` that lists the image tagged
 * `fromTag` with its platform; push it with `pushImage(…, { all: true })`.
 */
export async function addImageIndex(image: TestImage, indexTag: string): Promise<TestImage> {
  const indexPath = join(image.layout, 'index.json');
  const layoutIndex = JSON.parse(await readFile(indexPath, 'utf8')) as { manifests: LayoutDescriptor[] };
  const entry = layoutIndex.manifests.find(
    (m) => m.annotations?.['org.opencontainers.image.ref.name'] === image.tag,
  );
  if (entry === undefined) throw new Error(`tag ${image.tag} not in ${image.layout}`);
  const manifest = await readBlobJson(image.layout, entry.digest);
  const configDigest = (manifest['config'] as { digest: string }).digest;
  const config = await readBlobJson(image.layout, configDigest);
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: entry.mediaType,
          digest: entry.digest,
          size: entry.size,
          platform: { architecture: String(config['architecture']), os: String(config['os']) },
        },
      ],
    }),
  );
  const hex = createHash('sha256').update(bytes).digest('hex');
  await writeFile(join(image.layout, 'blobs', 'sha256', hex), bytes);
  layoutIndex.manifests.push({
    mediaType: 'application/vnd.oci.image.index.v1+json',
    digest: `sha256:${hex}`,
    size: bytes.length,
    annotations: { 'org.opencontainers.image.ref.name': indexTag },
  });
  await writeFile(indexPath, JSON.stringify(layoutIndex));
  return { layout: image.layout, tag: indexTag, ref: `oci:${image.layout}:${indexTag}` };
}

export interface PushOptions {
  /** `USER:PASSWORD` for the destination. */
  readonly creds?: string;
  /** Verify the registry's TLS certificate (default false: test registries are plain HTTP or self-signed). */
  readonly tlsVerify?: boolean;
  /** Manifest format skopeo writes: OCI (default, as built) or Docker schema 2. */
  readonly format?: 'oci' | 'v2s2';
  /** Copy every image of an index (`--all`). */
  readonly all?: boolean;
}

/** `skopeo copy SRC docker://DEST` (DEST is `host/repo:tag`). */
export async function pushImage(src: string, dest: string, opts: PushOptions = {}): Promise<void> {
  const args = ['--insecure-policy', 'copy', '--quiet', `--dest-tls-verify=${opts.tlsVerify ?? false}`];
  if (opts.creds !== undefined) args.push('--dest-creds', opts.creds);
  if (opts.format !== undefined) args.push('--format', opts.format);
  if (opts.all) args.push('--all');
  args.push(src, `docker://${dest}`);
  await run('skopeo', args);
}

/** `skopeo inspect --raw docker://REF`: the manifest bytes as the registry serves them. */
export async function inspectRaw(
  ref: string,
  opts: Pick<PushOptions, 'creds' | 'tlsVerify'> = {},
): Promise<Buffer> {
  const args = ['inspect', '--raw', `--tls-verify=${opts.tlsVerify ?? false}`];
  if (opts.creds !== undefined) args.push('--creds', opts.creds);
  args.push(`docker://${ref}`);
  return (await run('skopeo', args)).stdout;
}
