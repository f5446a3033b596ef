/**
 * The Debian image with an application layer that vendors its own copies of
 * libraries (Python site-packages, a Go binary, npm packages), scanned
 * against the real Go and PyPI vulnerability feeds: every vendored copy gets
 * exactly the findings the feed records justify — computed here by an
 * independent OSV evaluator (testdata/osv_oracle.py, Python's `packaging`)
 * — and the copies Debian's packages own get none from the language feeds.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Finding, Package } from '../core/index.js';
import { debianAppImage } from '../testing/index.js';
import { importFeed, openVulnDb } from '../vulndb/index.js';
import { scan, type ScanResult } from './index.js';

const SHARED = fileURLToPath(new URL('../vulndb/testdata/feeds/osv/', import.meta.url));
const TESTDATA = fileURLToPath(new URL('./testdata/', import.meta.url));
const FEEDS = [
  join(SHARED, 'Go.zip'),
  join(SHARED, 'PyPI.zip'),
  join(TESTDATA, 'osv-npm', 'GHSA-c2qf-rxjj-qqgw.json'),
];

const ECOSYSTEM: Partial<Record<Package['type'], string>> = { python: 'PyPI', 'go-module': 'Go', npm: 'npm' };

interface OracleHit {
  readonly id: string;
  readonly aliases: readonly string[];
  readonly fixed: string;
}

function oracle(
  queries: readonly { ecosystem: string; name: string; version: string }[],
): Promise<OracleHit[][]> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'python3',
      [join(TESTDATA, 'osv_oracle.py')],
      { maxBuffer: 64 * 1024 * 1024 },
      (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout) as OracleHit[][])),
    );
    child.stdin?.end(JSON.stringify({ feeds: FEEDS, queries }));
  });
}

let dir: string;
let result: ScanResult;

before(async () => {
  const image = await debianAppImage();
  dir = await mkdtemp(join(tmpdir(), 'mamori-vendored-'));
  const db = join(dir, 'vuln.db');
  const v = await openVulnDb(db);
  try {
    for (const f of FEEDS) await importFeed(v, f);
  } finally {
    v.close();
  }
  result = await scan(`oci:${image.layout}:${image.tag}`, { db, cacheDir: join(dir, 'cache') });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const key = (p: { purl: string; locations: readonly { path: string }[] }) =>
  `${p.purl} ${p.locations[0]?.path}`;

function findingsOf(pkg: Package): Finding[] {
  return result.findings.filter((f) => key(f.package) === key(pkg));
}

test('the image holds vendored copies in /app and Debian-owned copies of the same libraries', () => {
  const pkgs = result.inventory.packages;
  const at = (name: string, prefix: string) =>
    pkgs.filter((p) => p.name === name && p.locations[0]?.path.startsWith(prefix));
  // The same requests and urllib3 twice: Debian's, owned by its .deb, and the application's own.
  for (const name of ['requests', 'urllib3', 'idna', 'certifi']) {
    const [os] = at(name, '/usr/lib/python3/dist-packages/');
    const [app] = at(name, '/app/lib/python3.11/site-packages/');
    assert.ok(os?.ownedBy, `${name} in dist-packages is owned by a .deb`);
    assert.ok(app && !app.ownedBy, `${name} in /app is owned by no package`);
    assert.equal(os.version, app.version);
  }
  assert.ok(
    pkgs.some((p) => p.type === 'go-module' && p.ownedBy?.name === 'skopeo'),
    "skopeo's Go modules",
  );
  assert.ok(pkgs.some((p) => p.name === 'golang.org/x/net' && p.locations[0]?.path === '/app/bin/webapp'));
  assert.ok(pkgs.some((p) => p.name === 'semver' && p.type === 'npm' && !p.ownedBy));
});

test('every vendored copy gets exactly the findings its feed records justify', async () => {
  const vendored = result.inventory.packages.filter((p) => !p.ownedBy && ECOSYSTEM[p.type] !== undefined);
  assert.ok(vendored.length >= 10, `vendored packages: ${vendored.length}`);
  const expected = await oracle(
    vendored.map((p) => ({ ecosystem: ECOSYSTEM[p.type] as string, name: p.name, version: p.version })),
  );
  let total = 0;
  vendored.forEach((pkg, i) => {
    const want = expected[i] ?? [];
    const got = findingsOf(pkg);
    total += got.length;
    const label = `${pkg.name}@${pkg.version} at ${pkg.locations[0]?.path}`;
    // The records that matched, as mamori reports them, are the records the oracle finds.
    assert.deepEqual(
      got.flatMap((f) => f.match.advisories).sort(),
      want.map((h) => h.id).sort(),
      `${label}: matching records`,
    );
    // One finding per vulnerability: records naming each other by alias are merged.
    const ids = got.map((f) => f.id);
    assert.equal(new Set(ids).size, ids.length, `${label}: one finding per vulnerability`);
    for (const h of want) {
      const f = got.find((x) => x.match.advisories.includes(h.id));
      assert.ok(f, `${label}: ${h.id}`);
      for (const a of [h.id, ...h.aliases])
        assert.ok(a === f.id || f.aliases.includes(a), `${label}: alias ${a}`);
      // The fix advice is the fix closing the affecting span.
      if (h.fixed) assert.ok(f.fixedVersions.includes(h.fixed), `${label}: ${h.id} fixed in ${h.fixed}`);
      else assert.notEqual(f.status, 'fixed', `${label}: ${h.id} has no fix`);
      assert.equal(f.match.matcher, 'language');
    }
  });
  // The feeds do hold records for these versions: the comparison above is not vacuous.
  assert.ok(total >= 50, `findings on vendored copies: ${total}`);
  for (const name of ['urllib3', 'requests', 'golang.org/x/net', 'stdlib', 'semver']) {
    assert.ok(
      result.findings.some((f) => f.package.name === name),
      `${name} has findings`,
    );
  }
});

test('copies owned by Debian packages get no findings from the language feeds', () => {
  const owned = result.inventory.packages.filter((p) => p.ownedBy && ECOSYSTEM[p.type] !== undefined);
  assert.ok(owned.length >= 10, `owned language packages: ${owned.length}`);
  for (const pkg of owned) assert.deepEqual(findingsOf(pkg), [], `${pkg.name} at ${pkg.locations[0]?.path}`);
  // The database holds no Debian advisories, so no finding at all lies outside the application.
  for (const f of result.findings) {
    const path = f.package.locations[0]?.path ?? '';
    assert.ok(path.startsWith('/app/') || path === '/usr/local/bin/mamori-fixture', path);
  }
});
