/**
 * SBOMs from Trivy (real output, and Trivy's own reader fixtures) and in
 * Syft's shapes (testdata/README.md says where each comes from): what the
 * reader makes of them, down to the lookups the matcher would do.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import type { Package } from '../core/index.js';
import type { Inventory } from '../inventory/index.js';
import { matcherFor } from '../match/index.js';
import { readSbomFile, sniffSbom } from './index.js';

const fixture = (p: string): string => fileURLToPath(new URL(`testdata/${p}`, import.meta.url));

function pkg(inv: Inventory, name: string): Package {
  const found = inv.packages.filter((p) => p.name === name);
  assert.equal(found.length, 1, `one package named ${name}, found ${found.length}`);
  return found[0] as Package;
}

function query(inv: Inventory, name: string): unknown {
  const p = pkg(inv, name);
  return matcherFor(p.type)?.query(p, inv.distro);
}

function source(p: Package): [string, string] | undefined {
  return p.metadata.kind === 'dpkg' ? [p.metadata.source, p.metadata.sourceVersion] : undefined;
}

/** The dpkg facts of the Trivy Debian fixtures, as the image's /var/lib/dpkg/status has them. */
const DEBIAN_TRUTH: readonly [string, string, string, string][] = [
  ['adduser', '3.134', 'adduser', '3.134'],
  ['gpgv', '2.2.40-1.1+deb12u2', 'gnupg2', '2.2.40-1.1+deb12u2'],
  ['libgcc-s1', '12.2.0-14+deb12u1', 'gcc-12', '12.2.0-14+deb12u1'],
  ['login', '1:4.13+dfsg1-1+deb12u2', 'shadow', '1:4.13+dfsg1-1+deb12u2'],
  ['python3-requests', '2.28.1+dfsg-1', 'requests', '2.28.1+dfsg-1'],
  ['skopeo', '1.9.3+ds1-1+b10', 'skopeo', '1.9.3+ds1-1'],
  ['zlib1g', '1:1.2.13.dfsg-1', 'zlib', '1:1.2.13.dfsg-1'],
];

describe('Trivy', () => {
  for (const file of ['trivy/debian12.cdx.json', 'trivy/debian12.spdx.json']) {
    test(`${file}: source packages, epochs, distro, layers`, async () => {
      const inv = await readSbomFile(fixture(file));
      assert.deepEqual(inv.warnings, []);
      assert.equal(inv.source.ref, `sbom:${fixture(file)}`);
      assert.equal(inv.source.name, 'debian12-test-image.docker.tar');
      assert.deepEqual(
        inv.source.layers.map((l) => l.diffId.slice(7, 13)),
        ['b655c2', 'c3199c', 'b891c3'],
      );
      assert.deepEqual(inv.distro, { id: 'debian', versionId: '12.15' });
      assert.deepEqual(
        inv.packages.map((p) => `${p.type}:${p.name}`).sort(),
        [
          ...DEBIAN_TRUTH.map(([n]) => `deb:${n}`),
          'go-module:./greet',
          'go-module:github.com/google/uuid',
        ].sort(),
      );
      for (const [name, version, src, srcVersion] of DEBIAN_TRUTH) {
        const p = pkg(inv, name);
        assert.equal(p.version, version, name);
        assert.deepEqual(source(p), [src, srcVersion], name);
        assert.equal(p.metadata.kind === 'dpkg' && p.metadata.files.length, 0);
      }
      assert.deepEqual(pkg(inv, 'login').layer?.index, 0);
      assert.deepEqual(pkg(inv, 'skopeo').layer?.index, 1);
      assert.deepEqual(query(inv, 'skopeo'), {
        ecosystems: ['Debian:12'],
        name: 'skopeo',
        version: '1.9.3+ds1-1',
      });
      assert.deepEqual(query(inv, 'login'), {
        ecosystems: ['Debian:12'],
        name: 'shadow',
        version: '1:4.13+dfsg1-1+deb12u2',
      });
      assert.deepEqual(query(inv, 'github.com/google/uuid'), {
        ecosystems: ['Go'],
        name: 'github.com/google/uuid',
        version: '1.3.0',
      });
      assert.equal(query(inv, './greet'), undefined, 'a (devel) main module is not matched');
      assert.equal(pkg(inv, 'github.com/google/uuid').metadata.kind, 'go-buildinfo');
    });
  }

  test('alpine-app.cdx.json (CycloneDX 1.7): bare-version distro qualifier, group ids, scopes, lockfile groups', async () => {
    const inv = await readSbomFile(fixture('trivy/alpine-app.cdx.json'));
    assert.deepEqual(inv.warnings, []);
    assert.deepEqual(inv.distro, { id: 'alpine', versionId: '3.16.0' });
    assert.deepEqual(query(inv, 'musl'), { ecosystems: ['Alpine:v3.16'], name: 'musl', version: '1.2.3-r0' });
    const child = pkg(inv, 'child-project');
    assert.deepEqual(child.metadata, {
      kind: 'java-archive',
      groupId: 'org.codehaus.mojo',
      artifactId: 'child-project',
      virtualPath: 'app/maven/target/child-project-1.0.jar',
    });
    assert.deepEqual(child.locations, [
      {
        path: 'app/maven/target/child-project-1.0.jar',
        layer: {
          index: 1,
          diffId: 'sha256:3c79e832b1b4891a1cb4a326ef8524e0bd14a2537150ac0e203a5677176c1ca1',
        },
      },
    ]);
    assert.deepEqual(query(inv, 'example'), {
      ecosystems: ['Maven'],
      name: 'com.example:example',
      version: '0.0.1',
    });
    assert.deepEqual(query(inv, '@example/bootstrap'), {
      ecosystems: ['npm'],
      name: '@example/bootstrap',
      version: '5.0.2',
    });
    assert.deepEqual(inv.packages.map((p) => p.name).sort(), [
      '@example/bootstrap',
      'child-project',
      'example',
      'github.com/package-url/packageurl-go',
      'musl',
      'pear/log',
      'pear/pear_exception',
    ]);
    assert.equal(pkg(inv, 'pear/log').type, 'php-composer');
  });

  test('alpine-app.spdx.json: annotations, elements without a purpose', async () => {
    const inv = await readSbomFile(fixture('trivy/alpine-app.spdx.json'));
    assert.deepEqual(inv.warnings, []);
    assert.deepEqual(inv.distro, { id: 'alpine', versionId: '3.16.0' });
    assert.equal(inv.source.name, 'maven-test-projecct');
    assert.deepEqual(inv.packages.map((p) => p.name).sort(), [
      'bootstrap',
      'child-project',
      'github.com/package-url/packageurl-go',
      'musl',
      'pear/log',
      'pear/pear_exception',
    ]);
    assert.deepEqual(query(inv, 'musl'), { ecosystems: ['Alpine:v3.16'], name: 'musl', version: '1.2.3-r0' });
    assert.deepEqual(pkg(inv, 'musl').layer, {
      index: 0,
      diffId: 'sha256:dd565ff850e7003356e2b252758f9bdc1ff2803f61e995e24c7844f6297f8fc3',
    });
    assert.deepEqual(query(inv, 'child-project'), {
      ecosystems: ['Maven'],
      name: 'org.codehaus.mojo:child-project',
      version: '1.0',
    });
  });

  test('centos7.cdx.json: rpm source packages and epochs from Src* properties and the epoch qualifier', async () => {
    const inv = await readSbomFile(fixture('trivy/centos7.cdx.json'));
    assert.deepEqual(inv.distro, { id: 'centos', versionId: '7.6.1810' });
    const ssl = pkg(inv, 'openssl-libs');
    assert.equal(ssl.version, '1:1.0.2k-16.el7');
    assert.deepEqual(ssl.metadata, {
      kind: 'rpm',
      epoch: 1,
      upstreamVersion: '1.0.2k',
      release: '16.el7',
      architecture: 'x86_64',
      sourceRpm: 'openssl-1.0.2k-16.el7.src.rpm',
      files: [],
    });
    const bash = pkg(inv, 'bash');
    assert.equal(bash.version, '4.2.46-31.el7');
    assert.equal(bash.metadata.kind === 'rpm' && bash.metadata.sourceRpm, 'bash-4.2.46-31.el7.src.rpm');
    assert.equal(bash.metadata.kind === 'rpm' && bash.metadata.epoch, undefined);
  });
});

describe('Syft', () => {
  test('debian12.cdx.json: syft:metadata source packages, the epoch in the purl version, the OS component', async () => {
    const inv = await readSbomFile(fixture('syft/debian12.cdx.json'));
    assert.deepEqual(inv.distro, {
      id: 'debian',
      versionId: '12',
      versionCodename: 'bookworm',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
    });
    assert.equal(inv.source.name, 'registry.example.com/app');
    assert.deepEqual(source(pkg(inv, 'libgcc-s1')), ['gcc-12', '12.2.0-14']);
    assert.equal(pkg(inv, 'login').version, '1:4.13+dfsg1-1');
    assert.deepEqual(source(pkg(inv, 'login')), ['shadow', '1:4.13+dfsg1-1']);
    assert.deepEqual(source(pkg(inv, 'python3-requests')), ['requests', '2.28.1+dfsg-1']);
    assert.deepEqual(query(inv, 'login'), {
      ecosystems: ['Debian:12'],
      name: 'shadow',
      version: '1:4.13+dfsg1-1',
    });
    const requests = pkg(inv, 'requests');
    assert.equal(requests.metadata.kind, 'python-dist-info');
    assert.deepEqual(
      requests.locations.map((l) => l.path),
      [
        '/usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO',
        '/usr/lib/python3/dist-packages/requests-2.28.1.egg-info/top_level.txt',
      ],
    );
    // Syft's CycloneDX does not carry file ownership, so requests is judged by the PyPI feed.
    assert.deepEqual(query(inv, 'requests'), { ecosystems: ['PyPI'], name: 'requests', version: '2.28.1' });
    assert.deepEqual(pkg(inv, 'stdlib').metadata, {
      kind: 'go-buildinfo',
      goVersion: 'go1.19.8',
      mainModule: 'github.com/containers/skopeo',
    });
    assert.deepEqual(query(inv, 'stdlib'), { ecosystems: ['Go'], name: 'stdlib', version: '1.19.8' });
    assert.deepEqual(pkg(inv, 'log4j-core').metadata, {
      kind: 'java-archive',
      groupId: 'org.apache.logging.log4j',
      artifactId: 'log4j-core',
      virtualPath: '/app/lib/log4j-core-2.14.1.jar',
    });
    assert.equal(pkg(inv, '@babel/core').purl, 'pkg:npm/%40babel/core@7.22.5');
    assert.deepEqual(pkg(inv, '@babel/core').licenses, ['MIT']);
    assert.equal(inv.packages.length, 7, 'the binary, the file and the OS are not packages');
    assert.equal(inv.warnings.length, 1);
    assert.match(
      inv.warnings[0] as string,
      /1 component was left out: package types mamori does not match \("generic": 1\)/,
    );
  });

  test('debian12.spdx.json: the distro from purls, sourceInfo locations, ownership-by-file-overlap', async () => {
    const inv = await readSbomFile(fixture('syft/debian12.spdx.json'));
    assert.deepEqual(inv.warnings, []);
    assert.deepEqual(inv.distro, { id: 'debian', versionId: '12' });
    assert.equal(inv.source.name, 'registry.example.com/app');
    assert.deepEqual(inv.packages.map((p) => p.name).sort(), [
      'libgcc-s1',
      'login',
      'python3-requests',
      'requests',
      'stdlib',
    ]);
    assert.deepEqual(
      pkg(inv, 'libgcc-s1').locations.map((l) => l.path),
      ['/usr/share/doc/libgcc-s1/copyright', '/var/lib/dpkg/status'],
    );
    assert.deepEqual(source(pkg(inv, 'login')), ['shadow', '1:4.13+dfsg1-1']);
    const requests = pkg(inv, 'requests');
    assert.deepEqual(requests.ownedBy, {
      type: 'deb',
      name: 'python3-requests',
      version: '2.28.1+dfsg-1',
      purl: 'pkg:deb/debian/python3-requests@2.28.1%2Bdfsg-1?arch=all&distro=debian-12&upstream=requests',
    });
    assert.equal(query(inv, 'requests'), undefined, 'owned by a deb: judged by the distro, not PyPI');
    assert.deepEqual(pkg(inv, 'requests').licenses, ['Apache-2.0']);
  });

  test('alpine319.cdx.json: origin packages', async () => {
    const inv = await readSbomFile(fixture('syft/alpine319.cdx.json'));
    assert.deepEqual(inv.warnings, []);
    assert.deepEqual(inv.distro, { id: 'alpine', versionId: '3.19.1', prettyName: 'Alpine Linux v3.19' });
    assert.deepEqual(query(inv, 'busybox-binsh'), {
      ecosystems: ['Alpine:v3.19'],
      name: 'busybox',
      version: '1.36.1-r15',
    });
    assert.deepEqual(query(inv, 'libcrypto3'), {
      ecosystems: ['Alpine:v3.19'],
      name: 'openssl',
      version: '3.1.4-r5',
    });
    assert.deepEqual(pkg(inv, 'musl').metadata, {
      kind: 'apk',
      origin: 'musl',
      architecture: 'x86_64',
      files: [],
    });
  });

  test('rhel93.spdx.json (SPDX 2.2): SOURCERPM from upstream, epoch qualifier, the redhat namespace', async () => {
    const inv = await readSbomFile(fixture('syft/rhel93.spdx.json'));
    assert.deepEqual(inv.warnings, []);
    assert.deepEqual(inv.distro, { id: 'rhel', versionId: '9.3' });
    assert.deepEqual(query(inv, 'openssl-libs'), {
      ecosystems: ['Red Hat:enterprise_linux:9', 'Red Hat'],
      name: 'openssl',
      version: '1:3.0.7-25.el9_3',
    });
    assert.deepEqual(query(inv, 'python3-libs'), {
      ecosystems: ['Red Hat:enterprise_linux:9', 'Red Hat'],
      name: 'python3.9',
      version: '3.9.18-1.el9_3',
    });
    assert.equal(pkg(inv, 'pip').ownedBy?.name, 'python3-pip-wheel');
    assert.equal(query(inv, 'pip'), undefined);
  });
});

describe('sniffSbom', () => {
  test('names the format of every fixture', async () => {
    for (const [file, format] of [
      ['trivy/debian12.cdx.json', 'cyclonedx'],
      ['trivy/debian12.spdx.json', 'spdx'],
      ['trivy/alpine-app.cdx.json', 'cyclonedx'],
      ['syft/debian12.cdx.json', 'cyclonedx'],
      ['syft/debian12.spdx.json', 'spdx'],
      ['syft/rhel93.spdx.json', 'spdx'],
    ] as const) {
      assert.equal(await sniffSbom(fixture(file)), format, file);
    }
  });

  test('anything else is undefined', async () => {
    assert.equal(await sniffSbom(fixture('README.md')), undefined);
    assert.equal(await sniffSbom(fixture('')), undefined, 'a directory');
    assert.equal(await sniffSbom(fixture('missing.json')), undefined);
    assert.equal(await sniffSbom(fileURLToPath(new URL('../../package.json', import.meta.url))), undefined);
  });
});
