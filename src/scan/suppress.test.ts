import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Finding, RuleFinding } from '../core/index.js';
import { parseIgnoreFile } from './ignore.js';
import { parsePurl } from '../core/index.js';
import { applySuppressions, purlMatches, type SuppressionContext } from './suppress.js';
import { parseOpenVex, type VexDocuments } from './vex.js';

const TESTDATA = fileURLToPath(new URL('./testdata/openvex/', import.meta.url));
const NOW = new Date('2026-03-10T12:00:00Z');

function finding(id: string, purl: string, opts: { aliases?: string[]; paths?: string[] } = {}): Finding {
  const p = parsePurl(purl);
  return {
    id,
    aliases: opts.aliases ?? [],
    package: {
      type: 'deb',
      name: p?.name ?? 'x',
      version: p?.version ?? '',
      purl,
      locations: (opts.paths ?? []).map((path) => ({ path })),
    },
    status: 'fixed',
    fixedVersions: [],
    severity: 'HIGH',
    severities: [],
    references: [],
    match: {
      matcher: 'dpkg',
      searchedBy: { ecosystem: 'debian:12', package: p?.name ?? 'x', version: '' },
      advisories: [id],
      range: '',
    },
  };
}

const LIBXML = 'pkg:deb/debian/libxml2@2.9.14%2Bdfsg-1.3~deb12u1?arch=amd64&distro=debian-12';
const XML = finding('CVE-2023-39615', LIBXML, {
  aliases: ['DSA-5555-1'],
  paths: ['/usr/lib/x86_64-linux-gnu/libxml2.so.2', '/var/lib/dpkg/status'],
});
const CURL = finding('CVE-2023-38545', 'pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=debian-12', {
  paths: ['/usr/bin/curl'],
});

function ignore(
  entries: string,
  ctx: Partial<SuppressionContext> = {},
  findings: readonly Finding[] = [XML, CURL],
) {
  return applySuppressions(findings, {
    ignore: parseIgnoreFile(`ignore:\n${entries}`, '.mamoriignore.yaml'),
    now: NOW,
    ...ctx,
  });
}

const suppressedIds = (r: { suppressed: { finding: Finding }[] }): string[] =>
  r.suppressed.map((s) => s.finding.id);

test('package URL patterns: versionless matches every version, stated qualifiers must match, others are ignored', () => {
  const t = parsePurl(LIBXML);
  assert.ok(t);
  const m = (p: string): boolean => purlMatches(parsePurl(p) ?? assert.fail(p), t);
  assert.equal(m('pkg:deb/debian/libxml2'), true);
  assert.equal(m('pkg:deb/debian/libxml2@2.9.14+dfsg-1.3~deb12u1'), true);
  assert.equal(m('pkg:deb/debian/libxml2@2.9.14%2Bdfsg-1.3~deb12u1'), true);
  assert.equal(m('pkg:deb/debian/libxml2?distro=debian-12'), true);
  assert.equal(m('pkg:deb/debian/libxml2?distro=debian-11'), false);
  assert.equal(m('pkg:deb/debian/libxml2@2.9.14+dfsg-1.3~deb12u2'), false);
  assert.equal(m('pkg:deb/ubuntu/libxml2'), false);
  assert.equal(m('pkg:rpm/debian/libxml2'), false);
  assert.equal(m('pkg:deb/debian/libxml2-utils'), false);
  assert.equal(m('pkg:deb/debian/libxml2#usr/lib'), false);
  // A version the pattern has cannot be met by a target without one.
  assert.equal(
    purlMatches(parsePurl('pkg:npm/a@1') ?? assert.fail(), parsePurl('pkg:npm/a') ?? assert.fail()),
    false,
  );
  // Values packageurl-js refuses are still read by the spec's generic rules.
  assert.deepEqual(parsePurl('pkg:golang/github.com/foo/bar@v1'), {
    type: 'golang',
    namespace: 'github.com/foo',
    name: 'bar',
    version: 'v1',
    qualifiers: {},
  });
  // Per-type normalisation applies to both sides.
  assert.equal(
    purlMatches(
      parsePurl('pkg:pypi/Django_Allauth') ?? assert.fail(),
      parsePurl('pkg:pypi/django-allauth@1.0') ?? assert.fail(),
    ),
    true,
  );
});

test('ignore: the id or any alias, case-insensitively; other findings are kept', () => {
  const byId = ignore('  - {id: CVE-2023-39615, reason: not reachable}\n');
  assert.deepEqual(suppressedIds(byId), ['CVE-2023-39615']);
  assert.deepEqual(byId.kept, [CURL]);
  assert.deepEqual(byId.suppressed[0], {
    finding: XML,
    reason: 'not reachable',
    source: 'ignore-file:.mamoriignore.yaml#ignore[0]',
  });
  assert.deepEqual(suppressedIds(ignore('  - {id: DSA-5555-1, reason: r}\n')), ['CVE-2023-39615']);
  assert.deepEqual(suppressedIds(ignore('  - {id: cve-2023-39615, reason: r}\n')), ['CVE-2023-39615']);
  const none = ignore('  - {id: CVE-2023-0001, reason: r}\n');
  assert.deepEqual(none.suppressed, []);
  assert.deepEqual(none.kept, [XML, CURL]);
  assert.deepEqual(none.notes, ['.mamoriignore.yaml: ignore[0] (CVE-2023-0001) matched no finding']);
  assert.deepEqual(none.warnings, []);
});

test('ignore: packages by purl (with or without version) or by name', () => {
  const with_ = (pkgs: string): string[] =>
    suppressedIds(ignore(`  - {id: CVE-2023-39615, reason: r, packages: ${pkgs}}\n`));
  assert.deepEqual(with_('["pkg:deb/debian/libxml2"]'), ['CVE-2023-39615']);
  assert.deepEqual(with_('["pkg:deb/debian/libxml2@2.9.14+dfsg-1.3~deb12u1"]'), ['CVE-2023-39615']);
  assert.deepEqual(with_('["pkg:deb/debian/libxml2@2.9.10"]'), []);
  assert.deepEqual(with_('["pkg:deb/debian/libxml2?distro=debian-11"]'), []);
  assert.deepEqual(with_('["libxml2"]'), ['CVE-2023-39615']);
  assert.deepEqual(with_('[LibXML2]'), ['CVE-2023-39615']);
  assert.deepEqual(with_('[libxml2-utils, "pkg:deb/debian/curl"]'), []);
  assert.deepEqual(with_('[curl, libxml2]'), ['CVE-2023-39615']);
});

test('ignore: paths are globs over the package locations; relative globs start at the root', () => {
  const with_ = (paths: string): string[] =>
    suppressedIds(ignore(`  - {id: CVE-2023-39615, reason: r, paths: ${paths}}\n`));
  assert.deepEqual(with_('["/usr/lib/**"]'), ['CVE-2023-39615']);
  assert.deepEqual(with_('["usr/lib/**"]'), ['CVE-2023-39615']);
  assert.deepEqual(with_('["**/libxml2.so.*"]'), ['CVE-2023-39615']);
  assert.deepEqual(with_('["/usr/lib/*/libxml2.so.?"]'), ['CVE-2023-39615']);
  assert.deepEqual(with_('["/usr/{lib,lib64}/**"]'), ['CVE-2023-39615']);
  assert.deepEqual(with_('["/usr/lib/*"]'), []);
  assert.deepEqual(with_('["/opt/**"]'), []);
  assert.deepEqual(with_('["/usr/lib"]'), []);
  // Both conditions must hold.
  assert.deepEqual(
    suppressedIds(ignore('  - {id: CVE-2023-39615, reason: r, packages: [libxml2], paths: ["/opt/**"]}\n')),
    [],
  );
  // A finding without locations is never matched by a path rule.
  const bare = finding('CVE-2023-39615', LIBXML);
  assert.deepEqual(
    suppressedIds(ignore('  - {id: CVE-2023-39615, reason: r, paths: ["/**"]}\n', {}, [bare])),
    [],
  );
  // Dot directories are paths like any other.
  const dot = finding('CVE-2023-39615', LIBXML, { paths: ['/app/.venv/lib/x.py'] });
  assert.deepEqual(
    suppressedIds(ignore('  - {id: CVE-2023-39615, reason: r, paths: ["/app/**"]}\n', {}, [dot])),
    ['CVE-2023-39615'],
  );
});

test('ignore: globs built to backtrack still answer (no exponential matching)', () => {
  const long = finding('CVE-2023-39615', LIBXML, {
    paths: [`/${'a'.repeat(5000)}`, `/${'a/'.repeat(500)}c`],
  });
  for (const g of [`/${'*a'.repeat(40)}b`, `/${'**/a'.repeat(30)}b`, `/${'?'.repeat(500)}*b`]) {
    const r = ignore(`  - {id: CVE-2023-39615, reason: r, paths: ["${g}"]}\n`, {}, [long]);
    assert.deepEqual(r.suppressed, [], g);
  }
});

test('ignore: expiry today still suppresses, yesterday warns and keeps the finding, tomorrow suppresses', () => {
  const at = (expires: string) => ignore(`  - {id: CVE-2023-39615, reason: r, expires: "${expires}"}\n`);
  for (const day of ['2026-03-10', '2026-03-11', '2026-03-10T12:00:01Z', '2026-03-10T13:30:00+01:00']) {
    const r = at(day);
    assert.deepEqual(suppressedIds(r), ['CVE-2023-39615'], day);
    assert.deepEqual(r.warnings, [], day);
  }
  for (const day of ['2026-03-09', '2026-03-10T12:00:00Z', '2026-03-10T12:59:59+01:00']) {
    const r = at(day);
    assert.deepEqual(r.suppressed, [], day);
    assert.deepEqual(r.kept, [XML, CURL], day);
    assert.deepEqual(r.warnings, [
      `.mamoriignore.yaml: ignore[0] (CVE-2023-39615) expired on ${day} and no longer suppresses anything (it would have suppressed 1 finding)`,
    ]);
    assert.deepEqual(r.notes, []);
  }
  const stale = ignore('  - {id: CVE-1999-0001, reason: r, expires: 2020-01-01}\n');
  assert.deepEqual(stale.warnings, [
    '.mamoriignore.yaml: ignore[0] (CVE-1999-0001) expired on 2020-01-01 and no longer suppresses anything',
  ]);
  assert.deepEqual(stale.notes, []);
  // An expired entry does not hide a later live one.
  const two = ignore(
    '  - {id: CVE-2023-39615, reason: old, expires: 2026-01-01}\n  - {id: CVE-2023-39615, reason: new}\n',
  );
  assert.deepEqual(
    two.suppressed.map((s) => s.source),
    ['ignore-file:.mamoriignore.yaml#ignore[1]'],
  );
  assert.equal(two.warnings.length, 1);
});

test('ignore: the first matching entry is the source; overlapping entries all count as used', () => {
  const r = ignore(
    '  - {id: CVE-2023-39615, reason: first}\n  - {id: DSA-5555-1, reason: second}\n  - {id: CVE-2023-38545, reason: curl}\n',
  );
  assert.deepEqual(
    r.suppressed.map((s) => [s.finding.id, s.reason, s.source]),
    [
      ['CVE-2023-39615', 'first', 'ignore-file:.mamoriignore.yaml#ignore[0]'],
      ['CVE-2023-38545', 'curl', 'ignore-file:.mamoriignore.yaml#ignore[2]'],
    ],
  );
  assert.deepEqual(r.notes, []);
  assert.deepEqual(r.kept, []);
});

// ------------------------------------------------------------------ OpenVEX

const DIGEST = 'sha256:124c7d2707904eea7431fffe91522a01e5a861a624ee31d03372cc1d138a3126';

async function vexFiles(...names: string[]): Promise<VexDocuments> {
  const documents = await Promise.all(
    names.map(async (n) => parseOpenVex(await readFile(join(TESTDATA, n), 'utf8'), n)),
  );
  return { documents };
}

function vexDoc(
  name: string,
  statements: unknown[],
  timestamp = '2024-01-01T00:00:00Z',
): VexDocuments['documents'][number] {
  return parseOpenVex(
    JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': name,
      author: 't',
      timestamp,
      version: 1,
      statements,
    }),
    name,
  );
}

const st = (
  status: string,
  extra: Record<string, unknown> = {},
  product: unknown = { '@id': 'pkg:deb/debian/libxml2' },
) => ({
  vulnerability: { name: 'CVE-2023-39615' },
  products: [product],
  status,
  ...(status === 'not_affected' && !('justification' in extra)
    ? { justification: 'vulnerable_code_not_present' }
    : {}),
  ...extra,
});

const vex = (
  documents: VexDocuments['documents'],
  ctx: Partial<SuppressionContext> = {},
  findings: readonly Finding[] = [XML, CURL],
) => applySuppressions(findings, { vex: { documents }, now: NOW, ...ctx });

test('VEX statuses: not_affected and fixed suppress; affected and under_investigation keep the finding, annotated', () => {
  const na = vex([
    vexDoc('a.json', [st('not_affected', { impact_statement: 'parser disabled at build time' })]),
  ]);
  assert.deepEqual(na.kept, [CURL]);
  assert.deepEqual(na.suppressed, [
    {
      finding: XML,
      reason: 'VEX not_affected: vulnerable_code_not_present: parser disabled at build time',
      source: 'openvex:a.json#statements[0]',
      vex: { status: 'not_affected', justification: 'vulnerable_code_not_present' },
    },
  ]);
  const fixed = vex([vexDoc('a.json', [st('fixed', { status_notes: 'patched in our rebuild' })])]);
  assert.deepEqual(
    fixed.suppressed.map((s) => [s.reason, s.vex]),
    [['VEX fixed: patched in our rebuild', { status: 'fixed' }]],
  );
  const affected = vex([
    vexDoc('a.json', [st('affected', { action_statement: 'upgrade to 2.9.14+dfsg-1.3~deb12u2' })]),
  ]);
  assert.deepEqual(affected.suppressed, []);
  assert.deepEqual(affected.kept, [XML, CURL]);
  assert.deepEqual(affected.annotations, [
    {
      finding: XML,
      source: 'openvex:a.json#statements[0]',
      status: 'affected',
      actionStatement: 'upgrade to 2.9.14+dfsg-1.3~deb12u2',
    },
  ]);
  const ui = vex([vexDoc('a.json', [st('under_investigation')])]);
  assert.deepEqual(ui.suppressed, []);
  assert.deepEqual(
    ui.annotations.map((a) => a.status),
    ['under_investigation'],
  );
});

test('VEX vulnerability names: the name, @id or an alias against the finding id or an alias', async () => {
  const spring = await vexFiles('spec-spring.json');
  const boot = 'pkg:maven/org.springframework.boot/spring-boot@2.6.0-M3';
  const cases: [Finding, boolean][] = [
    [finding('CVE-2021-44228', boot), true],
    [finding('GHSA-jfh8-c2jp-5v3q', boot), true],
    [finding('GHSA-xxxx', boot, { aliases: ['CVE-2021-44228'] }), true],
    [finding('CVE-2021-45046', boot), false],
    [finding('CVE-2021-44228', 'pkg:maven/org.springframework.boot/spring-boot@2.6.1'), false],
    [finding('CVE-2021-44228', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1'), false],
  ];
  for (const [f, hit] of cases) {
    const r = applySuppressions([f], { vex: spring, now: NOW });
    assert.equal(r.suppressed.length, hit ? 1 : 0, `${f.id} ${f.package.purl}`);
  }
});

test('VEX products that are packages: qualifiers the statement states must match, others are ignored', async () => {
  const minimal = await vexFiles('spec-minimal.json');
  const git = (purl: string): number =>
    applySuppressions([finding('CVE-2023-12345', purl)], { vex: minimal, now: NOW }).suppressed.length;
  assert.equal(git('pkg:apk/wolfi/git@2.39.0-r1?arch=armv7&distro=20230201'), 1);
  assert.equal(git('pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64'), 1);
  assert.equal(git('pkg:apk/wolfi/git@2.39.0-r1?arch=aarch64'), 0);
  assert.equal(git('pkg:apk/wolfi/git@2.39.0-r1'), 0);
  assert.equal(git('pkg:apk/wolfi/git@2.39.0-r2?arch=x86_64'), 0);
  // Without a version the statement covers every version.
  const any = vexDoc('any.json', [st('fixed', {}, 'pkg:deb/debian/libxml2')]);
  assert.deepEqual(suppressedIds(vex([any])), ['CVE-2023-39615']);
  // The v0.0.1 form and the in-toto form name packages the same way.
  for (const f of ['go-vex-v0.0.1.json', 'go-vex-v0.0.1-noversion.json']) {
    assert.equal(
      applySuppressions([finding('CVE-2023-12345', 'pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64')], {
        vex: await vexFiles(f),
        now: NOW,
      }).suppressed.length,
      1,
      f,
    );
  }
  const att = await vexFiles('spec-attestation.json');
  assert.equal(
    applySuppressions([finding('CVE-2023-12345', 'pkg:apk/distro/git@2.39.0-r1?arch=armv7')], {
      vex: att,
      now: NOW,
    }).suppressed.length,
    1,
  );
});

test('VEX override order: statement time, else the document time; then later documents and statements', async () => {
  // The spec's own example: the later (inherited) timestamp says fixed.
  const spec = await vexFiles('spec-update-1.json', 'spec-update-2.json');
  const gitFinding = finding('CVE-2023-12345', 'pkg:apk/wolfi/git@2.39.0-r1?arch=armv7');
  const r = applySuppressions([gitFinding], { vex: spec, now: NOW });
  assert.deepEqual(
    r.suppressed.map((s) => s.source),
    ['openvex:spec-update-2.json#statements[1]'],
  );
  // Only the first version of the document: still under investigation.
  const v1 = applySuppressions([gitFinding], { vex: await vexFiles('spec-update-1.json'), now: NOW });
  assert.deepEqual(
    v1.annotations.map((a) => a.status),
    ['under_investigation'],
  );

  // Within a document, a later statement timestamp wins whatever the order.
  const early = st('not_affected', { timestamp: '2024-01-02T00:00:00Z' });
  const late = st('affected', { timestamp: '2024-01-03T00:00:00Z', action_statement: 'upgrade' });
  assert.deepEqual(vex([vexDoc('a.json', [late, early])]).suppressed, []);
  assert.deepEqual(
    suppressedIds(
      vex([
        vexDoc('a.json', [
          st('affected', { timestamp: '2024-01-02T00:00:00Z' }),
          st('fixed', { timestamp: '2024-01-03T00:00:00Z' }),
        ]),
      ]),
    ),
    ['CVE-2023-39615'],
  );
  // Across documents the timestamp still decides: an older statement in a later file does not override.
  const newer = vexDoc('newer.json', [st('fixed')], '2025-01-01T00:00:00Z');
  const older = vexDoc('older.json', [st('affected')], '2024-01-01T00:00:00Z');
  assert.equal(vex([newer, older]).suppressed[0]?.source, 'openvex:newer.json#statements[0]');
  assert.deepEqual(
    vex([older, newer]).suppressed.map((s) => s.source),
    ['openvex:newer.json#statements[0]'],
  );
  // On equal times the later document wins, then the later statement.
  const a = vexDoc('a.json', [st('fixed')]);
  const b = vexDoc('b.json', [st('under_investigation')]);
  assert.deepEqual(vex([a, b]).suppressed, []);
  assert.deepEqual(
    vex([b, a]).suppressed.map((s) => s.source),
    ['openvex:a.json#statements[0]'],
  );
  assert.deepEqual(vex([vexDoc('c.json', [st('fixed'), st('affected')])]).suppressed, []);
  // A statement for another package does not take part.
  const other = st(
    'affected',
    { timestamp: '2030-01-01T00:00:00Z' },
    { '@id': 'pkg:deb/debian/libxml2-utils' },
  );
  assert.deepEqual(suppressedIds(vex([vexDoc('d.json', [st('fixed'), other])])), ['CVE-2023-39615']);
});

test('VEX image products: the digest selects the image, subcomponents select its packages', async () => {
  const alpine = await vexFiles('go-vex-v0.2.0.json');
  const ssl = finding('CVE-2023-3446', 'pkg:apk/alpine/libssl3@3.0.8-r3?arch=x86_64&distro=3.17.3');
  const crypto = finding('CVE-2023-1255', 'pkg:apk/alpine/libcrypto3@3.0.8-r3?arch=x86_64&distro=3.17.3');
  const musl = finding('CVE-2023-1255', 'pkg:apk/alpine/musl@1.2.3-r4?arch=x86_64&distro=3.17.3');
  const run = (image: SuppressionContext['image'], docs = alpine) =>
    applySuppressions([ssl, crypto, musl], { vex: docs, now: NOW, ...(image ? { image } : {}) });

  const hit = run({ digest: DIGEST, name: 'alpine:3.17' });
  assert.deepEqual(
    hit.suppressed.map((s) => [s.finding.package.name, s.vex?.status, s.source]),
    [
      ['libssl3', 'not_affected', 'openvex:go-vex-v0.2.0.json#statements[3]'],
      ['libcrypto3', 'fixed', 'openvex:go-vex-v0.2.0.json#statements[0]'],
    ],
  );
  assert.deepEqual(hit.kept, [musl]);
  // The digest can be one of several (an index digest) and is compared case-insensitively.
  assert.equal(
    run({ digests: ['sha256:0000', DIGEST.toUpperCase().replace('SHA256', 'sha256')] }).suppressed.length,
    2,
  );
  // A bare hex digest is taken as sha256.
  assert.equal(run({ digest: DIGEST.slice(7) }).suppressed.length, 2);
  // Another image's digest: nothing applies, whatever the name.
  const other = run({ digest: 'sha256:ffff', name: 'alpine:3.17' });
  assert.deepEqual(other.suppressed, []);
  assert.deepEqual(other.notes, []);
  // No image known: statements about images are not applied, and a note says so.
  const none = run(undefined);
  assert.deepEqual(none.suppressed, []);
  assert.deepEqual(none.notes, [
    'go-vex-v0.2.0.json: 5 statements about an image not applied: the scan target has no image digest',
  ]);
  // A digest percent-encoded twice (as some tools wrote it) still matches.
  const grype = await vexFiles('grype-openvex-demo1.json');
  assert.deepEqual(
    run({ digest: DIGEST }, grype).suppressed.map((s) => s.finding.package.name),
    ['libcrypto3'],
  );
  // A digest given with the reference counts too.
  assert.equal(run({ name: `docker.io/library/alpine@${DIGEST}` }, grype).suppressed.length, 1);
});

test('VEX image products without subcomponents cover every package of that image', () => {
  const image = vexDoc('img.json', [
    {
      vulnerability: { name: 'CVE-2023-38545' },
      products: [{ '@id': `pkg:oci/app@${encodeURIComponent(DIGEST)}?repository_url=ghcr.io/acme/app` }],
      status: 'not_affected',
      justification: 'component_not_present',
    },
  ]);
  assert.deepEqual(suppressedIds(vex([image], { image: { digest: DIGEST } })), ['CVE-2023-38545']);
  assert.deepEqual(vex([image], { image: { digest: 'sha256:0001' } }).suppressed, []);
  // A hash equal to the digest names the image as well.
  const hashed = vexDoc('h.json', [{ ...st('fixed', {}, { hashes: { 'sha-256': DIGEST.slice(7) } }) }]);
  assert.deepEqual(suppressedIds(vex([hashed], { image: { digest: DIGEST } })), ['CVE-2023-39615']);
  assert.deepEqual(vex([hashed], { image: { digest: 'sha256:0001' } }).suppressed, []);
  // So does an identifier equal to the reference, the digest or its bare hex.
  for (const id of ['ghcr.io/acme/app:1.0', DIGEST, DIGEST.slice(7)]) {
    const byId = vexDoc('i.json', [st('fixed', {}, { '@id': id })]);
    const ctx = { image: { digest: DIGEST, name: 'ghcr.io/acme/app:1.0' } };
    assert.deepEqual(suppressedIds(vex([byId], ctx)), ['CVE-2023-39615'], id);
    assert.deepEqual(
      vex([byId], { image: { digest: 'sha256:0001', name: 'ghcr.io/acme/app:2.0' } }).suppressed,
      [],
      id,
    );
  }
});

test('VEX image products without a digest match by name, repository_url and tag', async () => {
  const trivy = await vexFiles('trivy-openvex-oci.json');
  const bash = finding('CVE-2022-3715', 'pkg:deb/debian/bash@5.2.15-2+b2?arch=amd64&distro=debian-12');
  const run = (name: string, docs = trivy): number =>
    applySuppressions([bash], { vex: docs, now: NOW, image: { name } }).suppressed.length;
  assert.equal(run('debian:12'), 1);
  assert.equal(run('docker.io/library/debian'), 1);
  assert.equal(run('ghcr.io/acme/debian:bookworm'), 1);
  assert.equal(run('ubuntu:22.04'), 0);
  const qualified = (q: string): VexDocuments => ({
    documents: [
      vexDoc('q.json', [
        {
          vulnerability: { name: 'CVE-2022-3715' },
          products: [{ '@id': `pkg:oci/debian?${q}`, subcomponents: [{ '@id': 'pkg:deb/debian/bash' }] }],
          status: 'fixed',
        },
      ]),
    ],
  });
  assert.equal(run('debian:12', qualified('repository_url=index.docker.io/library/debian')), 1);
  assert.equal(run('debian:12', qualified('repository_url=docker.io/library')), 1);
  assert.equal(
    run(
      'docker://registry-1.docker.io/library/debian:12',
      qualified('repository_url=docker.io%2Flibrary%2Fdebian'),
    ),
    1,
  );
  assert.equal(run('ghcr.io/acme/debian:12', qualified('repository_url=docker.io/library/debian')), 0);
  assert.equal(run('debian:12', qualified('tag=12')), 1);
  assert.equal(run('debian:11', qualified('tag=12')), 0);
  // A qualifier that cannot be checked against the scanned image does not match.
  assert.equal(run('debian:12', qualified('arch=amd64')), 0);
});

test('the ignore file goes first; an expired entry leaves the finding to VEX', () => {
  const rules = parseIgnoreFile(
    'ignore:\n  - {id: CVE-2023-39615, reason: ours, expires: 2026-01-01}\n',
    '.mamoriignore.yaml',
  );
  const live = parseIgnoreFile('ignore:\n  - {id: CVE-2023-39615, reason: ours}\n', '.mamoriignore.yaml');
  const docs = { documents: [vexDoc('v.json', [st('fixed')])] };
  assert.deepEqual(
    applySuppressions([XML], { ignore: live, vex: docs, now: NOW }).suppressed.map((s) => s.source),
    ['ignore-file:.mamoriignore.yaml#ignore[0]'],
  );
  const r = applySuppressions([XML], { ignore: rules, vex: docs, now: NOW });
  assert.deepEqual(
    r.suppressed.map((s) => s.source),
    ['openvex:v.json#statements[0]'],
  );
  assert.equal(r.warnings.length, 1);
  assert.throws(() => applySuppressions([XML], { now: new Date('never') }), /now is not a valid date/);
  // Nothing to apply: everything is kept, in order.
  assert.deepEqual(applySuppressions([XML, CURL], { now: NOW }), {
    kept: [XML, CURL],
    suppressed: [],
    keptRules: [],
    suppressedRules: [],
    annotations: [],
    warnings: [],
    notes: [],
  });
});

test('ignore-file entries suppress secret and misconfiguration findings by rule id, limited by paths', () => {
  const rule = (ruleId: string, path: string): RuleFinding => ({
    kind: ruleId === 'private-key' ? 'secret' : 'misconfig',
    ruleId,
    title: ruleId,
    severity: 'HIGH',
    rationale: 'why',
    location: { path },
  });
  const key = rule('private-key', '/srv/test/fixture.pem');
  const otherKey = rule('private-key', '/root/.ssh/id_rsa');
  const root = rule('MI001', 'image-config');
  const ignore = parseIgnoreFile(
    [
      'ignore:',
      '  - id: PRIVATE-KEY', // ids match case-insensitively, as for vulnerabilities
      '    reason: "a throwaway key the integration test needs"',
      '    paths: ["/srv/test/**"]',
      '  - id: MI001',
      '    reason: "limited to a package: never applies to a rule finding"',
      '    packages: ["openssl"]',
      '  - id: MI001',
      '    reason: "accepted until the base image moved to a non-root user"',
      '    expires: 2020-01-01',
    ].join('\n'),
    'ignore.yaml',
  );
  const r = applySuppressions([XML], { now: NOW, ignore }, [key, otherKey, root]);
  assert.deepEqual(r.kept, [XML]);
  assert.deepEqual(r.keptRules, [otherKey, root]);
  assert.deepEqual(r.suppressedRules, [
    {
      finding: key,
      reason: 'a throwaway key the integration test needs',
      source: 'ignore-file:ignore.yaml#ignore[0]',
    },
  ]);
  assert.deepEqual(r.notes, ['ignore.yaml: ignore[1] (MI001) matched no finding']);
  assert.equal(r.warnings.length, 1);
  assert.match(
    r.warnings[0] ?? '',
    /ignore\[2\] \(MI001\) expired on 2020-01-01 .*would have suppressed 1 finding\)/,
  );
});
