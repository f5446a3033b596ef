/**
 * Real Debian 12 images for tests, built from Debian's packages by
 * scripts/build-debian-image.sh (mmdebstrap + umoci, no container engine),
 * cached between runs.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cached } from './cache.js';

const run = promisify(execFile);

export interface DebianImage {
  /** OCI layout directory; use `oci:${layout}:${tag}`. */
  readonly layout: string;
  readonly tag: string;
  /** The final root filesystem, unpacked, for comparing with dpkg-query and friends. */
  readonly rootfs: string;
  /** The same image as `oci-archive` and `docker-archive` files (made with skopeo). */
  readonly ociArchive: string;
  readonly dockerArchive: string;
}

const SCRIPTS = fileURLToPath(new URL('../../scripts/', import.meta.url));
const SCRIPT = join(SCRIPTS, 'build-debian-image.sh');
/** Every file the recipe reads; their hash names the cache entry, so editing any of them rebuilds the image. */
const RECIPE = [
  'build-debian-image.sh',
  'build-go-fixture.sh',
  'go-fixture/main.go',
  'go-fixture/go.mod',
  'go-fixture/greet/greet.go',
  'go-fixture/greet/go.mod',
];
const APP_RECIPE = ['build-app-image.sh', 'go-fixture-web/main.go', 'go-fixture-web/go.mod'];

async function recipeHash(files: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const f of files) hash.update(f).update(await readFile(join(SCRIPTS, f)));
  return hash.digest('hex').slice(0, 12);
}

async function debianImageDir(): Promise<string> {
  return cached(`debian12-${await recipeHash(RECIPE)}`, async (out) => {
    await run('bash', [SCRIPT, out], { maxBuffer: 64 * 1024 * 1024, timeout: 20 * 60 * 1000 });
  });
}

/** The Debian image of scripts/build-debian-image.sh, built once per cache. */
export async function debianImage(): Promise<DebianImage> {
  const dir = await debianImageDir();
  return {
    layout: join(dir, 'oci'),
    tag: 'bookworm',
    rootfs: join(dir, 'rootfs'),
    ociArchive: join(dir, 'image.oci.tar'),
    dockerArchive: join(dir, 'image.docker.tar'),
  };
}

export interface DebianAppImage {
  /** OCI layout directory; use `oci:${layout}:${tag}`. */
  readonly layout: string;
  readonly tag: string;
  readonly rootfs: string;
}

/**
 * The Debian image with an application layer on top that vendors its own
 * Python libraries, a Go binary and npm packages (scripts/build-app-image.sh).
 */
export async function debianAppImage(): Promise<DebianAppImage> {
  const base = await debianImageDir();
  const name = `debian12-app-${await recipeHash([...RECIPE, ...APP_RECIPE])}`;
  const dir = await cached(name, async (out) => {
    await run('bash', [join(SCRIPTS, 'build-app-image.sh'), base, out], {
      maxBuffer: 64 * 1024 * 1024,
      timeout: 20 * 60 * 1000,
    });
  });
  return { layout: join(dir, 'oci'), tag: 'app', rootfs: join(dir, 'rootfs') };
}
