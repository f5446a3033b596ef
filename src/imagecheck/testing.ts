/**
 * Test support for the image checks: small OCI images with crafted layers
 * (owners, modes, links) and a chosen config and history, built on a clean
 * distroless-style base whose entrypoint is a real static Go binary.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { analyzeImageRef, type ImageAnalysis } from '../inventory/index.js';
import { cached } from '../testing/index.js';
import { writeOciImage, type ImageConfigOptions, type TarMemberSpec } from '../testing/oci-writer.js';
import { checkImage, imageCheckAnalyzers, type ImageCheckResult } from './index.js';

const run = promisify(execFile);

/** A member of a crafted layer: owners, modes and links as given. */
export type Member = TarMemberSpec;

const GO_MAIN = `package main

import "os"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "health" {
		os.Exit(0)
	}
	select {}
}
`;

/** A real static ELF executable: a tiny Go program built with CGO_ENABLED=0 (golang-go), cached per machine. */
export async function staticBinary(): Promise<Buffer> {
  const key = createHash('sha256').update(GO_MAIN).digest('hex').slice(0, 12);
  const dir = await cached(`imagecheck-static-${key}`, async (out) => {
    const work = await mkdtemp(join(tmpdir(), 'mamori-go-'));
    try {
      await writeFile(join(work, 'main.go'), GO_MAIN);
      await writeFile(join(work, 'go.mod'), 'module example.com/server\n\ngo 1.19\n');
      await run('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', join(out, 'server'), '.'], {
        cwd: work,
        env: {
          ...process.env,
          CGO_ENABLED: '0',
          GOFLAGS: '-mod=mod',
          GOPROXY: 'off',
          GOTOOLCHAIN: 'local',
          GO111MODULE: 'on',
          GOPATH: join(work, 'gopath'),
          GOCACHE: join(work, 'gocache'),
        },
        timeout: 10 * 60 * 1000,
      });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
  return readFile(join(dir, 'server'));
}

export const PASSWD =
  'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n';
export const GROUP = 'root:x:0:\nnonroot:x:65532:\n';

/** The clean base: a distroless-style layer with a static /app/server, CA certificates and two accounts. */
export async function baseMembers(): Promise<Member[]> {
  let certs: Buffer;
  try {
    certs = await readFile('/etc/ssl/certs/ca-certificates.crt');
  } catch {
    certs = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  }
  return [
    { name: 'app' },
    { name: 'app/server', content: await staticBinary(), mode: 0o755 },
    { name: 'etc' },
    { name: 'etc/passwd', content: PASSWD },
    { name: 'etc/group', content: GROUP },
    { name: 'etc/ssl' },
    { name: 'etc/ssl/certs' },
    { name: 'etc/ssl/certs/ca-certificates.crt', content: certs },
    { name: 'home' },
    { name: 'home/nonroot', mode: 0o700, uid: 65532, gid: 65532 },
    { name: 'tmp', mode: 0o1777 },
  ];
}

/** The clean config: a non-root user, an exec-form entrypoint that exists, a healthcheck. */
export const BASE_CONFIG: Readonly<Record<string, unknown>> = {
  User: '65532',
  Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
  Entrypoint: ['/app/server'],
  Healthcheck: { Test: ['CMD', '/app/server', 'health'], Interval: 30_000_000_000 },
};

/** A crafted image: its layers and its config (`config`, `history`, `os`, as the writer takes them). */
export interface ImageSpec extends ImageConfigOptions {
  /** Layers of members; by default the clean base alone. */
  readonly layers: ReadonlyArray<readonly Member[]>;
  /** The config's `config` object (replaces the writer's). */
  readonly config: Readonly<Record<string, unknown>>;
}

/** Writes the image as an OCI layout in `dir`, uncompressed, tag `test`; returns its reference. */
export async function writeImage(dir: string, spec: ImageSpec): Promise<string> {
  const { layers, ...options } = spec;
  const specs = layers.map((members) => ({ members, compression: 'none' as const }));
  return (await writeOciImage(dir, 'test', specs, options)).ref;
}

/** Analyses a crafted image in a fresh temp dir (removed afterwards). */
export async function analyzeSpec(spec: ImageSpec): Promise<ImageAnalysis> {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-imagecheck-'));
  try {
    const ref = await writeImage(join(dir, 'oci'), spec);
    await mkdir(join(dir, 'tmp'));
    return await analyzeImageRef(ref, {
      ...imageCheckAnalyzers(),
      cacheDir: false,
      tmpDir: join(dir, 'tmp'),
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The changes a case makes to the clean image. */
export interface Variant {
  /** Members of a second layer on top of the base. */
  readonly add?: readonly Member[];
  /** Config fields to set; `undefined` removes one. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** History entries; when given, the second layer is always written (so entries map to layers). */
  readonly history?: readonly unknown[];
  /** Replaces the base layer's members whose names are given here. */
  readonly replace?: readonly Member[];
  /** Leaves these members out of the base layer. */
  readonly remove?: readonly string[];
}

export async function variantSpec(v: Variant): Promise<ImageSpec> {
  const replaced = new Set([...(v.replace ?? []).map((m) => m.name), ...(v.remove ?? [])]);
  const base = [...(await baseMembers()).filter((m) => !replaced.has(m.name)), ...(v.replace ?? [])];
  const config: Record<string, unknown> = { ...BASE_CONFIG };
  for (const [k, val] of Object.entries(v.config ?? {})) {
    if (val === undefined) delete config[k];
    else config[k] = val;
  }
  const second = v.add ?? (v.history ? [{ name: 'var' }] : undefined);
  return {
    layers: second ? [base, second] : [base],
    config,
    ...(v.history ? { history: v.history } : {}),
  };
}

/** Builds the variant of the clean image, analyses it and checks it. */
export async function checkVariant(v: Variant): Promise<ImageCheckResult & { analysis: ImageAnalysis }> {
  const analysis = await analyzeSpec(await variantSpec(v));
  return { ...checkImage(analysis), analysis };
}

/** A dpkg status database and file lists, so crafted files have owning packages. */
export function dpkgPackages(
  pkgs: ReadonlyArray<{ readonly name: string; readonly version: string; readonly files: readonly string[] }>,
): Member[] {
  const status = pkgs
    .map(
      (p) =>
        `Package: ${p.name}\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\nVersion: ${p.version}\nInstalled-Size: 100\nDescription: test\n`,
    )
    .join('\n');
  return [
    { name: 'var' },
    { name: 'var/lib' },
    { name: 'var/lib/dpkg' },
    { name: 'var/lib/dpkg/info' },
    { name: 'var/lib/dpkg/status', content: status },
    ...pkgs.map((p) => ({ name: `var/lib/dpkg/info/${p.name}.list`, content: p.files.join('\n') + '\n' })),
  ];
}
