import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import type { Package } from '../../../core/index.js';
import { runCataloger } from '../../testing.js';
import { goBinaryCataloger, goPackages, goPurl, stdlibVersion } from './index.js';
import { goFixtures, goVersionM } from './testdata/fixtures.js';
import type { FixtureName } from './testdata/fixtures.js';

const LAYER1 = { index: 1, diffId: `sha256:${'1'.padStart(64, '0')}` };

function summary(pkgs: readonly Package[]): string[] {
  return pkgs.map((p) => `${p.name} ${p.version} ${p.purl}`);
}

describe('goBinaryCataloger', () => {
  let fx: Record<FixtureName, string>;
  before(async () => {
    fx = await goFixtures();
  });

  it('reports main module, dependencies with replacements applied, and stdlib, placed in the layer', async () => {
    const pkgs = await runCataloger(goBinaryCataloger, [
      { path: '/usr/local/bin/app', data: await readFile(fx.app), mode: 0o755, layer: 1 },
    ]);
    assert.deepEqual(summary(pkgs), [
      'example.com/app (devel) pkg:golang/example.com/app@(devel)',
      'example.com/alpha v1.0.0 pkg:golang/example.com/alpha@v1.0.0',
      'example.com/betafork v1.2.0 pkg:golang/example.com/betafork@v1.2.0',
      'example.com/gamma/v2 v2.3.4 pkg:golang/example.com/gamma/v2@v2.3.4',
      '../local (devel) pkg:golang/../local@(devel)',
      'stdlib go1.19.8 pkg:golang/stdlib@1.19.8',
    ]);
    const want = await goVersionM(fx.app);
    for (const p of pkgs) {
      assert.equal(p.type, 'go-module');
      assert.equal(p.foundBy, 'go-binary');
      assert.deepEqual(p.locations, [{ path: '/usr/local/bin/app', layer: LAYER1 }]);
      assert.deepEqual(p.layer, LAYER1);
      assert.equal(p.metadata.kind, 'go-buildinfo');
    }
    const [main, alpha, beta, , local, stdlib] = pkgs;
    assert.deepEqual(main?.metadata, {
      kind: 'go-buildinfo',
      goVersion: 'go1.19.8',
      mainModule: 'example.com/app',
      mainPackage: 'example.com/app',
      settings: Object.fromEntries(want.settings.map((s) => [s.key, s.value])),
    });
    assert.equal(
      main?.metadata.kind === 'go-buildinfo' && main.metadata.settings?.['-ldflags'],
      '-X main.version=1.2.3',
    );
    assert.deepEqual(alpha?.metadata, {
      kind: 'go-buildinfo',
      goVersion: 'go1.19.8',
      mainModule: 'example.com/app',
      sum: want.deps[0]?.sum,
    });
    assert.deepEqual(beta?.metadata, {
      kind: 'go-buildinfo',
      goVersion: 'go1.19.8',
      mainModule: 'example.com/app',
      sum: want.deps[1]?.replace?.sum,
      replacedBy: { path: 'example.com/betafork', version: 'v1.2.0' },
    });
    assert.deepEqual(local?.metadata, {
      kind: 'go-buildinfo',
      goVersion: 'go1.19.8',
      mainModule: 'example.com/app',
      replacedBy: { path: '../local', version: '(devel)' },
    });
    assert.deepEqual(stdlib?.licenses, ['BSD-3-Clause']);
    assert.deepEqual(stdlib?.metadata, {
      kind: 'go-buildinfo',
      goVersion: 'go1.19.8',
      mainModule: 'example.com/app',
    });
  });

  it('reads C shared libraries by name, even without the execute bit', async () => {
    const pkgs = await runCataloger(goBinaryCataloger, [
      { path: '/usr/lib/libapp.so', data: await readFile(fx['libapp.so']), mode: 0o644 },
    ]);
    assert.deepEqual(summary(pkgs), [
      'example.com/app (devel) pkg:golang/example.com/app@(devel)',
      'example.com/alpha v1.0.0 pkg:golang/example.com/alpha@v1.0.0',
      'stdlib go1.19.8 pkg:golang/stdlib@1.19.8',
    ]);
    assert.equal(
      pkgs[0]?.metadata.kind === 'go-buildinfo' && pkgs[0].metadata.mainPackage,
      'example.com/app/cshared',
    );
  });

  it('reports a binary built outside module mode (Debian skopeo) by its main package path, as (devel)', async () => {
    const pkgs = await runCataloger(goBinaryCataloger, [
      { path: '/usr/bin/skopeo', data: await readFile('/usr/bin/skopeo'), mode: 0o755 },
    ]);
    const want = await goVersionM('/usr/bin/skopeo');
    assert.deepEqual(summary(pkgs), [
      `github.com/containers/skopeo/cmd/skopeo (devel) pkg:golang/github.com/containers/skopeo/cmd/skopeo@(devel)`,
      `stdlib ${want.goVersion} pkg:golang/stdlib@${want.goVersion.slice(2)}`,
    ]);
  });

  it('skips files that are not selected, not ELF, or not Go', async () => {
    const app = await readFile(fx.app);
    const pkgs = await runCataloger(goBinaryCataloger, [
      { path: '/srv/data.bin', data: app, mode: 0o644 }, // neither executable nor .so
      { path: '/usr/bin/script', data: '#!/bin/sh\necho hi\n', mode: 0o755 },
      { path: '/bin/true', data: await readFile('/bin/true'), mode: 0o755 },
    ]);
    assert.deepEqual(pkgs, []);
  });

  it('keeps one set of packages per binary, each with its own location', async () => {
    const data = await readFile(fx['app-arm64']);
    const pkgs = await runCataloger(goBinaryCataloger, [
      { path: '/a/app', data, mode: 0o755, layer: 0 },
      { path: '/b/app', data, mode: 0o755, layer: 2 },
    ]);
    assert.equal(pkgs.length, 12);
    assert.deepEqual(new Set(pkgs.map((p) => p.locations[0]?.path)), new Set(['/a/app', '/b/app']));
  });
});

describe('Go package naming', () => {
  it('splits module paths into namespace and name as Syft does', () => {
    assert.equal(
      goPurl('github.com/sirupsen/logrus', 'v1.9.3'),
      'pkg:golang/github.com/sirupsen/logrus@v1.9.3',
    );
    assert.equal(goPurl('gopkg.in/yaml.v3', 'v3.0.1'), 'pkg:golang/gopkg.in/yaml.v3@v3.0.1');
    assert.equal(goPurl('stdlib', '1.19.8'), 'pkg:golang/stdlib@1.19.8');
    assert.equal(goPurl('example.com/m', ''), 'pkg:golang/example.com/m');
    // Not a valid Go version: still named, spec-encoded, so nothing in the binary is lost.
    assert.equal(goPurl('example.com/m', 'v1'), 'pkg:golang/example.com/m@v1');
    assert.equal(goPurl('example.com/', 'v1.0.0'), undefined);
  });

  it('takes the stdlib version from the toolchain version', () => {
    assert.equal(stdlibVersion('go1.19.8'), 'go1.19.8');
    assert.equal(stdlibVersion('go1.22.3 X:boringcrypto'), 'go1.22.3');
    assert.equal(stdlibVersion('devel go1.23-abc Mon Jan 1'), 'devel go1.23-abc Mon Jan 1');
  });

  it('drops modules whose path cannot be named, keeping the rest', () => {
    const pkgs = goPackages(
      {
        goVersion: 'go1.22.3 X:boringcrypto',
        deps: [
          { path: '', version: 'v1.0.0' },
          { path: 'example.com/bad', version: 'vNaN' },
          { path: 'example.com/ok', version: 'v1.0.0' },
        ],
        settings: [],
      },
      { path: '/bin/x' },
    );
    assert.deepEqual(summary(pkgs), [
      'example.com/bad vNaN pkg:golang/example.com/bad@vNaN',
      'example.com/ok v1.0.0 pkg:golang/example.com/ok@v1.0.0',
      'stdlib go1.22.3 pkg:golang/stdlib@1.22.3',
    ]);
    assert.equal(pkgs[0]?.layer, undefined);
    assert.equal(
      pkgs[1]?.metadata.kind === 'go-buildinfo' && pkgs[1].metadata.goVersion,
      'go1.22.3 X:boringcrypto',
    );
  });
});
