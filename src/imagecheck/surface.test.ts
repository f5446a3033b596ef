/**
 * The attack surface: the score formula, the items with their packages,
 * the contributors by size, and a suggestion for every kind of entrypoint —
 * static, glibc-only, musl, more libraries, an interpreter, a script, none —
 * each from a crafted image whose entrypoint is a real ELF binary.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { minimalityScore, SURFACE_CATEGORIES, type SurfaceCategory } from './index.js';
import { distrolessFor } from './suggest.js';
import { checkVariant, dpkgPackages, type Member } from './testing.js';

const zero = () =>
  Object.fromEntries(SURFACE_CATEGORIES.map((c) => [c, 0])) as Record<SurfaceCategory, number>;

test('minimality score: 100 for nothing, each penalty as documented, never below 0', () => {
  assert.deepEqual(minimalityScore(zero(), 0), { score: 100, penalties: [] });
  const debianLike = { ...zero(), shell: 4, 'package-manager': 3, setuid: 8, setgid: 3 };
  const r = minimalityScore(debianLike, 161);
  assert.deepEqual(r.penalties, [
    { reason: '4 shells', points: 15 },
    { reason: '3 package managers', points: 10 },
    { reason: '11 setuid/setgid files', points: 10 },
    { reason: '161 OS packages', points: 16.4 },
  ]);
  assert.equal(r.score, 49);
  assert.equal(minimalityScore({ ...zero(), 'world-writable': 1 }, 0).score, 98);
  assert.equal(minimalityScore({ ...zero(), 'unknown-owner': 100 }, 0).score, 95);
  const worst = Object.fromEntries(SURFACE_CATEGORIES.map((c) => [c, 1000])) as Record<
    SurfaceCategory,
    number
  >;
  assert.equal(minimalityScore(worst, 100_000).score, 0);
});

test('the distroless base for a set of libraries', () => {
  assert.equal(distrolessFor(['libc.so.6']).image, 'gcr.io/distroless/base-debian12');
  assert.equal(distrolessFor(['libc.so.6', 'libssl.so.3', 'libcrypto.so.3']).what, 'only libc and OpenSSL');
  assert.deepEqual(distrolessFor(['libstdc++.so.6', 'libgcc_s.so.1', 'libm.so.6', 'libc.so.6']), {
    image: 'gcr.io/distroless/cc-debian12',
    what: 'libc and the C++ runtime',
    extra: [],
  });
  assert.deepEqual(distrolessFor(['libz.so.1', 'libc.so.6']).extra, ['libz.so.1']);
});

const dirs = (...names: string[]): Member[] => names.map((name) => ({ name }));
const packages = (extra: ReadonlyArray<{ name: string; version: string; files: string[] }> = []) => [
  ...dirs('bin', 'usr', 'usr/bin', 'usr/lib', 'lib', 'lib/x86_64-linux-gnu', 'lib64'),
  { name: 'bin/bash', content: 'x', mode: 0o755 },
  { name: 'usr/bin/apt', content: 'x', mode: 0o755 },
  ...dpkgPackages([
    { name: 'bash', version: '5.2.15-2', files: ['/bin/bash'] },
    { name: 'apt', version: '2.6.1', files: ['/usr/bin/apt'] },
    ...extra,
  ]),
];

test('static entrypoint: scratch or distroless/static removes every package', async () => {
  const r = await checkVariant({ add: packages() });
  assert.equal(
    r.surface.suggestion,
    'the entrypoint /app/server is a static binary: a scratch or gcr.io/distroless/static-debian12 base removes 2 of 2 packages (0.2 MB), and with them bash (shells) and apt (package managers)',
  );
  assert.deepEqual(
    r.surface.items.map((i) => [i.category, i.path, i.layer, i.package]),
    [
      ['shell', '/bin/bash', 1, 'bash 5.2.15-2'],
      ['package-manager', '/usr/bin/apt', 1, 'apt 2.6.1'],
    ],
  );
  assert.deepEqual(r.surface.packages, { count: 2, bytes: 204_800 });
  // Shells and package managers cost score but are no finding.
  assert.deepEqual(r.findings, []);
  assert.equal(r.surface.score, 72);
  // Contributors: the static binary's directory first, then the packages.
  assert.deepEqual(
    r.surface.contributors.slice(0, 3).map((c) => [c.kind, c.name]),
    [
      ['path', '/app'],
      ['path', '/etc/ssl'],
      ['package', 'apt'],
    ],
  );
});

const glibcImage = async (entry: Buffer): Promise<Member[]> => [
  ...packages([
    {
      name: 'libc6',
      version: '2.36-9',
      files: [
        '/lib/x86_64-linux-gnu/libc.so.6',
        '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
        '/lib64/ld-linux-x86-64.so.2',
      ],
    },
  ]),
  { name: 'lib/x86_64-linux-gnu/libc.so.6', content: 'x', mode: 0o755 },
  { name: 'lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', content: 'x', mode: 0o755 },
  {
    name: 'lib64/ld-linux-x86-64.so.2',
    type: 'symlink',
    linkname: '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
  },
  { name: 'app/prog', content: entry, mode: 0o755 },
];

test('glibc-only entrypoint: distroless/base keeps libc6 and removes the rest', async () => {
  const r = await checkVariant({
    add: await glibcImage(await readFile('/usr/bin/true')),
    config: { Entrypoint: ['/app/prog'] },
  });
  assert.equal(
    r.surface.suggestion,
    'the entrypoint /app/prog needs only libc (libc.so.6 from libc6): gcr.io/distroless/base-debian12 removes 2 of 3 packages (0.2 MB)',
  );
  assert.deepEqual(r.findings, []);
});

test('an entrypoint needing more than libc: the extra libraries are named', async () => {
  const bin = Buffer.from(await readFile('/usr/bin/true'));
  const at = bin.indexOf('libc.so.6\0');
  assert.ok(at > 0);
  bin.write('libz.so.1', at, 'latin1');
  const r = await checkVariant({ add: await glibcImage(bin), config: { Entrypoint: ['/app/prog'] } });
  assert.match(
    r.surface.suggestion ?? '',
    /^the entrypoint \/app\/prog needs libz\.so\.1 beside libc from libc6: copied from a build stage onto gcr\.io\/distroless\/cc-debian12 with those libraries, the image removes 2 of 3 packages/,
  );
});

test('a musl-linked entrypoint: build it static', async () => {
  const bin = Buffer.from(await readFile('/usr/bin/true'));
  const at = bin.indexOf('/lib64/ld-linux-x86-64.so.2\0');
  assert.ok(at > 0);
  bin.fill(0, at, at + 27);
  bin.write('/lib/ld-musl-x86_64.so.1', at, 'latin1');
  const r = await checkVariant({
    add: [...(await glibcImage(bin)), { name: 'lib/ld-musl-x86_64.so.1', content: 'x', mode: 0o755 }],
    config: { Entrypoint: ['/app/prog'] },
  });
  assert.match(
    r.surface.suggestion ?? '',
    /^the entrypoint \/app\/prog is linked against musl \(\/lib\/ld-musl-x86_64\.so\.1\): built static .* removes 3 of 3 packages/,
  );
});

test('an interpreter entrypoint: the distroless image of its language', async () => {
  const r = await checkVariant({
    add: [
      ...packages([{ name: 'python3.11-minimal', version: '3.11.2-6', files: ['/usr/bin/python3.11'] }]),
      { name: 'usr/bin/python3.11', content: 'x', mode: 0o755 },
      { name: 'usr/bin/python3', type: 'symlink', linkname: 'python3.11' },
    ],
    config: { Entrypoint: ['python3', '/app/main.py'] },
  });
  assert.equal(
    r.surface.suggestion,
    'the entrypoint runs Python (/usr/bin/python3.11): gcr.io/distroless/python3-debian12 carries the runtime without a shell or package manager, dropping bash (shells) and apt (package managers) and most of the 3 OS packages (0.3 MB)',
  );
});

test('a script entrypoint, through a wrapper and sh -c, and no entrypoint at all: a multi-stage build', async () => {
  const script = await checkVariant({
    add: [
      ...packages(),
      { name: 'app/run.sh', content: '#!/bin/bash\nexec /app/server\n', mode: 0o755 },
      { name: 'usr/bin/tini', content: 'x', mode: 0o755 },
    ],
    config: { Entrypoint: ['tini', '--'], Cmd: ['/bin/bash', '-c', 'exec /app/run.sh'] },
  });
  assert.equal(
    script.surface.suggestion,
    'the entrypoint /app/run.sh is a script or a binary mamori could not read: a multi-stage build that copies only the application and the files it needs onto a distroless base drops the 2 OS packages (0.2 MB), with them bash (shells) and apt (package managers)',
  );
  // A bare shell as the command (a general-purpose base image): no application to build around.
  const shell = await checkVariant({
    add: packages(),
    config: { Entrypoint: undefined, Cmd: ['/bin/bash'] },
  });
  assert.equal(
    shell.surface.suggestion,
    "the image's command is a shell (/bin/bash), not an application: a multi-stage build that copies only the application and the files it needs onto a distroless base drops the 2 OS packages (0.2 MB), with them bash (shells) and apt (package managers)",
  );
  const none = await checkVariant({ add: packages(), config: { Entrypoint: undefined } });
  assert.match(none.surface.suggestion ?? '', /^the image sets no ENTRYPOINT or CMD: a multi-stage build/);
});

test('setuid, world-writable and unknown-owner paths are surface items with their layer', async () => {
  const r = await checkVariant({
    add: [
      ...dirs('usr', 'usr/bin'),
      { name: 'usr/bin/su', content: 'x', mode: 0o4755 },
      { name: 'usr/bin/wall', content: 'x', mode: 0o2755, gid: 5 },
      { name: 'srv', mode: 0o777, uid: 1234 },
    ],
  });
  assert.deepEqual(
    r.surface.items.map((i) => [i.category, i.path, i.layer]),
    [
      ['setuid', '/usr/bin/su', 1],
      ['setgid', '/usr/bin/wall', 1],
      ['world-writable', '/srv', 1],
      ['unknown-owner', '/srv', 1],
      ['unknown-owner', '/usr/bin/wall', 1],
    ],
  );
  assert.equal(r.surface.counts['unknown-owner'], 2);
});
