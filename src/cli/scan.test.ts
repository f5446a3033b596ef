/**
 * `mamori scan` end to end: a real vulnerability DB (SQLite, imported with
 * the real importers from fixtures in the feeds' own formats) and an image
 * with Debian packages, an OS-owned Python library and a vendored copy.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { assertValidCycloneDx, assertValidSarif } from '../report/testdata/validate.js';
import { writeOciImage } from '../testing/oci-writer.js';
import { importFeed, openVulnDb } from '../vulndb/index.js';
import { main } from './main.js';
import { capture } from './testing.js';

let dir: string;
let image: string;
let db: string;

const status = `Package: libssl3
Status: install ok installed
Architecture: amd64
Source: openssl
Version: 3.0.11-1~deb12u2
Description: ssl

Package: python3-jinja2
Status: install ok installed
Architecture: all
Source: jinja2
Version: 3.1.2-1
Description: jinja
`;
const metadata = 'Metadata-Version: 2.1\nName: Jinja2\nVersion: 3.1.2\n';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mamori-scan-'));
  const img = await writeOciImage(join(dir, 'img'), 'v1', [
    {
      members: [
        { name: 'usr/lib/os-release', content: 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' },
        { name: 'var/lib/dpkg/status', content: status },
        {
          name: 'var/lib/dpkg/info/python3-jinja2.list',
          content: '/.\n/usr/lib/python3/dist-packages/Jinja2-3.1.2.dist-info/METADATA\n',
        },
        { name: 'usr/lib/python3/dist-packages/Jinja2-3.1.2.dist-info/METADATA', content: metadata },
      ],
    },
    { members: [{ name: 'app/site-packages/Jinja2-3.1.2.dist-info/METADATA', content: metadata }] },
  ]);
  image = `oci:${img.dir}:v1`;
  const tracker = {
    openssl: {
      'CVE-2024-0727': {
        description: 'PKCS12 Decoding crashes',
        scope: 'remote',
        releases: {
          bookworm: {
            status: 'resolved',
            fixed_version: '3.0.13-1~deb12u1',
            urgency: 'high',
            repositories: {},
          },
        },
      },
      'CVE-2024-9999': {
        description: 'not fixed yet',
        scope: 'remote',
        releases: { bookworm: { status: 'open', urgency: 'low', repositories: {} } },
      },
    },
  };
  const osv = {
    schema_version: '1.6.0',
    id: 'GHSA-h5c8-rqwp-cp95',
    aliases: ['CVE-2024-22195'],
    modified: '2024-02-01T00:00:00Z',
    published: '2024-01-11T00:00:00Z',
    summary: 'Jinja vulnerable to HTML attribute injection',
    details: 'xmlattr filter',
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N' }],
    affected: [
      {
        package: { ecosystem: 'PyPI', name: 'jinja2' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.1.3' }] }],
      },
    ],
    references: [{ type: 'ADVISORY', url: 'https://nvd.nist.gov/vuln/detail/CVE-2024-22195' }],
  };
  await writeFile(join(dir, 'tracker.json'), JSON.stringify(tracker));
  await writeFile(join(dir, 'jinja.json'), JSON.stringify(osv));
  db = join(dir, 'vuln.db');
  const v = await openVulnDb(db);
  try {
    await importFeed(v, join(dir, 'tracker.json'));
    await importFeed(v, join(dir, 'jinja.json'));
  } finally {
    v.close();
  }
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Out {
  findings: Array<{
    id: string;
    status: string;
    severity: string;
    fixedVersions: string[];
    package: { name: string; locations: Array<{ path: string }> };
    match: { matcher: string; searchedBy: { ecosystem: string; package: string } };
  }>;
}

test('distro packages by source, the vendored copy by its feed, the OS-owned copy not by the feed', async () => {
  const c = capture();
  assert.equal(await main(['scan', image, '--db', db, '--no-cache', '-f', 'json'], c.io), 0);
  const out = JSON.parse(c.text().stdout) as Out;
  const summary = out.findings
    .map((f) => `${f.id} ${f.package.name} ${f.status} ${f.severity} ${f.package.locations[0]?.path}`)
    .sort();
  assert.deepEqual(summary, [
    'CVE-2024-0727 libssl3 fixed HIGH /var/lib/dpkg/status',
    'CVE-2024-22195 Jinja2 fixed MEDIUM /app/site-packages/Jinja2-3.1.2.dist-info/METADATA',
    'CVE-2024-9999 libssl3 unfixed LOW /var/lib/dpkg/status',
  ]);
  const ssl = out.findings.find((f) => f.id === 'CVE-2024-0727');
  assert.deepEqual(ssl?.fixedVersions, ['3.0.13-1~deb12u1']);
  assert.deepEqual(ssl?.match.searchedBy, {
    ecosystem: 'Debian:12',
    package: 'openssl',
    version: '3.0.11-1~deb12u2',
  });
});

test('--fail-on gates the pipeline: exit 1 at or above, 0 below; --ignore-unfixed and --severity filter', async () => {
  const high = capture();
  assert.equal(
    await main(['scan', image, '--db', db, '--no-cache', '--scanners', 'vuln', '--fail-on', 'HIGH'], high.io),
    1,
  );
  assert.match(high.text().stderr, /gate failed: 1 finding/);
  assert.match(high.text().stdout, /3 vulnerabilities \(HIGH: 1, MEDIUM: 1, LOW: 1\)/);
  const crit = capture();
  assert.equal(await main(['scan', image, '--db', db, '--no-cache', '--fail-on', 'critical'], crit.io), 0);
  const filtered = capture();
  assert.equal(
    await main(
      ['scan', image, '--db', db, '--no-cache', '--ignore-unfixed', '--severity', 'LOW,MEDIUM', '-f', 'json'],
      filtered.io,
    ),
    0,
  );
  assert.deepEqual(
    (JSON.parse(filtered.text().stdout) as Out).findings.map((f) => f.id),
    ['CVE-2024-22195'],
  );
  // Rule findings go through the same gate; without the vuln scanner no database is opened.
  const rules = capture();
  const noDb = join(dir, 'no-such.db');
  assert.equal(
    await main(['scan', image, '--db', noDb, '--scanners', 'misconfig', '--fail-on', 'HIGH'], rules.io),
    1,
  );
  assert.match(rules.text().stderr, /gate failed: 1 finding\(s\) at or above HIGH/);
  assert.match(rules.text().stdout, /0 vulnerabilities, 2 rule findings \(HIGH: 1, LOW: 1\)/);
  assert.match(rules.text().stdout, /MI001 +HIGH/);
  const bad = capture();
  assert.equal(await main(['scan', image, '--scanners', 'vuln,sbom'], bad.io), 2);
  assert.match(bad.text().stderr, /unknown scanner "sbom" \(one of vuln, secret, misconfig\)/);
});

test('a missing database or a bad severity is a clear error with exit code 2', async () => {
  const c = capture();
  assert.equal(await main(['scan', image, '--db', join(dir, 'nope.db'), '--no-cache'], c.io), 2);
  assert.match(
    c.text().stderr,
    /^mamori: error: no vulnerability database at .*nope\.db; run "mamori db update" or "mamori db import FILE" first \(or leave vulnerabilities out: --scanners secret,misconfig\)\n$/,
  );
  const only = capture();
  assert.equal(await main(['scan', image, '--db', join(dir, 'nope.db'), '--scanners', 'vuln'], only.io), 2);
  assert.doesNotMatch(only.text().stderr, /leave vulnerabilities out/);
  const s = capture();
  assert.equal(await main(['scan', image, '--db', db, '--fail-on', 'SEVERE'], s.io), 2);
  assert.match(s.text().stderr, /unknown severity "SEVERE"/);
});

test('an ignore file suppresses with its reason until it expires; suppressed findings do not fail the gate', async () => {
  const ignore = join(dir, 'ignore.yaml');
  await writeFile(
    ignore,
    [
      'ignore:',
      '  - id: CVE-2024-0727',
      '    reason: "PKCS12 files never reach this service"',
      '    expires: 2999-01-01',
      '  - id: CVE-2024-9999',
      '    reason: "was accepted until 2020"',
      '    expires: 2020-01-01',
    ].join('\n'),
  );
  const c = capture();
  assert.equal(
    await main(
      [
        'scan',
        image,
        '--db',
        db,
        '--no-cache',
        '--scanners',
        'vuln',
        '--ignore-file',
        ignore,
        '--fail-on',
        'HIGH',
        '-f',
        'json',
      ],
      c.io,
    ),
    0,
  );
  const out = JSON.parse(c.text().stdout) as Out & {
    suppressed: Array<{ finding: { id: string }; reason: string }>;
  };
  assert.deepEqual(out.findings.map((f) => f.id).sort(), ['CVE-2024-22195', 'CVE-2024-9999']);
  assert.deepEqual(
    out.suppressed.map((s) => [s.finding.id, s.reason]),
    [['CVE-2024-0727', 'PKCS12 files never reach this service']],
  );
  // The expired entry no longer suppresses, and says so.
  assert.match(c.text().stderr, /warning: .*CVE-2024-9999.*2020-01-01/);
  const bad = capture();
  await writeFile(join(dir, 'bad.yaml'), 'ignore:\n  - id: CVE-2024-0727\n');
  assert.equal(await main(['scan', image, '--db', db, '--ignore-file', join(dir, 'bad.yaml')], bad.io), 2);
  assert.match(bad.text().stderr, /reason/);
});

test('an OpenVEX not_affected statement suppresses the finding it names', async () => {
  const vex = join(dir, 'vex.json');
  await writeFile(
    vex,
    JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.com/vex/1',
      author: 'Example Security',
      timestamp: '2024-02-01T00:00:00Z',
      version: 1,
      statements: [
        {
          vulnerability: { name: 'CVE-2024-22195' },
          products: [{ '@id': 'pkg:pypi/jinja2' }],
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
        },
      ],
    }),
  );
  const c = capture();
  assert.equal(await main(['scan', image, '--db', db, '--no-cache', '--vex', vex, '-f', 'json'], c.io), 0);
  const out = JSON.parse(c.text().stdout) as Out & {
    suppressed: Array<{ finding: { id: string }; source: string }>;
  };
  assert.ok(!out.findings.some((f) => f.id === 'CVE-2024-22195'));
  assert.equal(out.suppressed[0]?.finding.id, 'CVE-2024-22195');
  assert.match(out.suppressed[0]?.source ?? '', /^openvex:/);
});

test('SARIF and CycloneDX outputs validate against their schemas and carry every finding', async () => {
  // The crafted image runs as root without a HEALTHCHECK: the misconfig scanner says so in both.
  const sarif = capture();
  assert.equal(await main(['scan', image, '--db', db, '--no-cache', '-f', 'sarif'], sarif.io), 0);
  assertValidSarif(sarif.text().stdout);
  const results = (JSON.parse(sarif.text().stdout) as { runs: Array<{ results: Array<{ ruleId: string }> }> })
    .runs[0]?.results;
  assert.deepEqual(results?.map((r) => r.ruleId).sort(), [
    'CVE-2024-0727',
    'CVE-2024-22195',
    'CVE-2024-9999',
    'MI001',
    'MI002',
  ]);
  const cdx = capture();
  assert.equal(await main(['scan', image, '--db', db, '--no-cache', '-f', 'cyclonedx'], cdx.io), 0);
  await assertValidCycloneDx(cdx.text().stdout);
  const bom = JSON.parse(cdx.text().stdout) as { vulnerabilities: Array<{ id: string }> };
  assert.deepEqual(bom.vulnerabilities.map((v) => v.id).sort(), [
    'CVE-2024-0727',
    'CVE-2024-22195',
    'CVE-2024-9999',
    'MI001',
    'MI002',
  ]);
});

test('a plain directory is scanned as a root filesystem', async () => {
  const root = join(dir, 'rootfs');
  await mkdir(join(root, 'usr/lib'), { recursive: true });
  await mkdir(join(root, 'var/lib/dpkg'), { recursive: true });
  await writeFile(join(root, 'usr/lib/os-release'), 'ID=debian\nVERSION_ID="12"\n');
  await writeFile(join(root, 'var/lib/dpkg/status'), status);
  const c = capture();
  assert.equal(await main(['scan', root, '--db', db, '-f', 'json'], c.io), 0);
  assert.deepEqual((JSON.parse(c.text().stdout) as Out).findings.map((f) => f.id).sort(), [
    'CVE-2024-0727',
    'CVE-2024-9999',
  ]);
});

test('an SBOM file is scanned like the image it describes (CycloneDX and SPDX, bare path or sbom:)', async () => {
  const want = ['CVE-2024-0727', 'CVE-2024-22195', 'CVE-2024-9999'];
  for (const format of ['cyclonedx', 'spdx']) {
    const file = join(dir, `bom.${format}.json`);
    assert.equal(await main(['sbom', image, '--no-cache', '-f', format, '-o', file], capture().io), 0);
    for (const ref of [file, `sbom:${file}`]) {
      const c = capture();
      assert.equal(await main(['scan', ref, '--db', db, '-f', 'json'], c.io), 0, `${format} ${ref}`);
      const out = JSON.parse(c.text().stdout) as Out;
      assert.deepEqual(out.findings.map((f) => f.id).sort(), want, `${format} ${ref}`);
    }
  }
  const notBom = join(dir, 'not-a-bom.json');
  await writeFile(notBom, '{"hello": "world"}');
  const c = capture();
  assert.equal(await main(['scan', `sbom:${notBom}`, '--db', db], c.io), 2);
  assert.match(c.text().stderr, /CycloneDX|SPDX/);
});
