/**
 * The dpkg cataloger against a real Debian 12 root filesystem built with
 * mmdebstrap, checked field by field against dpkg-query reading the same
 * database.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { lstat, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { PackageURL } from 'packageurl-js';
import type { DpkgMetadata, Package } from '../../../core/index.js';
import { debianRootfs, parseFacts } from '../../../testing/index.js';
import { runCataloger, type TestFile } from '../../testing.js';
import { detectDistro, osDetector } from '../../os/index.js';
import { dpkgCataloger } from './index.js';

const execFileAsync = promisify(execFile);

async function regularFile(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isFile();
  } catch {
    return false;
  }
}

/** The files a layer walker would hand over: regular files only, symbolic links skipped. */
async function collect(rootfs: string): Promise<TestFile[]> {
  const paths = ['/var/lib/dpkg/status', '/etc/os-release', '/usr/lib/os-release', '/etc/debian_version'];
  for (const name of await readdir(join(rootfs, 'var/lib/dpkg/info'))) {
    if (name.endsWith('.list')) paths.push(`/var/lib/dpkg/info/${name}`);
  }
  for (const name of await readdir(join(rootfs, 'usr/share/doc'))) {
    const dir = join(rootfs, 'usr/share/doc', name);
    if ((await lstat(dir)).isDirectory()) paths.push(`/usr/share/doc/${name}/copyright`);
  }
  const files: TestFile[] = [];
  for (const p of paths) {
    if (await regularFile(join(rootfs, p))) files.push({ path: p, data: await readFile(join(rootfs, p)) });
  }
  return files;
}

async function dpkgQuery(admindir: string, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('dpkg-query', [`--admindir=${admindir}`, ...args], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

function meta(p: Package): DpkgMetadata {
  assert.equal(p.metadata.kind, 'dpkg');
  return p.metadata as DpkgMetadata;
}

describe('dpkg cataloger on a real Debian 12 rootfs', { timeout: 30 * 60_000 }, () => {
  let rootfs = '';
  let admindir = '';
  let files: TestFile[] = [];
  let pkgs: Package[] = [];
  let byKey = new Map<string, Package>();

  before(async () => {
    rootfs = await debianRootfs();
    admindir = join(rootfs, 'var/lib/dpkg');
    files = await collect(rootfs);
    const distro = detectDistro(await parseFacts(osDetector, files));
    pkgs = await runCataloger(dpkgCataloger, files, distro);
    byKey = new Map(pkgs.map((p) => [`${p.name}:${meta(p).architecture ?? ''}`, p]));
  });

  it('detects Debian 12 from /usr/lib/os-release alone (/etc/os-release is a symbolic link)', async () => {
    assert.equal(
      files.some((f) => f.path === '/etc/os-release'),
      false,
    );
    const distro = detectDistro(await parseFacts(osDetector, files));
    assert.equal(distro?.id, 'debian');
    assert.equal(distro?.versionId, '12');
    assert.equal(distro?.versionCodename, 'bookworm');
  });

  it('finds exactly the packages dpkg-query -W lists, with the same version and architecture', async () => {
    const out = await dpkgQuery(admindir, '-W', '-f', '${Package}\t${Version}\t${Architecture}\n');
    const expected = out.split('\n').filter((l) => l !== '');
    assert.ok(expected.length > 100, 'minbase + python3-requests has over 100 packages');
    assert.ok(expected.some((l) => l.startsWith('python3-requests\t')));
    const got = pkgs.map((p) => `${p.name}\t${p.version}\t${meta(p).architecture ?? ''}`);
    assert.deepEqual([...got].sort(), [...expected].sort());
  });

  it('reports the source package and version dpkg-query reports', async () => {
    const out = await dpkgQuery(
      admindir,
      '-W',
      '-f',
      '${Package}:${Architecture}\t${source:Package}\t${source:Version}\n',
    );
    let withSourceVersion = 0;
    for (const line of out.split('\n').filter((l) => l !== '')) {
      const [key, source, sourceVersion] = line.split('\t') as [string, string, string];
      const p = byKey.get(key);
      assert.ok(p, `missing ${key}`);
      assert.equal(meta(p).source, source, `source of ${key}`);
      assert.equal(meta(p).sourceVersion, sourceVersion, `source version of ${key}`);
      if (sourceVersion !== p.version) withSourceVersion++;
    }
    assert.ok(
      withSourceVersion > 0,
      'the rootfs has binNMU or epoch-differing sources (Source: name (version))',
    );
  });

  it('lists every package’s owned files as dpkg-query -L does (less /. and diversion notes)', async () => {
    for (const p of pkgs) {
      const arch = meta(p).architecture;
      const out = await dpkgQuery(admindir, '-L', arch === undefined ? p.name : `${p.name}:${arch}`);
      const expected = out.split('\n').filter((l) => l.startsWith('/') && l !== '/.');
      assert.deepEqual(meta(p).files, expected, `files of ${p.name}`);
    }
    const total = pkgs.reduce((n, p) => n + meta(p).files.length, 0);
    assert.ok(total > 5000, `only ${total} owned files`);
  });

  it('builds Syft-style PURLs from the dpkg-query values', async () => {
    const out = await dpkgQuery(
      admindir,
      '-W',
      '-f',
      '${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n',
    );
    for (const line of out.split('\n').filter((l) => l !== '')) {
      const [name, version, arch, source, sourceVersion] = line.split('\t') as [
        string,
        string,
        string,
        string,
        string,
      ];
      const p = byKey.get(`${name}:${arch}`);
      assert.ok(p);
      const u = PackageURL.fromString(p.purl);
      assert.equal(u.type, 'deb');
      assert.equal(u.namespace, 'debian');
      assert.equal(u.name, name);
      assert.equal(u.version, version);
      const q = { ...(u.qualifiers ?? {}) };
      const upstream =
        source === name && sourceVersion === version
          ? undefined
          : sourceVersion === version
            ? source
            : `${source}@${sourceVersion}`;
      assert.deepEqual(q, { arch, distro: 'debian-12', ...(upstream !== undefined ? { upstream } : {}) });
    }
  });

  it('reads licences from DEP-5 copyright files only, each one as written in a License field', async () => {
    let dep5 = 0;
    for (const p of pkgs) {
      // A doc directory that is a symbolic link is not walked, as in an image layer.
      const dir = join(rootfs, 'usr/share/doc', p.name);
      const walked = (await lstat(dir).catch(() => undefined))?.isDirectory() === true;
      const path = join(dir, 'copyright');
      const text = walked && (await regularFile(path)) ? await readFile(path, 'utf8') : '';
      const licenseLines = text.split('\n').filter((l) => l.startsWith('License:'));
      if (text.startsWith('Format:')) {
        dep5++;
        assert.ok(p.licenses.length > 0, `licences of ${p.name}`);
      } else {
        assert.deepEqual(p.licenses, [], `${p.name} has no machine-readable copyright`);
      }
      for (const l of p.licenses)
        assert.ok(
          licenseLines.some((line) => line.includes(l)),
          `${p.name}: ${l}`,
        );
    }
    assert.ok(dep5 > 50);
    assert.deepEqual(byKey.get('zlib1g:amd64')?.licenses, ['Zlib']);
    const bash = byKey.get('bash:amd64')?.licenses ?? [];
    for (const l of ['GPL-3+', 'GPL-3+ with Bison exception', 'MIT-like']) assert.ok(bash.includes(l), l);
  });

  it('places each package in the status file, with its file list and copyright as supporting evidence', () => {
    for (const p of pkgs) {
      assert.equal(p.locations[0]?.path, '/var/lib/dpkg/status');
      assert.equal(p.foundBy, 'dpkg');
      assert.equal(p.type, 'deb');
    }
    const req = pkgs.find((p) => p.name === 'python3-requests');
    assert.deepEqual(
      req?.locations.map((l) => l.path),
      [
        '/var/lib/dpkg/status',
        '/var/lib/dpkg/info/python3-requests.list',
        '/usr/share/doc/python3-requests/copyright',
      ],
    );
    const libc = pkgs.find((p) => p.name === 'libc6');
    assert.equal(libc?.locations[1]?.path, '/var/lib/dpkg/info/libc6:amd64.list');
  });
});
