import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { ApkMetadata, Distro, Package } from '../../../core/index.js';
import { parseFacts, readTree } from '../../../testing/index.js';
import { detectDistro, osDetector } from '../../os/index.js';
import { runCataloger } from '../../testing.js';
import { apkCataloger, apkPurl, parseInstalled, splitApkLicense } from './index.js';

const testdata = fileURLToPath(new URL('testdata', import.meta.url));

function meta(p: Package): ApkMetadata {
  assert.equal(p.metadata.kind, 'apk');
  return p.metadata as ApkMetadata;
}

async function alpine319(): Promise<{ pkgs: Package[]; distro: Distro | undefined }> {
  const files = await readTree(join(testdata, 'alpine319'));
  const distro = detectDistro(await parseFacts(osDetector, files));
  return { pkgs: await runCataloger(apkCataloger, files, distro), distro };
}

describe('apk cataloger on an Alpine 3.19 installed database', () => {
  it('finds every package with its version, origin and PURL', async () => {
    const { pkgs, distro } = await alpine319();
    assert.equal(distro?.id, 'alpine');
    assert.deepEqual(
      pkgs.map((p) => p.purl),
      [
        'pkg:apk/alpine/alpine-baselayout-data@3.4.3-r2?arch=x86_64&distro=alpine-3.19.1&upstream=alpine-baselayout',
        'pkg:apk/alpine/alpine-baselayout@3.4.3-r2?arch=x86_64&distro=alpine-3.19.1',
        'pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1',
        'pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=alpine-3.19.1',
        'pkg:apk/alpine/ssl_client@1.36.1-r15?arch=x86_64&distro=alpine-3.19.1&upstream=busybox',
        'pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1&upstream=openssl',
        'pkg:apk/alpine/ca-certificates-bundle@20230506-r0?arch=x86_64&distro=alpine-3.19.1&upstream=ca-certificates',
        'pkg:apk/alpine/zlib@1.3.1-r0?arch=x86_64&distro=alpine-3.19.1',
      ],
    );
    for (const p of pkgs) {
      assert.equal(p.type, 'apk');
      assert.equal(p.foundBy, 'apk');
      assert.deepEqual(p.locations, [{ path: '/lib/apk/db/installed', layer: p.layer }]);
    }
  });

  it('fills metadata, with files as absolute paths joined from F and R lines', async () => {
    const { pkgs } = await alpine319();
    const musl = pkgs.find((p) => p.name === 'musl');
    assert.deepEqual(musl?.metadata, {
      kind: 'apk',
      origin: 'musl',
      architecture: 'x86_64',
      maintainer: 'Timo Teräs <timo.teras@iki.fi>',
      url: 'https://musl.libc.org/',
      commit: 'ca7f2ab5e88794e4e654b40776f8a92256f50639',
      files: ['/lib/ld-musl-x86_64.so.1', '/lib/libc.musl-x86_64.so.1'],
    });
    const crypto = pkgs.find((p) => p.name === 'libcrypto3');
    assert.deepEqual(meta(crypto!).files, [
      '/etc/ssl/ct_log_list.cnf',
      '/etc/ssl/openssl.cnf.dist',
      '/lib/libcrypto.so.3',
      '/usr/lib/libcrypto.so.3',
    ]);
    assert.equal(meta(crypto!).origin, 'openssl');
    const busybox = pkgs.find((p) => p.name === 'busybox');
    assert.deepEqual(meta(busybox!).files, [
      '/bin/busybox',
      '/bin/sh',
      '/etc/securetty',
      '/etc/udhcpd.conf',
      '/etc/logrotate.d/acpid',
      '/usr/share/udhcpc/default.script',
    ]);
  });

  it('reads licences: one SPDX expression whole, an old space-separated list split', async () => {
    const { pkgs } = await alpine319();
    assert.deepEqual(pkgs.find((p) => p.name === 'ca-certificates-bundle')?.licenses, ['MPL-2.0 AND MIT']);
    assert.deepEqual(pkgs.find((p) => p.name === 'zlib')?.licenses, ['Zlib']);
    assert.deepEqual(splitApkLicense('MIT BSD GPL2+ MIT'), ['MIT', 'BSD', 'GPL2+']);
    assert.deepEqual(splitApkLicense('GPL-2.0-or-later WITH Linux-syscall-note'), [
      'GPL-2.0-or-later WITH Linux-syscall-note',
    ]);
    assert.deepEqual(splitApkLicense(undefined), []);
  });

  it('uses the detected distribution as namespace, and alpine without one', () => {
    const e = { name: 'libssl3', version: '3.1.4-r5', architecture: 'aarch64', origin: 'openssl', files: [] };
    assert.equal(
      apkPurl(e, { id: 'wolfi', versionId: '20230201' }),
      'pkg:apk/wolfi/libssl3@3.1.4-r5?arch=aarch64&distro=wolfi-20230201&upstream=openssl',
    );
    assert.equal(apkPurl(e, undefined), 'pkg:apk/alpine/libssl3@3.1.4-r5?arch=aarch64&upstream=openssl');
  });

  it('selects only /lib/apk/db/installed', () => {
    const sel = (path: string) => apkCataloger.select({ path, type: 'file', mode: 0o644, size: 1 });
    assert.ok(sel('/lib/apk/db/installed'));
    assert.ok(!sel('/lib/apk/db/installed.old'));
    assert.ok(!sel('/usr/lib/apk/db/installed'));
  });
});

describe('apk installed-db parser', () => {
  it('drops records without a valid name or version and keeps the others', () => {
    const text = [
      'P:good',
      'V:1.0-r0',
      '',
      'V:2.0-r0',
      'T:no name',
      '',
      'P:bad name',
      'V:1',
      '',
      'garbage line',
      'P:also-good',
      'V:0.1-r1',
      'A:x86_64',
      'o:bad origin!',
      'c:not-a-commit',
      'R:top-level-file',
      'F:../../etc',
      'R:passwd',
      'R:../escape',
      'F:usr/lib',
      'R:libfoo.so',
    ].join('\n');
    const entries = parseInstalled(text);
    assert.deepEqual(
      entries.map((e) => e.name),
      ['good', 'also-good'],
    );
    assert.deepEqual(entries[1], {
      name: 'also-good',
      version: '0.1-r1',
      architecture: 'x86_64',
      origin: 'also-good',
      files: ['/top-level-file', '/etc/passwd', '/usr/lib/libfoo.so'],
    });
  });

  it('reads CRLF line endings and several blank lines between records', () => {
    const entries = parseInstalled('P:a\r\nV:1\r\n\r\n\r\n\r\nP:b\r\nV:2\r\n');
    assert.deepEqual(
      entries.map((e) => `${e.name}@${e.version}`),
      ['a@1', 'b@2'],
    );
  });

  it('never throws, whatever the bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 600 }), async (text) => {
        await runCataloger(apkCataloger, [{ path: '/lib/apk/db/installed', data: text }]);
      }),
      { numRuns: 1000 },
    );
    const line = fc
      .tuple(fc.constantFrom('P', 'V', 'A', 'o', 'F', 'R', 'L', 'c', ''), fc.string({ maxLength: 20 }))
      .map(([k, v]) => (k === '' ? v : `${k}:${v}`));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), (lines) => {
        for (const e of parseInstalled(lines.join('\n'))) {
          for (const f of e.files) assert.ok(f.startsWith('/') && !f.split('/').includes('..'), f);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
