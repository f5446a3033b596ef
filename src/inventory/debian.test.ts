/**
 * The inventory of a real Debian 12 image (built by the tests from Debian's
 * packages with mmdebstrap + umoci) checked against the native tools:
 * dpkg-query, `go version -m` and Python's importlib.metadata.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { Package } from '../core/index.js';
import { startDistribution, type Distribution } from '../image/registry/testing.js';
import { type DebianImage, debianImage } from '../testing/images.js';
import { inventory } from './inventory.js';
import type { Inventory } from './types.js';

const run = promisify(execFile);
const BIG = { maxBuffer: 256 * 1024 * 1024 };

let img: DebianImage;
let cacheDir: string;
let base: Inventory;

const key = (p: Package) => `${p.type} ${p.name} ${p.version} ${p.locations.map((l) => l.path).join(',')}`;
/** What must be equal whatever the transport: packages with their layers and owners. */
const canonical = (inv: Inventory) =>
  inv.packages.map(
    (p) => `${key(p)} L${p.layer?.index}:${p.layer?.diffId} owner=${p.ownedBy?.purl ?? '-'} ${p.purl}`,
  );

describe('Debian 12 image', { timeout: 30 * 60 * 1000 }, () => {
  before(async () => {
    img = await debianImage();
    cacheDir = await mkdtemp(join(tmpdir(), 'mamori-cache-'));
    base = await inventory(`oci:${img.layout}:${img.tag}`, { cacheDir });
  });
  after(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  test('distro is Debian 12', () => {
    assert.equal(base.distro?.id, 'debian');
    assert.equal(base.distro?.versionId, '12');
    assert.equal(base.source.layers.length, 3);
  });

  test('dpkg packages equal dpkg-query -W exactly', async () => {
    const { stdout } = await run(
      'dpkg-query',
      [`--admindir=${img.rootfs}/var/lib/dpkg`, '-W', '-f', '${Package}\t${Version}\t${Architecture}\n'],
      BIG,
    );
    const want = stdout.trim().split('\n').sort();
    const got = base.packages
      .filter((p) => p.type === 'deb')
      .map((p) => `${p.name}\t${p.version}\t${p.metadata.kind === 'dpkg' ? p.metadata.architecture : ''}`)
      .sort();
    assert.ok(want.length > 100, `expected a real package list, got ${want.length}`);
    assert.deepEqual(got, want);
  });

  /** What `go version -m` says is in a binary: stdlib, the main module and every dep, replacements applied. */
  async function goVersionM(binary: string): Promise<string[]> {
    const { stdout } = await run('go', ['version', '-m', binary], BIG);
    const lines = stdout.split('\n');
    const want: string[] = [`stdlib ${(lines[0] ?? '').split(': ')[1]?.trim()}`];
    let mainPackage: string | undefined;
    let hasMainModule = false;
    for (const l of lines.slice(1)) {
      const f = l.trim().split('\t');
      if (f[0] === 'path') mainPackage = f[1];
      if (f[0] === 'mod') hasMainModule = true;
      if (f[0] === 'mod' || f[0] === 'dep') want.push(`${f[1]} ${f[2]}`);
      // The replacement is what is in the binary: it stands in for the module above it.
      if (f[0] === '=>') want[want.length - 1] = `${f[1]} ${f[2]}`;
    }
    // Built outside module mode (as Debian builds Go): the main package stands for the program, as Syft reports it.
    if (!hasMainModule && mainPackage) want.push(`${mainPackage} (devel)`);
    return want.sort();
  }
  const goModules = (path: string) =>
    base.packages
      .filter((p) => p.type === 'go-module' && p.locations[0]?.path === path)
      .map((p) => `${p.name} ${p.version}`)
      .sort();

  test('Go modules of a binary equal go version -m', async () => {
    const want = await goVersionM(join(img.rootfs, 'usr/local/bin/mamori-fixture'));
    assert.ok(want.includes('github.com/google/uuid v1.3.0'), want.join('; '));
    assert.ok(want.includes('./greet (devel)'), want.join('; '));
    assert.deepEqual(goModules('/usr/local/bin/mamori-fixture'), want);
    const uuid = base.packages.find((p) => p.name === 'github.com/google/uuid');
    assert.equal(uuid?.purl, 'pkg:golang/github.com/google/uuid@v1.3.0');
    assert.equal(uuid?.layer?.index, 2);
    assert.equal(uuid?.ownedBy, undefined, 'the application binary belongs to no OS package');
  });

  test('a Go binary shipped in a .deb (skopeo) is owned by its package', async () => {
    const want = await goVersionM(join(img.rootfs, 'usr/bin/skopeo'));
    assert.deepEqual(goModules('/usr/bin/skopeo'), want);
    const owners = new Set(
      base.packages.filter((p) => p.locations[0]?.path === '/usr/bin/skopeo').map((p) => p.ownedBy?.name),
    );
    assert.deepEqual([...owners], ['skopeo']);
  });

  test('Python packages equal importlib.metadata in the rootfs', async () => {
    const script =
      'import importlib.metadata as m\nfor d in m.distributions():\n    print(d.metadata["Name"] + "\\t" + d.version)';
    const { stdout } = await run('chroot', [img.rootfs, '/usr/bin/python3', '-c', script], BIG);
    const want = [...new Set(stdout.trim().split('\n'))].sort();
    const got = [
      ...new Set(base.packages.filter((p) => p.type === 'python').map((p) => `${p.name}\t${p.version}`)),
    ].sort();
    assert.ok(
      want.some((l) => l.startsWith('requests\t')),
      'requests is installed',
    );
    assert.deepEqual(got, want);
    const requests = base.packages.find((p) => p.type === 'python' && p.name === 'requests');
    assert.equal(requests?.ownedBy?.name, 'python3-requests');
    assert.equal(requests?.ownedBy?.type, 'deb');
  });

  test('each package is attributed to the layer that introduced it', () => {
    const layerOf = (name: string) =>
      base.packages.find((p) => p.type === 'deb' && p.name === name)?.layer?.index;
    assert.equal(layerOf('bash'), 0);
    assert.equal(layerOf('libc6'), 0);
    assert.equal(layerOf('apt'), 1);
    assert.equal(layerOf('python3-requests'), 1);
    assert.equal(layerOf('skopeo'), 1);
  });

  test('oci-archive, docker-archive and a registry with authentication give identical inventories', async () => {
    const want = canonical(base);
    const viaOciArchive = await inventory(`oci-archive:${img.ociArchive}:${img.tag}`, { cacheDir: false });
    assert.deepEqual(canonical(viaOciArchive), want);
    const viaDockerArchive = await inventory(`docker-archive:${img.dockerArchive}`, { cacheDir: false });
    assert.deepEqual(canonical(viaDockerArchive), want);
    let reg: Distribution | undefined;
    const home = await mkdtemp(join(tmpdir(), 'mamori-home-'));
    try {
      reg = await startDistribution({ htpasswd: { alice: 's3cret-pw' } });
      await run(
        'skopeo',
        [
          'copy',
          '--quiet',
          '--dest-tls-verify=false',
          '--dest-creds=alice:s3cret-pw',
          `oci:${img.layout}:${img.tag}`,
          `docker://${reg.host}/debian/app:12`,
        ],
        BIG,
      );
      // Anonymous access is refused…
      await assert.rejects(
        inventory(`${reg.host}/debian/app:12`, {
          cacheDir: false,
          registry: { tlsVerify: false, env: {}, homeDir: home },
        }),
        (e: Error) => /auth|unauthori/i.test(e.message),
      );
      // …and an auth.json gives access, as skopeo's --authfile does.
      const authFile = join(home, 'auth.json');
      const auth = Buffer.from('alice:s3cret-pw').toString('base64');
      await writeFile(authFile, JSON.stringify({ auths: { [reg.host]: { auth } } }));
      const viaRegistry = await inventory(`docker://${reg.host}/debian/app:12`, {
        cacheDir: false,
        registry: { tlsVerify: false, authFile, env: {}, homeDir: home },
      });
      assert.deepEqual(canonical(viaRegistry), want);
      assert.equal(viaRegistry.source.name, `${reg.host}/debian/app`);
      assert.equal(viaRegistry.source.tag, '12');
    } finally {
      await reg?.stop();
      await rm(home, { recursive: true, force: true });
    }
  });

  test('a second scan reads every layer from the cache and gives the same inventory', async () => {
    const events: string[] = [];
    const again = await inventory(`oci:${img.layout}:${img.tag}`, {
      cacheDir,
      onProgress: (e) => {
        if (e.phase === 'layer-start') events.push(e.cached ? 'cached' : 'read');
      },
    });
    assert.deepEqual(events, ['cached', 'cached', 'cached']);
    assert.deepEqual(canonical(again), canonical(base));
    assert.ok((await readdir(join(cacheDir, 'layers'))).length > 0);
  });

  test('dir: of the unpacked rootfs finds the same packages', async () => {
    const viaDir = await inventory(`dir:${img.rootfs}`, { cacheDir: false });
    const names = (inv: Inventory) => inv.packages.map((p) => `${p.type} ${p.name} ${p.version}`).sort();
    assert.deepEqual(names(viaDir), names(base));
  });
});
