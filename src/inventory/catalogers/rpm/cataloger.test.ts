import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isMamoriError, type Package } from '../../../core/index.js';
import { runCataloger } from '../../testing.js';
import { rpmCataloger } from './index.js';
import * as fx from './testdata/fixtures.js';
import { writeNdb } from './testdata/ndb-writer.js';

const layer = (index: number): { index: number; diffId: string } => ({
  index,
  diffId: `sha256:${String(index).padStart(64, '0')}`,
});

const entry = (path: string): Parameters<typeof rpmCataloger.select>[0] => ({
  path,
  type: 'file',
  mode: 0o644,
  size: 1,
});

describe('rpmCataloger', () => {
  let dir = '';
  let dbpath = '';
  let sqlite: Buffer;
  let blobs: Buffer[] = [];
  /** `name arch evr` as rpm prints them, gpg-pubkey excluded. */
  let rpmLines: string[] = [];
  let bigArch = '';
  before(async () => {
    dir = await fx.tempDir('cataloger');
    dbpath = await fx.makeSqliteDb(dir, await fx.buildRpms(dir), true);
    sqlite = await readFile(join(dbpath, 'rpmdb.sqlite'));
    blobs = await fx.exportHeaders(dbpath);
    rpmLines = (
      await fx.rpmQf(dbpath, '%{NAME} %{ARCH} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}')
    ).filter((l) => !l.startsWith('gpg-pubkey '));
    bigArch = (rpmLines.find((l) => l.startsWith('big-mamori ')) ?? '').split(' ')[1] ?? '';
  });
  after(() => fx.removeDir(dir));

  it('selects the database files rpm uses, and nothing else', () => {
    for (const p of [
      '/var/lib/rpm/rpmdb.sqlite',
      '/var/lib/rpm/Packages',
      '/var/lib/rpm/Packages.db',
      '/usr/lib/sysimage/rpm/rpmdb.sqlite',
      '/usr/lib/sysimage/rpm/Packages.db',
      '/usr/lib/sysimage/rpm/Packages',
      '/usr/share/rpm/rpmdb.sqlite',
    ]) {
      assert.equal(rpmCataloger.select(entry(p)), true, p);
    }
    for (const p of [
      '/var/lib/rpm/Name',
      '/var/lib/rpm/Index.db',
      '/var/lib/rpm/rpmdb.sqlite-wal',
      '/var/lib/rpm/Packages.bak',
      '/srv/chroot/var/lib/rpm/Packages',
      '/var/lib/rpm/packages',
    ]) {
      assert.equal(rpmCataloger.select(entry(p)), false, p);
    }
    assert.equal(rpmCataloger.name, 'rpm');
    assert.deepEqual(rpmCataloger.tags, ['os', 'image', 'directory']);
  });

  it('turns a real SQLite rpmdb into packages, as rpm prints them', async () => {
    const pkgs = await runCataloger(
      rpmCataloger,
      [{ path: '/var/lib/rpm/rpmdb.sqlite', data: sqlite, layer: 2 }],
      { id: 'rhel', versionId: '9.4' },
    );
    // Same packages and version strings as rpm itself, without the gpg-pubkey pseudo-package.
    assert.deepEqual(
      pkgs
        .map((p) => `${p.name} ${p.metadata.kind === 'rpm' ? p.metadata.architecture : ''} ${p.version}`)
        .sort(),
      rpmLines,
    );
    const hello = pkgs.find((p) => p.name === 'hello-mamori');
    const expected: Package = {
      name: 'hello-mamori',
      version: '2:1.2.3-4.fc99',
      type: 'rpm',
      purl: 'pkg:rpm/rhel/hello-mamori@1.2.3-4.fc99?arch=noarch&distro=rhel-9.4&epoch=2',
      licenses: ['MIT and (GPLv2+ or BSD)'],
      locations: [{ path: '/var/lib/rpm/rpmdb.sqlite', layer: layer(2) }],
      foundBy: 'rpm',
      layer: layer(2),
      metadata: {
        kind: 'rpm',
        epoch: 2,
        upstreamVersion: '1.2.3',
        release: '4.fc99',
        architecture: 'noarch',
        sourceRpm: 'hello-mamori-1.2.3-4.fc99.src.rpm',
        vendor: 'Mamori Test Vendor',
        modularityLabel: 'mymod:1:20200101:abcdef',
        files: ['/etc/hello.conf', '/usr/share/hello', '/usr/share/hello/a.txt', '/usr/share/hello/b.txt'],
      },
    };
    assert.deepEqual(hello, expected);
    const meta = pkgs.find((p) => p.name === 'meta-mamori');
    assert.equal(meta?.version, '0:3-0');
    assert.equal(meta?.purl, 'pkg:rpm/rhel/meta-mamori@3-0?arch=noarch&distro=rhel-9.4&epoch=0');
    assert.deepEqual(meta?.metadata.kind === 'rpm' && meta.metadata.files, []);
    const big = pkgs.find((p) => p.name === 'big-mamori');
    assert.equal(big?.purl, `pkg:rpm/rhel/big-mamori@0.9-1?arch=${bigArch}&distro=rhel-9.4`);
    assert.equal(big?.metadata.kind === 'rpm' && big.metadata.files.length, 631);
    const utf8 = pkgs.find((p) => p.name === 'utf8-mamori');
    assert.equal(utf8?.purl, 'pkg:rpm/rhel/utf8-mamori@1.0~rc1-0.1?arch=noarch&distro=rhel-9.4');
    assert.deepEqual(utf8?.metadata.kind === 'rpm' && utf8.metadata.files, [
      '/opt/utf8',
      '/opt/utf8/naïve café.txt',
    ]);
  });

  it('reads the NDB and Berkeley DB formats at their paths, with or without a distro', async () => {
    const ndb = writeNdb(blobs.map((blob, i) => ({ pkgidx: i + 1, blob }))).file;
    const suse = await runCataloger(
      rpmCataloger,
      [{ path: '/usr/lib/sysimage/rpm/Packages.db', data: ndb, layer: 1 }],
      {
        id: 'opensuse-leap',
        versionId: '15.6',
      },
    );
    assert.equal(suse.length, rpmLines.length);
    assert.equal(
      suse.find((p) => p.name === 'hello-mamori')?.purl,
      'pkg:rpm/opensuse-leap/hello-mamori@1.2.3-4.fc99?arch=noarch&distro=opensuse-leap-15.6&epoch=2',
    );
    assert.deepEqual(suse[0]?.locations, [{ path: '/usr/lib/sysimage/rpm/Packages.db', layer: layer(1) }]);

    const bdb = await readFile(await fx.makeBdb(dir, blobs, { pageSize: 4096, bigEndian: true }));
    const bare = await runCataloger(rpmCataloger, [{ path: '/var/lib/rpm/Packages', data: bdb }]);
    assert.equal(bare.length, rpmLines.length);
    assert.equal(
      bare.find((p) => p.name === 'hello-mamori')?.purl,
      'pkg:rpm/hello-mamori@1.2.3-4.fc99?arch=noarch&epoch=2',
    );
    // Same packages whatever the format.
    const sq = await runCataloger(rpmCataloger, [{ path: '/var/lib/rpm/rpmdb.sqlite', data: sqlite }]);
    assert.deepEqual(
      bare.map((p) => p.metadata),
      sq.map((p) => p.metadata),
    );
  });

  it('uses one database when several are visible: the most recently written, then the newer format', async () => {
    // A stale Berkeley DB holding one package only.
    const hello = blobs.find((b) => b.includes(Buffer.from('hello-mamori\0')));
    assert.ok(hello);
    const stale = await readFile(await fx.makeBdb(dir, [hello], { pageSize: 4096, bigEndian: false }));
    const sameLayer = await runCataloger(rpmCataloger, [
      { path: '/var/lib/rpm/Packages', data: stale, layer: 0 },
      { path: '/var/lib/rpm/rpmdb.sqlite', data: sqlite, layer: 0 },
    ]);
    assert.equal(sameLayer.length, rpmLines.length);
    assert.ok(sameLayer.every((p) => p.locations[0]?.path === '/var/lib/rpm/rpmdb.sqlite'));
    const newer = await runCataloger(rpmCataloger, [
      { path: '/var/lib/rpm/Packages', data: stale, layer: 3 },
      { path: '/var/lib/rpm/rpmdb.sqlite', data: sqlite, layer: 0 },
    ]);
    assert.deepEqual(
      newer.map((p) => p.name),
      ['hello-mamori'],
    );
  });

  it('yields no packages for an empty database', async () => {
    const empty = await readFile(await fx.makeEmptyDb(dir));
    assert.deepEqual(
      await runCataloger(rpmCataloger, [{ path: '/var/lib/rpm/rpmdb.sqlite', data: empty }]),
      [],
    );
  });

  it('reports a database none of whose records can be read', async () => {
    const layout = writeNdb(blobs.map((blob, i) => ({ pkgidx: i + 1, blob })));
    const broken = Buffer.from(layout.file);
    for (const off of layout.blobOffsets.values()) broken.write('XXXX', off, 'latin1');
    await assert.rejects(
      runCataloger(rpmCataloger, [{ path: '/var/lib/rpm/Packages.db', data: broken }]),
      (e) =>
        isMamoriError(e, 'INVALID_ARGUMENT') &&
        /none of the 5 rpm database records could be read/.test(e.message),
    );
    await assert.rejects(
      runCataloger(rpmCataloger, [{ path: '/var/lib/rpm/Packages', data: Buffer.from('garbage') }]),
      (e) => isMamoriError(e),
    );
  });
});
