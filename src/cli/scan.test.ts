/**
 * `mamori scan` end to end: a real vulnerability DB (SQLite, imported with
 * the real importers from fixtures in the feeds' own formats) and an image
 * with Debian packages, an OS-owned Python library and a vendored copy.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
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
  assert.equal(await main(['scan', image, '--db', db, '--no-cache', '--fail-on', 'HIGH'], high.io), 1);
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
});

test('a missing database or a bad severity is a clear error with exit code 2', async () => {
  const c = capture();
  assert.equal(await main(['scan', image, '--db', join(dir, 'nope.db'), '--no-cache'], c.io), 2);
  assert.match(c.text().stderr, /mamori: error: .*nope\.db/);
  const s = capture();
  assert.equal(await main(['scan', image, '--db', db, '--fail-on', 'SEVERE'], s.io), 2);
  assert.match(s.text().stderr, /unknown severity "SEVERE"/);
});
