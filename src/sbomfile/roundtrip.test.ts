/**
 * mamori's own SBOMs read back: an inventory rendered with renderCycloneDx /
 * renderSpdx and read with readSbomFile gives every package back with the
 * fields the matcher reads (type, name, version, purl, metadata kind, dpkg
 * source and source version, apk origin, rpm epoch/version/release and
 * SOURCERPM, Maven coordinates, ownership, layer) and the same matcher
 * lookups. Synthetic inventories cover every package type; the real Debian
 * application image (vendored Python, Go and npm packages) covers what the
 * catalogers really produce.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { purl, type Distro, type LayerRef, type Package, type PackageMetadata } from '../core/index.js';
import { inventory, type Inventory } from '../inventory/index.js';
import { matcherFor } from '../match/index.js';
import { renderCycloneDx, renderSpdx } from '../report/index.js';
import { debianAppImage } from '../testing/index.js';
import { readSbomFile } from './index.js';

const L: LayerRef[] = [0, 1, 2].map((i) => ({ index: i, diffId: `sha256:${String(i + 1).repeat(64)}` }));
const STATUS = '/var/lib/dpkg/status';

function deb(
  name: string,
  version: string,
  source: string,
  sourceVersion: string,
  layer: LayerRef,
  arch = 'amd64',
): Package {
  const upstream =
    source !== name || sourceVersion !== version
      ? sourceVersion !== version
        ? `${source}@${sourceVersion}`
        : source
      : undefined;
  return {
    name,
    version,
    type: 'deb',
    purl: purl({
      type: 'deb',
      namespace: 'debian',
      name,
      version,
      qualifiers: { arch, distro: 'debian-12', upstream },
    }),
    licenses: ['GPL-2+'],
    locations: [{ path: STATUS, layer }],
    foundBy: 'dpkg',
    layer,
    metadata: {
      kind: 'dpkg',
      source,
      sourceVersion,
      architecture: arch,
      files: [`/usr/share/doc/${name}/copyright`],
    },
  };
}

function lang(
  type: Package['type'],
  name: string,
  version: string,
  id: string,
  path: string,
  layer: LayerRef,
  metadata: PackageMetadata,
  owner?: Package,
): Package {
  return {
    name,
    version,
    type,
    purl: id,
    licenses: ['MIT'],
    locations: [{ path, layer }],
    foundBy: 'test',
    layer,
    metadata,
    ...(owner
      ? { ownedBy: { type: owner.type, name: owner.name, version: owner.version, purl: owner.purl } }
      : {}),
  };
}

function debianInventory(): Inventory {
  const bash = deb('bash', '5.2.15-2+b2', 'bash', '5.2.15-2', L[0] as LayerRef);
  const requestsDeb = deb(
    'python3-requests',
    '2.28.1+dfsg-1',
    'requests',
    '2.28.1+dfsg-1',
    L[1] as LayerRef,
    'all',
  );
  const skopeo = deb('skopeo', '1.9.3+ds1-1+b10', 'skopeo', '1.9.3+ds1-1', L[1] as LayerRef);
  const go = (name: string, version: string, path: string, owner?: Package): Package => {
    const slash = name.lastIndexOf('/');
    return lang(
      'go-module',
      name,
      version,
      purl({
        type: 'golang',
        namespace: slash === -1 ? undefined : name.slice(0, slash),
        name: name.slice(slash + 1),
        version,
      }),
      path,
      owner ? (L[1] as LayerRef) : (L[2] as LayerRef),
      { kind: 'go-buildinfo', goVersion: 'go1.19.8', mainModule: 'example.com/app' },
      owner,
    );
  };
  const java = (artifact: string, version: string, groupId: string | undefined): Package =>
    lang(
      'java-archive',
      artifact,
      version,
      purl({ type: 'maven', namespace: groupId ?? artifact, name: artifact, version }),
      `/app/lib/${artifact}-${version}.jar`,
      L[2] as LayerRef,
      {
        kind: 'java-archive',
        ...(groupId ? { groupId, artifactId: artifact } : {}),
        virtualPath: `/app/lib/${artifact}-${version}.jar`,
      },
    );
  const L2 = L[2] as LayerRef;
  return {
    schemaVersion: 1,
    source: {
      ref: 'oci:/tmp/x:app',
      transport: 'oci',
      name: 'registry.example.com/app',
      tag: '1.0',
      layers: L,
    },
    distro: {
      id: 'debian',
      versionId: '12',
      versionCodename: 'bookworm',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
    },
    packages: [
      bash,
      deb('libgcc-s1', '12.2.0-14', 'gcc-12', '12.2.0-14', L[0] as LayerRef),
      deb('login', '1:4.13+dfsg1-1', 'shadow', '1:4.13+dfsg1-1', L[0] as LayerRef),
      requestsDeb,
      skopeo,
      lang(
        'python',
        'requests',
        '2.28.1',
        purl({ type: 'pypi', name: 'requests', version: '2.28.1' }),
        '/usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO',
        L[1] as LayerRef,
        { kind: 'python-egg-info' },
        requestsDeb,
      ),
      lang(
        'python',
        'PyYAML',
        '6.0.1',
        purl({ type: 'pypi', name: 'pyyaml', version: '6.0.1' }),
        '/app/venv/lib/python3.11/site-packages/PyYAML-6.0.1.dist-info/METADATA',
        L2,
        { kind: 'python-dist-info' },
      ),
      go('stdlib', 'go1.19.8', '/usr/bin/skopeo', skopeo),
      go('github.com/BurntSushi/toml', 'v1.2.1', '/app/server'),
      go('example.com/app', '(devel)', '/app/server'),
      java('log4j-core', '2.14.1', 'org.apache.logging.log4j'),
      lang(
        'npm',
        'JSONStream',
        '1.3.5',
        purl({ type: 'npm', name: 'JSONStream', version: '1.3.5' }),
        '/app/node_modules/JSONStream/package.json',
        L2,
        { kind: 'npm-package-json' },
      ),
      lang(
        'npm',
        '@babel/core',
        '7.22.5',
        purl({ type: 'npm', namespace: '@babel', name: 'core', version: '7.22.5' }),
        '/app/package-lock.json',
        L2,
        { kind: 'npm-package-lock', dev: true },
      ),
      // The same package at two places: two packages.
      ...['/app/node_modules/lodash/package.json', '/app/web/node_modules/lodash/package.json'].map((p) =>
        lang('npm', 'lodash', '4.17.20', purl({ type: 'npm', name: 'lodash', version: '4.17.20' }), p, L2, {
          kind: 'npm-package-json',
        }),
      ),
      lang(
        'gem',
        'rails',
        '7.0.4',
        purl({ type: 'gem', name: 'rails', version: '7.0.4' }),
        '/app/Gemfile.lock',
        L2,
        {
          kind: 'gemspec',
        },
      ),
      lang(
        'rust-crate',
        'serde',
        '1.0.150',
        purl({ type: 'cargo', name: 'serde', version: '1.0.150' }),
        '/app/rs',
        L2,
        {
          kind: 'rust-cargo-audit',
          dependencyKind: 'runtime',
        },
      ),
      lang(
        'dotnet',
        'Newtonsoft.Json',
        '13.0.1',
        purl({ type: 'nuget', name: 'Newtonsoft.Json', version: '13.0.1' }),
        '/app/App.deps.json',
        L2,
        { kind: 'dotnet-deps' },
      ),
      lang(
        'php-composer',
        'monolog/monolog',
        '2.9.1',
        purl({ type: 'composer', namespace: 'monolog', name: 'monolog', version: '2.9.1' }),
        '/app/vendor/composer/installed.json',
        L2,
        { kind: 'php-composer' },
      ),
    ],
    warnings: [],
  };
}

function alpineInventory(): Inventory {
  const layer = L[0] as LayerRef;
  const apk = (name: string, version: string, origin: string): Package => ({
    name,
    version,
    type: 'apk',
    purl: purl({
      type: 'apk',
      namespace: 'alpine',
      name,
      version,
      qualifiers: { arch: 'x86_64', distro: 'alpine-3.19.1', upstream: origin !== name ? origin : undefined },
    }),
    licenses: [],
    locations: [{ path: '/lib/apk/db/installed', layer }],
    foundBy: 'apk',
    layer,
    metadata: { kind: 'apk', origin, architecture: 'x86_64', files: [] },
  });
  const pyApk = apk('py3-six', '1.16.0-r8', 'py3-six');
  return {
    schemaVersion: 1,
    source: { ref: 'oci:/tmp/a:3', transport: 'oci', name: 'alpine', layers: [layer] },
    distro: { id: 'alpine', versionId: '3.19.1', prettyName: 'Alpine Linux v3.19' },
    packages: [
      apk('busybox-binsh', '1.36.1-r15', 'busybox'),
      apk('libcrypto3', '3.1.4-r5', 'openssl'),
      pyApk,
      lang(
        'python',
        'six',
        '1.16.0',
        purl({ type: 'pypi', name: 'six', version: '1.16.0' }),
        '/usr/lib/python3.11/site-packages/six-1.16.0.dist-info/METADATA',
        layer,
        { kind: 'python-dist-info' },
        pyApk,
      ),
    ],
    warnings: [],
  };
}

function rhelInventory(): Inventory {
  const layer = L[0] as LayerRef;
  const rpm = (
    name: string,
    epoch: number | undefined,
    version: string,
    release: string,
    srpm: string,
  ): Package => ({
    name,
    version: `${epoch !== undefined ? `${epoch}:` : ''}${version}-${release}`,
    type: 'rpm',
    purl: purl({
      type: 'rpm',
      namespace: 'rhel',
      name,
      version: `${version}-${release}`,
      qualifiers: {
        arch: 'x86_64',
        epoch: epoch !== undefined ? String(epoch) : undefined,
        distro: 'rhel-9.3',
      },
    }),
    licenses: [],
    locations: [{ path: '/var/lib/rpm/rpmdb.sqlite', layer }],
    foundBy: 'rpm',
    layer,
    metadata: {
      kind: 'rpm',
      ...(epoch !== undefined ? { epoch } : {}),
      upstreamVersion: version,
      release,
      architecture: 'x86_64',
      sourceRpm: srpm,
      vendor: 'Red Hat, Inc.',
      files: [],
    },
  });
  return {
    schemaVersion: 1,
    source: { ref: 'oci:/tmp/r:9', transport: 'oci', name: 'ubi9', layers: [layer] },
    distro: { id: 'rhel', versionId: '9.3', idLike: ['fedora'] },
    packages: [
      rpm('bash', undefined, '5.1.8', '6.el9_1', 'bash-5.1.8-6.el9_1.src.rpm'),
      rpm('openssl-libs', 1, '3.0.7', '25.el9_3', 'openssl-3.0.7-25.el9_3.src.rpm'),
      rpm('tzdata', 0, '2023c', '1.el9', 'tzdata-2023c-1.el9.src.rpm'),
    ],
    warnings: [],
  };
}

/** What the matcher reads of a package, and the lookup it makes. */
function project(p: Package, distro: Distro | undefined): unknown {
  const m = p.metadata;
  return {
    type: p.type,
    name: p.name,
    version: p.version,
    purl: p.purl,
    kind: m.kind,
    ownedBy: p.ownedBy ?? null,
    layer: p.layer ?? p.locations[0]?.layer ?? null,
    dpkg: m.kind === 'dpkg' ? [m.source, m.sourceVersion] : null,
    apk: m.kind === 'apk' ? m.origin : null,
    rpm: m.kind === 'rpm' ? [m.epoch ?? null, m.upstreamVersion, m.release, m.sourceRpm ?? null] : null,
    maven: m.kind === 'java-archive' ? [m.groupId ?? null, m.artifactId ?? null] : null,
    query: matcherFor(p.type)?.query(p, distro) ?? null,
  };
}

function keyed(inv: Inventory, transform: (p: Package) => Package = (p) => p): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const p of inv.packages) {
    const key = `${p.purl} ${p.locations[0]?.path ?? ''}`;
    assert.ok(!out.has(key), `one package per purl and location: ${key}`);
    out.set(key, project(transform(p), inv.distro));
  }
  return out;
}

/**
 * What mamori's SPDX cannot carry: SPDX has no place for properties, so an
 * rpm's SOURCERPM (mamori's rpm purls have no `upstream` qualifier) and a
 * Maven package's missing group id (its purl names the package in the group
 * id's place, as Syft does) are not recoverable from it.
 */
function spdxCarries(p: Package): Package {
  const m = p.metadata;
  if (m.kind === 'rpm') {
    const { sourceRpm: _lost, ...rest } = m;
    return { ...p, metadata: rest };
  }
  if (m.kind === 'java-archive' && m.groupId === undefined) {
    return { ...p, metadata: { ...m, groupId: p.name, artifactId: p.name } };
  }
  return p;
}

async function roundTrip(dir: string, name: string, text: string): Promise<Inventory> {
  const file = join(dir, name);
  await writeFile(file, text);
  return readSbomFile(file);
}

describe('round trip through mamori SBOMs', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mamori-sbomfile-rt-'));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  for (const [label, make] of [
    ['debian', debianInventory],
    ['alpine', alpineInventory],
    ['rhel', rhelInventory],
  ] as const) {
    test(`${label}: CycloneDX gives back every matcher field`, async () => {
      const inv = make();
      const back = await roundTrip(dir, `${label}.cdx.json`, renderCycloneDx(inv));
      assert.deepEqual(back.warnings, []);
      assert.deepEqual(back.distro, inv.distro);
      assert.deepEqual(back.source.layers, inv.source.layers);
      assert.equal(back.source.name, inv.source.name);
      assert.equal(back.source.ref, `sbom:${join(dir, `${label}.cdx.json`)}`);
      assert.deepEqual(keyed(back), keyed(inv));
    });

    test(`${label}: SPDX gives back what SPDX carries`, async () => {
      const inv = make();
      const back = await roundTrip(dir, `${label}.spdx.json`, renderSpdx(inv));
      assert.deepEqual(back.warnings, []);
      assert.deepEqual(
        { id: back.distro?.id, versionId: back.distro?.versionId },
        { id: inv.distro?.id, versionId: inv.distro?.versionId },
      );
      assert.deepEqual(keyed(back), keyed(inv, spdxCarries));
    });
  }

  test('the matcher lookups cover every kind of source package', () => {
    const queries = [...keyed(debianInventory()).values()].map((v) => (v as { query: unknown }).query);
    assert.ok(
      queries.some(
        (q) => JSON.stringify(q) === '{"ecosystems":["Debian:12"],"name":"skopeo","version":"1.9.3+ds1-1"}',
      ),
    );
    const rhel = [...keyed(rhelInventory()).values()].map((v) => (v as { query: unknown }).query);
    assert.ok(rhel.some((q) => (q as { name?: string } | null)?.name === 'openssl'));
  });
});

describe('round trip of a real image', { timeout: 30 * 60 * 1000 }, () => {
  let dir: string;
  let inv: Inventory;
  before(async () => {
    const img = await debianAppImage();
    dir = await mkdtemp(join(tmpdir(), 'mamori-sbomfile-real-'));
    inv = await inventory(`oci:${img.layout}:${img.tag}`, { cacheDir: join(dir, 'cache') });
    assert.ok(inv.packages.length > 150, `a real inventory, got ${inv.packages.length} packages`);
    assert.ok(inv.packages.some((p) => p.ownedBy !== undefined));
    assert.ok(new Set(inv.packages.map((p) => p.type)).size >= 4, 'OS and language packages');
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('CycloneDX', async () => {
    const back = await roundTrip(dir, 'real.cdx.json', renderCycloneDx(inv));
    assert.deepEqual(back.distro, inv.distro);
    assert.deepEqual(keyed(back), keyed(inv));
  });

  test('SPDX', async () => {
    const back = await roundTrip(dir, 'real.spdx.json', renderSpdx(inv));
    assert.equal(back.distro?.versionId, inv.distro?.versionId);
    assert.deepEqual(keyed(back), keyed(inv, spdxCarries));
  });
});
