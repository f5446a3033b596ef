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

/** Where scripts/build-hardening-image.sh planted each finding; layer indexes are 0-based. */
export interface HardeningFacts {
  readonly tag: string;
  /** How many layers the image has. */
  readonly layers: number;
  /** A setuid-root binary owned by no Debian package. */
  readonly setuid: { readonly path: string; readonly layer: number };
  /** A world-writable directory without the sticky bit. */
  readonly worldWritable: { readonly path: string; readonly layer: number };
  /** An SSH private key added in one layer and deleted (whited out) in a later one. */
  readonly sshKey: { readonly path: string; readonly addedInLayer: number; readonly deletedInLayer: number };
  /** The AWS access key id in the config's Env, random per build; output must never show it. */
  readonly awsAccessKeyId: string;
  /** sha256 (hex) of the AWS secret access key in the config's Env; the key itself is not recorded. */
  readonly awsSecretAccessKeySha256: string;
  /** Index in the config's history of the ENV entry that also holds both AWS keys. */
  readonly awsKeysInHistory: number;
}

export interface HardeningImage {
  /** OCI layout directory; use `oci:${layout}:${tag}`. */
  readonly layout: string;
  readonly tag: string;
  readonly facts: HardeningFacts;
}

export interface DistrolessImage {
  /** OCI layout directory; use `oci:${layout}:${tag}`. */
  readonly layout: string;
  readonly tag: string;
}

const HARDENING_RECIPE = ['build-hardening-image.sh'];
const DISTROLESS_RECIPE = [
  'build-distroless-image.sh',
  'go-fixture-static/main.go',
  'go-fixture-static/go.mod',
];

function record(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new Error(`facts.json: ${where} is not an object`);
  return v as Record<string, unknown>;
}

function str(o: Record<string, unknown>, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw new Error(`facts.json: ${where}.${key} is not a string`);
  return v;
}

function index(o: Record<string, unknown>, key: string, where: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw new Error(`facts.json: ${where}.${key} is not a non-negative integer`);
  return v;
}

/** Reads the facts.json of scripts/build-hardening-image.sh, checking every field. */
export function parseHardeningFacts(text: string): HardeningFacts {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error('facts.json is not JSON', { cause: e });
  }
  const o = record(doc, 'the document');
  const setuid = record(o.setuid, 'setuid');
  const ww = record(o.worldWritable, 'worldWritable');
  const ssh = record(o.sshKey, 'sshKey');
  const facts: HardeningFacts = {
    tag: str(o, 'tag', 'facts'),
    layers: index(o, 'layers', 'facts'),
    setuid: { path: str(setuid, 'path', 'setuid'), layer: index(setuid, 'layer', 'setuid') },
    worldWritable: { path: str(ww, 'path', 'worldWritable'), layer: index(ww, 'layer', 'worldWritable') },
    sshKey: {
      path: str(ssh, 'path', 'sshKey'),
      addedInLayer: index(ssh, 'addedInLayer', 'sshKey'),
      deletedInLayer: index(ssh, 'deletedInLayer', 'sshKey'),
    },
    awsAccessKeyId: str(o, 'awsAccessKeyId', 'facts'),
    awsSecretAccessKeySha256: str(o, 'awsSecretAccessKeySha256', 'facts'),
    awsKeysInHistory: index(o, 'awsKeysInHistory', 'facts'),
  };
  if (!/^AKIA[A-Z2-7]{16}$/.test(facts.awsAccessKeyId))
    throw new Error('facts.json: awsAccessKeyId is malformed');
  if (!/^[0-9a-f]{64}$/.test(facts.awsSecretAccessKeySha256))
    throw new Error('facts.json: awsSecretAccessKeySha256 is not a sha256');
  const layers = [
    facts.setuid.layer,
    facts.worldWritable.layer,
    facts.sshKey.addedInLayer,
    facts.sshKey.deletedInLayer,
  ];
  if (layers.some((l) => l >= facts.layers)) throw new Error('facts.json: a layer index is out of range');
  return facts;
}

/**
 * The Debian image with two layers and a config that plant hardening
 * findings and secrets (scripts/build-hardening-image.sh): a setuid binary,
 * a world-writable directory, an SSH key added then deleted, AWS keys in
 * Env. Built once per cache; the AWS keys are random per build.
 */
export async function hardeningImage(): Promise<HardeningImage> {
  const base = await debianImageDir();
  const name = `debian12-hardening-${await recipeHash([...RECIPE, ...HARDENING_RECIPE])}`;
  const dir = await cached(name, async (out) => {
    await run('bash', [join(SCRIPTS, 'build-hardening-image.sh'), base, out], {
      maxBuffer: 64 * 1024 * 1024,
      timeout: 20 * 60 * 1000,
    });
  });
  const facts = parseHardeningFacts(await readFile(join(dir, 'facts.json'), 'utf8'));
  return { layout: join(dir, 'oci'), tag: facts.tag, facts };
}

/**
 * A clean distroless-style image of one layer (scripts/build-distroless-image.sh):
 * a static Go server, a CA bundle, passwd/group with root and nonroot,
 * run as 65532:65532 with a healthcheck; no shell, no package database.
 */
export async function distrolessImage(): Promise<DistrolessImage> {
  const name = `distroless-${await recipeHash(DISTROLESS_RECIPE)}`;
  const dir = await cached(name, async (out) => {
    await run('bash', [join(SCRIPTS, 'build-distroless-image.sh'), out], {
      maxBuffer: 64 * 1024 * 1024,
      timeout: 20 * 60 * 1000,
    });
  });
  return { layout: join(dir, 'oci'), tag: 'distroless' };
}
