/** Layer semantics: whiteouts, opaque directories, hard links, compression, and layer attribution. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writeOciImage, type TarMemberSpec } from '../testing/oci-writer.js';
import { inventory } from './inventory.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mamori-layers-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const status = (pkgs: Array<[string, string]>) =>
  pkgs
    .map(
      ([name, version]) =>
        `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${version}\nMaintainer: M <m@example.org>\nDescription: ${name}\n`,
    )
    .join('\n');
const osRelease = 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n';
const pkgJson = (name: string, version: string) => JSON.stringify({ name, version, license: 'MIT' });
const metadata = (name: string, version: string) =>
  `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`;

const names = (inv: Awaited<ReturnType<typeof inventory>>) =>
  inv.packages.map((p) => `${p.type}:${p.name}@${p.version}#${p.layer?.index}`).sort();

test('whiteouts and opaque directories remove what lower layers added', async () => {
  const layer0: TarMemberSpec[] = [
    { name: 'usr/lib/os-release', content: osRelease },
    {
      name: 'var/lib/dpkg/status',
      content: status([
        ['base-files', '12.4'],
        ['bash', '5.2.15-2'],
      ]),
    },
    { name: 'usr/lib/python3/dist-packages/foo-1.0.dist-info/METADATA', content: metadata('foo', '1.0') },
    { name: 'usr/lib/python3/dist-packages/bar-2.0.dist-info/METADATA', content: metadata('bar', '2.0') },
    { name: 'app/node_modules/x/package.json', content: pkgJson('x', '1.0.0') },
    { name: 'app/node_modules/y/package.json', content: pkgJson('y', '1.0.0') },
  ];
  const layer1: TarMemberSpec[] = [
    // apt-get install in a later layer rewrites the status file.
    {
      name: 'var/lib/dpkg/status',
      content: status([
        ['base-files', '12.4'],
        ['bash', '5.2.15-2'],
        ['curl', '7.88.1-10'],
      ]),
    },
    { name: 'usr/lib/python3/dist-packages/.wh.foo-1.0.dist-info', content: '' },
    { name: 'app/node_modules/.wh..wh..opq', content: '' },
    { name: 'app/node_modules/y/package.json', content: pkgJson('y', '2.0.0') },
  ];
  const img = await writeOciImage(join(dir, 'wh'), 'v1', [{ members: layer0 }, { members: layer1 }]);
  const inv = await inventory(`oci:${img.dir}:v1`, { cacheDir: false });
  assert.deepEqual(names(inv), [
    'deb:base-files@12.4#0',
    'deb:bash@5.2.15-2#0',
    'deb:curl@7.88.1-10#1',
    'npm:y@2.0.0#1',
    'python:bar@2.0#0',
  ]);
  assert.equal(inv.distro?.id, 'debian');
  assert.equal(inv.packages.find((p) => p.name === 'y')?.layer?.diffId, img.diffIds[1]);
});

test('a whiteout of a whole directory removes every package under it; a later layer may add it back', async () => {
  const img = await writeOciImage(join(dir, 'wh-dir'), 'v1', [
    { members: [{ name: 'srv/node_modules/a/package.json', content: pkgJson('a', '1.0.0') }] },
    { members: [{ name: 'srv/.wh.node_modules', content: '' }] },
    { members: [{ name: 'srv/node_modules/b/package.json', content: pkgJson('b', '3.0.0') }] },
  ]);
  const inv = await inventory(`oci:${img.dir}:v1`, { cacheDir: false });
  assert.deepEqual(names(inv), ['npm:b@3.0.0#2']);
});

test('hard links are read through their target, in gzip, zstd and uncompressed layers', async () => {
  for (const compression of ['gzip', 'zstd', 'none'] as const) {
    const img = await writeOciImage(join(dir, `hl-${compression}`), 'v1', [
      {
        compression,
        members: [
          { name: 'opt/pkg.json', content: pkgJson('linked', '4.5.6') },
          { name: 'opt/node_modules/linked/package.json', type: 'link', linkname: 'opt/pkg.json' },
        ],
      },
    ]);
    const inv = await inventory(`oci:${img.dir}:v1`, { cacheDir: false });
    assert.deepEqual(names(inv), ['npm:linked@4.5.6#0'], compression);
    assert.equal(inv.packages[0]?.locations[0]?.path, '/opt/node_modules/linked/package.json');
  }
});

test('files reached only through a symlinked directory are not cataloged twice', async () => {
  const img = await writeOciImage(join(dir, 'sym'), 'v1', [
    {
      members: [
        { name: 'usr/lib/node_modules/q/package.json', content: pkgJson('q', '1.1.1') },
        { name: 'lib', type: 'symlink', linkname: 'usr/lib' },
      ],
    },
  ]);
  const inv = await inventory(`oci:${img.dir}:v1`, { cacheDir: false });
  assert.deepEqual(names(inv), ['npm:q@1.1.1#0']);
});
