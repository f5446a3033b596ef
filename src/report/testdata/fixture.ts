/**
 * A realistic inventory for the renderer tests: a Debian 12 based image with
 * OS packages (deb with source and files, an apk, an rpm with an epoch), an
 * npm package with a scope, a Python package owned by a deb, a Go binary
 * (stdlib + modules), a Java archive nested in a Spring Boot jar, free-text
 * and lower-case licences, and names with odd characters.
 */
import { createHash } from 'node:crypto';
import { purl } from '../../core/index.js';
import type { LayerRef, Package } from '../../core/index.js';
import type { Inventory } from '../../inventory/types.js';

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function sri(alg: 'sha1' | 'sha512', s: string): string {
  return `${alg}-${createHash(alg).update(s).digest('base64')}`;
}

const L0: LayerRef = { index: 0, diffId: `sha256:${sha256('layer 0: debian:bookworm-slim')}` };
const L1: LayerRef = { index: 1, diffId: `sha256:${sha256('layer 1: apt-get install python3-requests')}` };
const L2: LayerRef = { index: 2, diffId: `sha256:${sha256('layer 2: COPY app /app')}` };

const distroQ = { arch: 'amd64', distro: 'debian-12' };

const packages: Package[] = [
  {
    name: 'bash',
    version: '5.2.15-2+b2',
    type: 'deb',
    purl: purl({ type: 'deb', namespace: 'debian', name: 'bash', version: '5.2.15-2+b2', qualifiers: distroQ }),
    licenses: ['GPL-3.0-or-later', 'GPL-2+'],
    locations: [
      { path: '/var/lib/dpkg/status', layer: L0 },
      { path: '/usr/share/doc/bash/copyright', layer: L0 },
    ],
    foundBy: 'dpkg-db-cataloger',
    layer: L0,
    metadata: {
      kind: 'dpkg',
      source: 'bash',
      sourceVersion: '5.2.15-2',
      architecture: 'amd64',
      maintainer: 'Matthias Klose <doko@debian.org>',
      installedSize: 7164,
      files: ['/bin/bash', '/usr/share/doc/bash/copyright'],
    },
  },
  {
    name: 'libc6',
    version: '2.36-9+deb12u4',
    type: 'deb',
    purl: purl({
      type: 'deb',
      namespace: 'debian',
      name: 'libc6',
      version: '2.36-9+deb12u4',
      qualifiers: { ...distroQ, upstream: 'glibc@2.36-9+deb12u4' },
    }),
    licenses: ['LGPL-2.1-or-later', 'GPL-2.0-or-later'],
    locations: [{ path: '/var/lib/dpkg/status', layer: L0 }],
    foundBy: 'dpkg-db-cataloger',
    layer: L0,
    metadata: {
      kind: 'dpkg',
      source: 'glibc',
      sourceVersion: '2.36-9+deb12u4',
      architecture: 'amd64',
      maintainer: 'GNU Libc Maintainers <debian-glibc@lists.debian.org>',
      installedSize: 12985,
      files: ['/lib/x86_64-linux-gnu/libc.so.6'],
    },
  },
  {
    name: 'python3-requests',
    version: '2.28.1+dfsg-1',
    type: 'deb',
    purl: purl({
      type: 'deb',
      namespace: 'debian',
      name: 'python3-requests',
      version: '2.28.1+dfsg-1',
      qualifiers: { arch: 'all', distro: 'debian-12', upstream: 'requests' },
    }),
    licenses: ['Apache-2.0'],
    locations: [{ path: '/var/lib/dpkg/status', layer: L1 }],
    foundBy: 'dpkg-db-cataloger',
    layer: L1,
    metadata: {
      kind: 'dpkg',
      source: 'requests',
      sourceVersion: '2.28.1+dfsg-1',
      architecture: 'all',
      maintainer: 'Debian Python Team <team+python@tracker.debian.org>',
      installedSize: 212,
      files: [
        '/usr/lib/python3/dist-packages/requests/__init__.py',
        '/usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO',
      ],
    },
  },
  {
    name: 'requests',
    version: '2.28.1',
    type: 'python',
    purl: purl({ type: 'pypi', name: 'requests', version: '2.28.1' }),
    licenses: ['Apache 2.0'],
    locations: [{ path: '/usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO', layer: L1 }],
    foundBy: 'python-installed-cataloger',
    layer: L1,
    ownedBy: {
      type: 'deb',
      name: 'python3-requests',
      version: '2.28.1+dfsg-1',
      purl: purl({
        type: 'deb',
        namespace: 'debian',
        name: 'python3-requests',
        version: '2.28.1+dfsg-1',
        qualifiers: { arch: 'all', distro: 'debian-12', upstream: 'requests' },
      }),
    },
    metadata: {
      kind: 'python-egg-info',
      author: 'Kenneth Reitz',
      homePage: 'https://requests.readthedocs.io',
      files: ['/usr/lib/python3/dist-packages/requests/__init__.py'],
    },
  },
  {
    name: 'musl',
    version: '1.2.4-r2',
    type: 'apk',
    purl: purl({ type: 'apk', namespace: 'alpine', name: 'musl', version: '1.2.4-r2', qualifiers: { arch: 'x86_64', distro: 'alpine-3.19.1' } }),
    licenses: ['MIT'],
    locations: [{ path: '/opt/alpine-rootfs/lib/apk/db/installed', layer: L2 }],
    foundBy: 'apk-db-cataloger',
    layer: L2,
    metadata: {
      kind: 'apk',
      origin: 'musl',
      architecture: 'x86_64',
      maintainer: 'Timo Teräs <timo.teras@iki.fi>',
      url: 'https://musl.libc.org/',
      commit: 'f93af038c3be1cb4a4a8b1b4c8ad1a0a8a9f5c43',
      files: ['/opt/alpine-rootfs/lib/ld-musl-x86_64.so.1'],
    },
  },
  {
    name: 'openssl-libs',
    version: '1:3.0.7-27.el9',
    type: 'rpm',
    purl: purl({
      type: 'rpm',
      namespace: 'redhat',
      name: 'openssl-libs',
      version: '3.0.7-27.el9',
      qualifiers: { arch: 'x86_64', epoch: '1', distro: 'rhel-9.4' },
    }),
    licenses: ['Apache-2.0'],
    locations: [{ path: '/opt/ubi-rootfs/var/lib/rpm/rpmdb.sqlite', layer: L2 }],
    foundBy: 'rpm-db-cataloger',
    layer: L2,
    metadata: {
      kind: 'rpm',
      epoch: 1,
      upstreamVersion: '3.0.7',
      release: '27.el9',
      architecture: 'x86_64',
      sourceRpm: 'openssl-3.0.7-27.el9.src.rpm',
      vendor: 'Red Hat, Inc.',
      files: ['/opt/ubi-rootfs/usr/lib64/libssl.so.3'],
    },
  },
  {
    name: '@babel/core',
    version: '7.24.0',
    type: 'npm',
    purl: purl({ type: 'npm', namespace: '@babel', name: 'core', version: '7.24.0' }),
    licenses: ['MIT'],
    locations: [
      { path: '/app/package-lock.json', layer: L2 },
      { path: '/app/node_modules/@babel/core/package.json', layer: L2 },
    ],
    foundBy: 'javascript-lock-cataloger',
    layer: L2,
    metadata: {
      kind: 'npm-package-lock',
      resolved: 'https://registry.npmjs.org/@babel/core/-/core-7.24.0.tgz',
      integrity: sri('sha512', '@babel/core@7.24.0'),
      dev: true,
    },
  },
  {
    name: 'left-pad',
    version: '1.3.0',
    type: 'npm',
    purl: purl({ type: 'npm', name: 'left-pad', version: '1.3.0' }),
    licenses: ['wtfpl', 'MIT OR Apache-2.0'],
    locations: [{ path: '/app/package-lock.json', layer: L2 }],
    foundBy: 'javascript-lock-cataloger',
    layer: L2,
    metadata: {
      kind: 'npm-package-lock',
      resolved: 'https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz',
      integrity: sri('sha1', 'left-pad@1.3.0'),
    },
  },
  {
    name: 'stdlib',
    version: 'go1.22.1',
    type: 'go-module',
    purl: purl({ type: 'golang', name: 'stdlib', version: '1.22.1' }),
    licenses: ['BSD-3-Clause'],
    locations: [{ path: '/usr/local/bin/shop-api', layer: L2 }],
    foundBy: 'go-module-binary-cataloger',
    layer: L2,
    metadata: {
      kind: 'go-buildinfo',
      goVersion: 'go1.22.1',
      mainModule: 'github.com/acme/shop-api',
      mainPackage: 'github.com/acme/shop-api/cmd/shop-api',
    },
  },
  {
    name: 'github.com/spf13/cobra',
    version: 'v1.8.0',
    type: 'go-module',
    purl: purl({ type: 'golang', namespace: 'github.com/spf13', name: 'cobra', version: 'v1.8.0' }),
    licenses: [],
    locations: [{ path: '/usr/local/bin/shop-api', layer: L2 }],
    foundBy: 'go-module-binary-cataloger',
    layer: L2,
    metadata: {
      kind: 'go-buildinfo',
      goVersion: 'go1.22.1',
      mainModule: 'github.com/acme/shop-api',
      sum: 'h1:7aJaZx1B85qltLMc546zn58BxxfZdR/W22ej9CFoEf0=',
      settings: { GOOS: 'linux', GOARCH: 'amd64', CGO_ENABLED: '0', 'vcs.revision': '4c1bd7b0e2a0f1f1a3c1e0a8d8e7f6c5b4a39281' },
    },
  },
  {
    name: 'log4j-core',
    version: '2.17.1',
    type: 'java-archive',
    purl: purl({ type: 'maven', namespace: 'org.apache.logging.log4j', name: 'log4j-core', version: '2.17.1' }),
    licenses: ['Apache-2.0'],
    locations: [{ path: '/opt/app/app.jar', layer: L2 }],
    foundBy: 'java-archive-cataloger',
    layer: L2,
    metadata: {
      kind: 'java-archive',
      groupId: 'org.apache.logging.log4j',
      artifactId: 'log4j-core',
      virtualPath: '/opt/app/app.jar!BOOT-INF/lib/log4j-core-2.17.1.jar',
      manifest: { 'Implementation-Title': 'Apache Log4j Core', 'Implementation-Version': '2.17.1' },
    },
  },
  {
    name: 'acme-billing',
    version: '3.1.0',
    type: 'php-composer',
    purl: purl({ type: 'composer', namespace: 'acme', name: 'acme-billing', version: '3.1.0' }),
    licenses: ['Acme Commercial License v2 (see LICENSE.txt)'],
    locations: [{ path: '/var/www/composer.lock', layer: L2 }],
    foundBy: 'php-composer-lock-cataloger',
    layer: L2,
    metadata: {
      kind: 'php-composer',
      sourceUrl: 'https://git.acme.example/billing.git',
      sourceReference: '9f1c2d3e4b5a69788796a5b4c3d2e1f0a9b8c7d6',
      distUrl: 'https://repo.acme.example/dist/acme-billing-3.1.0.zip',
    },
  },
  {
    name: 'naïve-ünicode_pkg',
    version: '0.1.0',
    type: 'python',
    purl: purl({ type: 'pypi', name: 'naïve-ünicode_pkg', version: '0.1.0' }),
    licenses: ['mit'],
    locations: [{ path: '/app/.venv/lib/python3.11/site-packages/naïve_ünicode_pkg-0.1.0.dist-info/METADATA', layer: L2 }],
    foundBy: 'python-installed-cataloger',
    layer: L2,
    metadata: { kind: 'python-dist-info' },
  },
  {
    name: '日本語-ツール',
    version: '2.0.0',
    type: 'npm',
    purl: purl({ type: 'npm', name: '日本語-ツール', version: '2.0.0' }),
    licenses: ['ISC'],
    locations: [{ path: '/app/node_modules/日本語-ツール/package.json', layer: L2 }],
    foundBy: 'javascript-package-cataloger',
    layer: L2,
    metadata: { kind: 'npm-package-json' },
  },
  {
    name: 'evil\u001b[31m-red\u202e-txt',
    version: '1.0.0\r\n',
    type: 'gem',
    purl: purl({ type: 'gem', name: 'evil\u001b[31m-red\u202e-txt', version: '1.0.0' }),
    licenses: ['Ruby'],
    locations: [{ path: '/usr/lib/ruby/gems/3.1.0/specifications/evil.gemspec', layer: L2 }],
    foundBy: 'ruby-gemspec-cataloger',
    layer: L2,
    metadata: { kind: 'gemspec', authors: ['Mallory'], homepage: 'javascript:alert(1)' },
  },
];

export const fixtureInventory: Inventory = {
  schemaVersion: 1,
  source: {
    ref: 'docker://ghcr.io/acme/shop-api:1.4.2',
    transport: 'docker',
    name: 'ghcr.io/acme/shop-api',
    tag: '1.4.2',
    manifestDigest: `sha256:${sha256('manifest of ghcr.io/acme/shop-api:1.4.2')}`,
    indexDigest: `sha256:${sha256('index of ghcr.io/acme/shop-api:1.4.2')}`,
    configDigest: `sha256:${sha256('config of ghcr.io/acme/shop-api:1.4.2')}`,
    platform: { os: 'linux', architecture: 'amd64' },
    created: '2024-03-14T09:26:53Z',
    layers: [L0, L1, L2].map((l, i) => ({
      index: l.index,
      diffId: l.diffId,
      digest: `sha256:${sha256(`blob ${i}`)}`,
      size: 1000 * (i + 1),
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    })),
    labels: {
      'org.opencontainers.image.source': 'https://github.com/acme/shop-api',
      'org.opencontainers.image.version': '1.4.2',
    },
  },
  distro: {
    id: 'debian',
    versionId: '12',
    versionCodename: 'bookworm',
    prettyName: 'Debian GNU/Linux 12 (bookworm)',
  },
  packages,
  warnings: ['/opt/app/huge.bin: larger than 512 MiB, not read'],
};

/** Options that make every renderer's output byte-stable, for golden files. */
export const fixedOptions = {
  timestamp: new Date('2024-05-01T12:00:00Z'),
  toolVersion: '0.0.0-golden',
  serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
  documentNamespace: 'https://spdx.org/spdxdocs/mamori/golden-3e671687-395b-41f5-a30f-a58921a69b79',
} as const;
