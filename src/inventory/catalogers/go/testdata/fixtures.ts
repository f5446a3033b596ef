/**
 * Test support: real Go binaries built with the installed toolchain (Debian's
 * golang-go), offline. A small main module depends on modules served by a
 * file-based GOPROXY written here (so deps carry real versions and go.sum
 * hashes), one of them replaced by another module, one replaced by a local
 * directory, one with a major-version suffix. The same program is built
 * plain, as PIE, stripped, as a C shared library and for other architectures
 * (ELF32/ELF64, both byte orders).
 *
 * Builds go once per machine into the shared test cache
 * (`testCacheDir()/go-fixtures-…`) through `cached()`, which holds the lock.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { cached } from '../../../../testing/index.js';
import type { GoBuildInfo, GoModule } from '../types.js';
import { storedZip } from './zip.js';

const execFileAsync = promisify(execFile);
const RECIPE = 4;

export const FIXTURES = [
  'app',
  'app-pie',
  'app-stripped',
  'libapp.so',
  'app-386',
  'app-mips',
  'app-s390x',
  'app-arm64',
] as const;
export type FixtureName = (typeof FIXTURES)[number];

const PROXY_MODULES: Record<string, { version: string; files: Record<string, string> }> = {
  'example.com/alpha': {
    version: 'v1.0.0',
    files: { 'alpha.go': 'package alpha\n\nfunc Name() string { return "alpha" }\n' },
  },
  'example.com/betafork': {
    version: 'v1.2.0',
    files: { 'beta.go': 'package beta\n\nfunc Name() string { return "beta-fork" }\n' },
  },
  'example.com/gamma/v2': {
    version: 'v2.3.4',
    files: { 'gamma.go': 'package gamma\n\nfunc Name() string { return "gamma" }\n' },
  },
};

const APP_GO_MOD = `module example.com/app

go 1.19

require (
	example.com/alpha v1.0.0
	example.com/beta v1.1.0
	example.com/gamma/v2 v2.3.4
	example.com/local v0.0.0
)

replace example.com/beta v1.1.0 => example.com/betafork v1.2.0

replace example.com/local => ../local
`;

const APP_MAIN = `package main

import (
	"fmt"

	"example.com/alpha"
	"example.com/beta"
	"example.com/gamma/v2"
	"example.com/local"
)

var version = "dev"

func main() { fmt.Println(version, alpha.Name(), beta.Name(), gamma.Name(), local.Name()) }
`;

const CSHARED_MAIN = `package main

import "C"

import "example.com/alpha"

//export AlphaLen
func AlphaLen() C.int { return C.int(len(alpha.Name())) }

func main() {}
`;

async function writeTree(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [rel, data] of Object.entries(files)) {
    const p = join(root, rel);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, data);
  }
}

async function writeProxy(proxy: string): Promise<void> {
  for (const [path, m] of Object.entries(PROXY_MODULES)) {
    const goMod = `module ${path}\n\ngo 1.19\n`;
    const prefix = `${path}@${m.version}/`;
    const zip = storedZip([
      { name: `${prefix}go.mod`, data: Buffer.from(goMod) },
      ...Object.entries(m.files).map(([n, d]) => ({ name: prefix + n, data: Buffer.from(d) })),
    ]);
    await writeTree(join(proxy, path, '@v'), {
      list: `${m.version}\n`,
      [`${m.version}.info`]: JSON.stringify({ Version: m.version, Time: '2023-01-02T03:04:05Z' }),
      [`${m.version}.mod`]: goMod,
      [`${m.version}.zip`]: zip,
    });
  }
}

export function goEnv(work: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: work,
    GOPATH: join(work, 'gopath'),
    GOCACHE: join(work, 'gocache'),
    GOMODCACHE: join(work, 'modcache'),
    GOPROXY: `file://${join(work, 'proxy')}`,
    GOFLAGS: '-mod=mod -modcacherw',
    GOSUMDB: 'off',
    GOTOOLCHAIN: 'local',
    GOWORK: 'off',
    GO111MODULE: 'on',
    CGO_ENABLED: '0',
    ...extra,
  };
}

async function goBuild(work: string, args: string[], env: Record<string, string> = {}): Promise<void> {
  await execFileAsync('go', ['build', ...args], {
    cwd: join(work, 'app'),
    env: goEnv(work, env),
    timeout: 10 * 60_000,
    maxBuffer: 16 << 20,
  });
}

async function build(out: string): Promise<void> {
  await writeProxy(join(out, 'proxy'));
  await writeTree(out, {
    'app/go.mod': APP_GO_MOD,
    'app/main.go': APP_MAIN,
    'app/cshared/main.go': CSHARED_MAIN,
    'local/go.mod': 'module example.com/local\n\ngo 1.19\n',
    'local/local.go': 'package local\n\nfunc Name() string { return "local" }\n',
  });
  const bin = (n: FixtureName): string => join(out, 'bin', n);
  const common = ['-trimpath', '-tags=netgo,osusergo'];
  // Without -trimpath, Go records -ldflags (a quoted build setting).
  await goBuild(out, ['-tags=netgo,osusergo', '-ldflags=-X main.version=1.2.3', '-o', bin('app'), '.']);
  await goBuild(out, [...common, '-buildmode=pie', '-o', bin('app-pie'), '.']);
  await goBuild(out, [...common, '-ldflags=-s -w', '-o', bin('app-stripped'), '.']);
  await goBuild(out, ['-buildmode=c-shared', '-o', bin('libapp.so'), './cshared'], { CGO_ENABLED: '1' });
  // Go writes shared libraries without the execute bit, and `go version -m` skips such files.
  await chmod(bin('libapp.so'), 0o755);
  for (const arch of ['386', 'mips', 's390x', 'arm64']) {
    await goBuild(out, [...common, '-o', bin(`app-${arch}` as FixtureName), '.'], { GOARCH: arch });
  }
}

/** Whether the Go toolchain is installed. */
export async function haveGo(): Promise<boolean> {
  try {
    await execFileAsync('go', ['version']);
    return true;
  } catch {
    return false;
  }
}

/** Paths of the fixture binaries, building them on first use (once per machine, under the test cache's lock). */
export async function goFixtures(): Promise<Record<FixtureName, string>> {
  const { stdout } = await execFileAsync('go', ['env', 'GOVERSION'], { env: goEnv('/nonexistent') });
  const key = `go-fixtures-${RECIPE}-${stdout.trim().replace(/[^A-Za-z0-9.]/g, '_')}`;
  const dir = await cached(key, build);
  return Object.fromEntries(FIXTURES.map((n) => [n, join(dir, 'bin', n)])) as Record<FixtureName, string>;
}

function unquoteSetting(s: string): string {
  return s.startsWith('"') ? (JSON.parse(s) as string) : s;
}

/** Reads one file's block of `go version -m` output into the GoBuildInfo shape, independently of the parser under test. */
function parseGoVersionBlock(goVersion: string, lines: readonly string[]): GoBuildInfo {
  let path: string | undefined;
  let main: GoModule | undefined;
  const deps: GoModule[] = [];
  const settings: { key: string; value: string }[] = [];
  const mod = (cols: string[]): GoModule => {
    const [p = '', v = '', sum = ''] = cols;
    return sum === '' ? { path: p, version: v } : { path: p, version: v, sum };
  };
  for (const line of lines) {
    const [, word, ...cols] = line.split('\t');
    if (word === 'path') path = cols.join('\t');
    else if (word === 'mod') main = mod(cols);
    else if (word === 'dep') deps.push(mod(cols));
    else if (word === '=>') {
      const last = deps.pop();
      if (last !== undefined) deps.push({ ...last, replace: mod(cols) });
    } else if (word === 'build') {
      const kv = cols.join('\t');
      const eq = kv.startsWith('"') ? kv.indexOf('"=') + 1 : kv.indexOf('=');
      settings.push({ key: unquoteSetting(kv.slice(0, eq)), value: unquoteSetting(kv.slice(eq + 1)) });
    }
  }
  return {
    goVersion,
    ...(path !== undefined ? { path } : {}),
    ...(main !== undefined ? { main } : {}),
    deps,
    settings,
  };
}

/**
 * Runs `go version -m` on files or directories (every Go binary in them) and
 * returns each binary's build information by path.
 */
export async function goVersionMAll(paths: readonly string[]): Promise<Map<string, GoBuildInfo>> {
  const { stdout } = await execFileAsync('go', ['version', '-m', ...paths], {
    env: goEnv('/nonexistent'),
    maxBuffer: 256 << 20,
  }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' })); // exit 1 when some file is not a Go binary
  const out = new Map<string, GoBuildInfo>();
  let file: string | undefined;
  let version = '';
  let block: string[] = [];
  const flush = (): void => {
    if (file !== undefined) out.set(file, parseGoVersionBlock(version, block));
  };
  for (const line of stdout.split('\n')) {
    if (line.startsWith('\t')) {
      block.push(line);
      continue;
    }
    const m = /^(.*): (\S.*)$/.exec(line);
    if (m === null) continue;
    flush();
    file = m[1];
    version = m[2] ?? '';
    block = [];
  }
  flush();
  return out;
}

/** `go version -m FILE` as GoBuildInfo. */
export async function goVersionM(file: string): Promise<GoBuildInfo> {
  const info = (await goVersionMAll([file])).get(file);
  if (info === undefined) throw new Error(`go version -m found no build information in ${file}`);
  return info;
}
