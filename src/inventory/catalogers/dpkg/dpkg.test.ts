import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Distro, DpkgMetadata, Package } from '../../../core/index.js';
import { readTree } from '../../../testing/index.js';
import { runCataloger } from '../../testing.js';
import { dpkgCataloger, dpkgPurl, parseCopyright } from './index.js';

const execFileAsync = promisify(execFile);
const testdata = fileURLToPath(new URL('testdata', import.meta.url));
const debian12: Distro = { id: 'debian', versionId: '12', versionCodename: 'bookworm' };

function meta(p: Package): DpkgMetadata {
  assert.equal(p.metadata.kind, 'dpkg');
  return p.metadata as DpkgMetadata;
}

async function catalog(fixture: string, distro: Distro | undefined = debian12): Promise<Package[]> {
  return runCataloger(dpkgCataloger, await readTree(join(testdata, fixture)), distro);
}

/** Copies a fixture's /var/lib/dpkg into a private admindir dpkg-query can read. */
async function admindir(fixture: string, scratch: string): Promise<string> {
  const dir = await mkdtemp(join(scratch, `${fixture}-`));
  await cp(join(testdata, fixture, 'var/lib/dpkg'), dir, { recursive: true });
  await mkdir(join(dir, 'info'), { recursive: true });
  await mkdir(join(dir, 'updates'), { recursive: true });
  return dir;
}

async function dpkgQuery(dir: string, ...args: string[]): Promise<string[]> {
  const { stdout } = await execFileAsync('dpkg-query', [`--admindir=${dir}`, ...args]);
  return stdout.split('\n').filter((l) => l !== '');
}

describe('dpkg cataloger on fixtures checked with dpkg-query', () => {
  let scratch = '';
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'mamori-dpkg-test-'));
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('keeps the packages dpkg-query -W lists, less those in state config-files', async () => {
    const dir = await admindir('states', scratch);
    const rows = await dpkgQuery(dir, '-W', '-f', '${Package}\t${Version}\t${db:Status-Status}\n');
    // dpkg-query lists every state but not-installed; config-files packages left only configuration behind.
    assert.ok(rows.some((r) => r.endsWith('\tconfig-files')));
    assert.ok(!rows.some((r) => r.startsWith('g-purged\t') || r.startsWith('k-unknown-not-installed\t')));
    const expected = rows
      .map((r) => r.split('\t'))
      .filter(([, , state]) => state !== 'config-files')
      .map(([name, version]) => `${name}\t${version}`);
    const pkgs = await catalog('states');
    assert.deepEqual(
      pkgs.map((p) => `${p.name}\t${p.version}`),
      expected,
    );
    assert.deepEqual(
      pkgs.map((p) => p.name),
      [
        'a-installed',
        'b-selected-for-removal',
        'd-half-configured',
        'e-unpacked',
        'f-half-installed',
        'h-triggers-pending',
        'i-triggers-awaited',
        'j-held',
      ],
    );
  });

  it('reads Source with and without a version as dpkg-query does', async () => {
    for (const fixture of ['states', 'multiarch']) {
      const dir = await admindir(fixture, scratch);
      const rows = await dpkgQuery(
        dir,
        '-W',
        '-f',
        '${binary:Package}\t${source:Package}\t${source:Version}\n',
      );
      const pkgs = await catalog(fixture);
      for (const row of rows) {
        const [key, source, sourceVersion] = row.split('\t') as [string, string, string];
        const [name, arch] = key.split(':');
        const p = pkgs.find((x) => x.name === name && (arch === undefined || meta(x).architecture === arch));
        if (p === undefined) continue; // config-files packages
        assert.equal(meta(p).source, source, key);
        assert.equal(meta(p).sourceVersion, sourceVersion, key);
      }
    }
  });

  it('gives each instance of a multi-arch package its own NAME:ARCH.list, as dpkg-query -L does', async () => {
    const dir = await admindir('multiarch', scratch);
    const pkgs = await catalog('multiarch');
    assert.deepEqual(
      pkgs.map((p) => `${p.name}:${meta(p).architecture}`),
      ['libc6:amd64', 'libc6:i386', 'bash:amd64', 'libfoo-tool:i386'],
    );
    for (const p of pkgs) {
      const expected = (await dpkgQuery(dir, '-L', `${p.name}:${meta(p).architecture}`)).filter(
        (l) => l !== '/.',
      );
      assert.deepEqual(meta(p).files, expected, p.name);
      assert.ok(expected.length > 2);
    }
    const i386 = pkgs[1]!;
    assert.equal(i386.locations[1]?.path, '/var/lib/dpkg/info/libc6:i386.list');
  });
});

describe('dpkg cataloger on fixtures', () => {
  it('fills metadata and Syft-style PURLs', async () => {
    const pkgs = await catalog('multiarch');
    const [libc, , bash, foo] = pkgs;
    assert.deepEqual(libc?.metadata, {
      kind: 'dpkg',
      source: 'glibc',
      sourceVersion: '2.36-9+deb12u4',
      architecture: 'amd64',
      maintainer: 'GNU Libc Maintainers <debian-glibc@lists.debian.org>',
      installedSize: 12988,
      files: [
        '/lib',
        '/lib/x86_64-linux-gnu',
        '/lib/x86_64-linux-gnu/libc.so.6',
        '/lib64',
        '/lib64/ld-linux-x86-64.so.2',
      ],
    });
    assert.equal(
      libc?.purl,
      'pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=debian-12&upstream=glibc',
    );
    assert.equal(
      bash?.purl,
      'pkg:deb/debian/bash@5.2.15-2+b2?arch=amd64&distro=debian-12&upstream=bash%405.2.15-2',
    );
    assert.equal(
      foo?.purl,
      'pkg:deb/debian/libfoo-tool@2.0-1?arch=i386&distro=debian-12&upstream=foo%401%3A2.0-1',
    );
    assert.equal(libc?.type, 'deb');
    assert.equal(libc?.foundBy, 'dpkg');
  });

  it('names the distribution in the PURL only when it is Debian-like', async () => {
    const [libc] = await catalog('multiarch');
    const e = {
      name: 'libc6',
      version: '2.35-0ubuntu3.6',
      architecture: 'amd64',
      source: 'glibc',
      sourceVersion: '2.35-0ubuntu3.6',
      state: 'installed',
    };
    const ubuntu: Distro = { id: 'ubuntu', versionId: '22.04', idLike: ['debian'] };
    assert.equal(
      dpkgPurl(e, ubuntu),
      'pkg:deb/ubuntu/libc6@2.35-0ubuntu3.6?arch=amd64&distro=ubuntu-22.04&upstream=glibc',
    );
    assert.equal(
      dpkgPurl(e, { id: 'alpine', versionId: '3.19.1' }),
      'pkg:deb/debian/libc6@2.35-0ubuntu3.6?arch=amd64&upstream=glibc',
    );
    assert.equal(dpkgPurl(e, undefined), 'pkg:deb/debian/libc6@2.35-0ubuntu3.6?arch=amd64&upstream=glibc');
    assert.equal(
      dpkgPurl({ ...e, source: 'libc6' }, { id: 'debian' }),
      'pkg:deb/debian/libc6@2.35-0ubuntu3.6?arch=amd64&distro=debian',
    );
    assert.equal(libc?.purl.startsWith('pkg:deb/debian/libc6@'), true);
  });

  it('reads a distroless status.d: one control stanza a file, md5sums for owned files', async () => {
    const pkgs = await catalog('distroless');
    assert.deepEqual(
      pkgs.map((p) => [p.name, p.version, p.locations[0]?.path]),
      [
        ['libsqlite3-0', '3.40.1-2+deb12u1', '/var/lib/dpkg/status.d/libsqlite3-0'],
        ['libssl3', '3.0.11-1~deb12u2', '/var/lib/dpkg/status.d/libssl3'],
        ['tzdata', '2024a-0+deb12u1', '/var/lib/dpkg/status.d/tzdata'],
      ],
    );
    const [sqlite, ssl, tz] = pkgs;
    assert.deepEqual(meta(sqlite!).files, [
      '/usr/lib/x86_64-linux-gnu/libsqlite3.so.0.8.6',
      '/usr/share/doc/libsqlite3-0/changelog.Debian.gz',
      '/usr/share/doc/libsqlite3-0/copyright',
    ]);
    assert.equal(meta(sqlite!).source, 'sqlite3');
    assert.deepEqual(sqlite?.licenses, ['public-domain', 'GPL-2+']);
    assert.deepEqual(
      sqlite?.locations.map((l) => l.path),
      [
        '/var/lib/dpkg/status.d/libsqlite3-0',
        '/var/lib/dpkg/status.d/libsqlite3-0.md5sums',
        '/usr/share/doc/libsqlite3-0/copyright',
      ],
    );
    assert.deepEqual(meta(ssl!).files, []);
    assert.deepEqual(tz?.licenses, [], 'a copyright file without a Format header is not read');
    assert.deepEqual(meta(tz!).files, ['/usr/share/zoneinfo/Europe/Paris', '/usr/share/zoneinfo/UTC']);
    assert.equal(meta(tz!).architecture, 'all');
  });

  it('drops corrupt and invalid stanzas and keeps the rest', async () => {
    const pkgs = await catalog('corrupt');
    assert.deepEqual(
      pkgs.map((p) => `${p.name}@${p.version}`),
      ['base-files@12.4+deb12u5', 'mawk@1.3.4.20200120-3.1', 'truncated-last@0.1'],
    );
  });

  it('skips a status.d stanza whose Status says it is not installed', async () => {
    const pkgs = await runCataloger(dpkgCataloger, [
      {
        path: '/var/lib/dpkg/status.d/gone',
        data: 'Package: gone\nStatus: deinstall ok config-files\nVersion: 1\n',
      },
      { path: '/var/lib/dpkg/status.d/here', data: 'Package: here\nVersion: 1\nArchitecture: arm64\n' },
    ]);
    assert.deepEqual(
      pkgs.map((p) => p.name),
      ['here'],
    );
    assert.equal(pkgs[0]?.purl, 'pkg:deb/debian/here@1?arch=arm64');
  });

  it('leaves the layer to the inventory, which reads it from the history of the status database', async () => {
    const status = await readFile(join(testdata, 'multiarch/var/lib/dpkg/status'));
    const pkgs = await runCataloger(
      dpkgCataloger,
      [
        { path: '/var/lib/dpkg/status', data: status, layer: 3 },
        { path: '/var/lib/dpkg/info/bash.list', data: '/.\n/bin/bash\n', layer: 2 },
      ],
      debian12,
    );
    assert.ok(pkgs.length > 0);
    for (const p of pkgs) {
      assert.equal(p.layer, undefined);
      assert.equal(p.locations[0]?.layer?.index, 3);
    }
  });

  it('selects only the dpkg database, file lists and copyright files', () => {
    const sel = (path: string) => dpkgCataloger.select({ path, type: 'file', mode: 0o644, size: 1 });
    for (const p of [
      '/var/lib/dpkg/status',
      '/var/lib/dpkg/status.d/libc6',
      '/var/lib/dpkg/status.d/libc6.md5sums',
      '/var/lib/dpkg/info/libc6:amd64.list',
      '/var/lib/dpkg/info/bash.list',
      '/usr/share/doc/bash/copyright',
    ]) {
      assert.ok(sel(p), p);
    }
    for (const p of [
      '/var/lib/dpkg/status-old',
      '/var/lib/dpkg/available',
      '/var/lib/dpkg/info/bash.md5sums',
      '/var/lib/dpkg/info/sub/bash.list',
      '/var/lib/dpkg/status.d/sub/x',
      '/usr/share/doc/bash/examples/copyright',
      '/usr/share/doc/copyright',
      '/srv/var/lib/dpkg/status',
    ]) {
      assert.ok(!sel(p), p);
    }
  });
});

describe('DEP-5 copyright licences', () => {
  it('collects distinct short names in order, splitting or/and/comma and ignoring free text and none', async () => {
    const text = await readFile(join(testdata, 'copyright/dep5-mixed'), 'utf8');
    assert.deepEqual(parseCopyright(text), [
      'GPL-2+',
      'Artistic',
      'GPL-3+ with Bison exception',
      'BSD-3-clause',
      'MIT',
      'Zlib',
    ]);
  });

  it('reads nothing from a copyright file that is not machine-readable', async () => {
    assert.deepEqual(parseCopyright(await readFile(join(testdata, 'copyright/not-dep5'), 'utf8')), []);
    assert.deepEqual(parseCopyright(''), []);
  });

  it('keeps at most 64 names', () => {
    const many = Array.from({ length: 200 }, (_, i) => `Files: f${i}\nCopyright: x\nLicense: L-${i}\n`).join(
      '\n',
    );
    assert.equal(
      parseCopyright(`Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n${many}`)
        .length,
      64,
    );
  });
});
