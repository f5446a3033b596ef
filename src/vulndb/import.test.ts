import assert from 'node:assert/strict';
import { copyFile, readFile, readdir, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { isMamoriError } from '../core/index.js';
import { type VulnDb, importFeed, openVulnDb } from './index.js';
import { generatedId, generatedRecord, sharedData, tempDir, writeGeneratedZip, writeZip } from './testing.js';

const testdata = (p: string) => fileURLToPath(new URL(`testdata/${p}`, import.meta.url));
let tmp: Awaited<ReturnType<typeof tempDir>>;
let n = 0;
const fresh = () => openVulnDb(join(tmp.dir, `db-${n++}.db`));
before(async () => {
  tmp = await tempDir('import');
});
after(() => tmp.cleanup());

async function osvFiles(): Promise<Array<[string, string]>> {
  const names = (await readdir(testdata('osv'))).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    names.map(async (f) => [f, await readFile(testdata(`osv/${f}`), 'utf8')] as [string, string]),
  );
}

function snapshot(db: VulnDb) {
  const s = db.status();
  return { advisories: s.advisories, sources: s.sources.map((x) => [x.name, x.records, x.importedAt]) };
}

test('an OSV zip, a directory and a single record give the same advisories', async () => {
  const zip = join(tmp.dir, 'Go.zip');
  await writeZip(zip, await osvFiles());
  const a = await fresh();
  const r = await importFeed(a, zip);
  assert.equal(r.source, 'osv:Go');
  assert.equal(r.kind, 'osv-zip');
  assert.deepEqual([r.records, r.added, r.invalid], [5, 5, 0]);
  const b = await fresh();
  const rd = await importFeed(b, testdata('osv'));
  assert.equal(rd.kind, 'osv-dir');
  assert.equal(rd.added, 5);
  const c = await fresh();
  const rj = await importFeed(c, testdata('osv/GO-2020-0032.json'));
  assert.equal(rj.kind, 'osv-json');
  assert.equal(rj.added, 1);
  for (const db of [a, b, c]) {
    const got = db.advisoriesById('GO-2020-0032');
    assert.equal(got.length, 1);
    assert.ok((got[0]?.affected.length ?? 0) >= 3);
  }
  assert.deepEqual(a.advisoriesById('GO-2020-0032'), c.advisoriesById('GO-2020-0032'));
  for (const db of [a, b, c]) db.close();
});

test('importing again changes nothing; newer records replace, older ones do not', async () => {
  const db = await fresh();
  const zip = (name: string) => join(tmp.dir, name);
  await writeZip(zip('v1.zip'), await osvFiles());
  await importFeed(db, zip('v1.zip'), { name: 'osv:test' });
  const again = await importFeed(db, zip('v1.zip'), { name: 'osv:test' });
  assert.deepEqual([again.added, again.updated, again.unchanged], [0, 0, 5]);

  const rec = JSON.parse(await readFile(testdata('osv/GO-2020-0001.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const newer = { ...rec, modified: '2030-01-01T00:00:00Z', summary: 'newer text' };
  const older = { ...rec, modified: '0001-01-01T00:00:00Z', summary: 'older text' };
  await writeZip(zip('v2.zip'), [['GO-2020-0001.json', JSON.stringify(newer)]]);
  const up = await importFeed(db, zip('v2.zip'), { name: 'osv:test' });
  assert.deepEqual([up.updated, up.added], [1, 0]);
  assert.equal(db.advisoriesById('GO-2020-0001')[0]?.summary, 'newer text');
  await writeZip(zip('v0.zip'), [['GO-2020-0001.json', JSON.stringify(older)]]);
  const down = await importFeed(db, zip('v0.zip'), { name: 'osv:test' });
  assert.deepEqual([down.older, down.updated], [1, 0]);
  assert.equal(db.advisoriesById('GO-2020-0001')[0]?.summary, 'newer text');
  // The lookup index follows an update: the package moved.
  const moved = {
    ...newer,
    modified: '2031-01-01T00:00:00Z',
    affected: [{ package: { ecosystem: 'Go', name: 'example.com/moved' } }],
  };
  await writeZip(zip('v3.zip'), [['GO-2020-0001.json', JSON.stringify(moved)]]);
  await importFeed(db, zip('v3.zip'), { name: 'osv:test' });
  assert.equal(db.advisoriesFor('Go', 'github.com/gin-gonic/gin').length, 0);
  assert.equal(db.advisoriesFor('Go', 'example.com/moved')[0]?.id, 'GO-2020-0001');
  db.close();
});

test('malformed records are skipped and counted; the rest are imported', async () => {
  const zip = join(tmp.dir, 'bad-records.zip');
  await writeZip(zip, [
    ...(await osvFiles()),
    ['syntax.json', '{"id": "BAD-1", '],
    ['noid.json', '{"modified": "2024-01-01T00:00:00Z"}'],
    [
      'range.json',
      JSON.stringify({
        id: 'BAD-2',
        modified: '2024-01-01T00:00:00Z',
        affected: [{ package: { ecosystem: 'Go', name: 'x' }, ranges: [{ type: 'NOPE', events: [] }] }],
      }),
    ],
    ['array.json', '[1,2,3]'],
    ['README.md', 'not a record, not counted'],
    ['dir/', ''],
  ]);
  const db = await fresh();
  const r = await importFeed(db, zip);
  assert.deepEqual([r.records, r.invalid], [5, 4]);
  assert.equal(r.problems.length, 4);
  assert.ok(
    r.problems.some((p) => /^syntax\.json: not valid JSON/.test(p)),
    r.problems.join('\n'),
  );
  assert.ok(
    r.problems.some((p) => /^range\.json: BAD-2: affected\[0\]\.ranges\[0\]\.type/.test(p)),
    r.problems.join('\n'),
  );
  assert.equal(db.source('osv:bad-records')?.invalid, 4);
  assert.equal(db.status().advisories, 5);
  db.close();
});

test('a corrupt or truncated zip is a clear error and leaves the database as it was', async () => {
  const db = await fresh();
  await importFeed(db, testdata('osv'));
  const before = snapshot(db);
  const good = join(tmp.dir, 'good.zip');
  await writeGeneratedZip(good, 300);

  const truncated = join(tmp.dir, 'truncated.zip');
  await copyFile(good, truncated);
  await truncate(truncated, (await stat(good)).size - 1000);

  // Damage the data of an entry in the middle: the CRC or deflate check catches it mid-import.
  const damaged = join(tmp.dir, 'damaged.zip');
  const bytes = await readFile(good);
  bytes.fill(0x55, Math.floor(bytes.length / 2), Math.floor(bytes.length / 2) + 64);
  await writeFile(damaged, bytes);

  const notzip = join(tmp.dir, 'notzip.zip');
  await writeFile(notzip, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(100, 7)]));

  for (const f of [truncated, damaged, notzip]) {
    await assert.rejects(
      importFeed(db, f),
      (e: unknown) =>
        isMamoriError(e, 'INVALID_ARGUMENT') &&
        /not a readable OSV zip \(zip: .*\); the database was not changed/.test(e.message),
    );
    assert.deepEqual(snapshot(db), before, f);
  }
  // The database is still usable for writing after a failed import.
  const ok = await importFeed(db, good);
  assert.equal(ok.added, 300);
  db.close();
});

test('Alpine secdb files become Alpine:<release> records with fixed versions', async () => {
  const db = await fresh();
  const r9 = await importFeed(db, testdata('alpine/v3.9-main.json'));
  assert.equal(r9.source, 'alpine-secdb:v3.9-main');
  assert.equal(r9.invalid, 0, r9.problems.join('\n'));
  // "CVE 2018-16859" (a typo in the feed) is still CVE-2018-16859.
  const ansible = db.advisoriesFor('Alpine:v3.9', 'ansible').map((a) => a.id);
  assert.ok(ansible.includes('CVE-2018-16859'), ansible.join(' '));
  // "CVE-2017-17434-1" and "-2" are one CVE.
  const rsync = db.advisoriesFor('Alpine:v3.9', 'rsync');
  assert.deepEqual(
    rsync.map((a) => a.id),
    ['CVE-2017-16548', 'CVE-2017-17433', 'CVE-2017-17434'],
  );
  assert.deepEqual(rsync[2]?.affected[0]?.ranges[0]?.events, [{ introduced: '0' }, { fixed: '3.1.2-r7' }]);
  // Several names in one entry: the first is the id, the others aliases.
  const sdl = db.advisoriesFor('Alpine:v3.9', 'sdl2_image').find((a) => a.id === 'CVE-2019-5060');
  assert.deepEqual(sdl?.aliases, ['TALOS-2019-0844']);
  assert.deepEqual(sdl?.affected[0]?.ranges[0]?.events[0], { introduced: '0' });
  assert.equal(sdl?.affected[0]?.ranges[0]?.type, 'ECOSYSTEM');
  assert.equal(sdl?.source, 'alpine-secdb:v3.9-main');

  // A fix of "0" means never affected: no record.
  const r8 = await importFeed(db, testdata('alpine/v3.8-main.json'));
  assert.equal(r8.invalid, 0);
  assert.deepEqual(db.advisoriesFor('Alpine:v3.8', 'db'), []);
  const openssl = db.advisoriesFor('Alpine:v3.8', 'openssl');
  assert.ok(openssl.length > 5);
  // A version listed without ids (null) is not an error.
  const r6 = await importFeed(db, testdata('alpine/v3.6-main.json'));
  assert.deepEqual([r6.records, r6.invalid], [2, 0]);

  // Importing a cut-down file removes what the feed no longer lists.
  const doc = JSON.parse(await readFile(testdata('alpine/v3.9-main.json'), 'utf8')) as {
    packages: unknown[];
  };
  doc.packages = doc.packages.slice(0, 1);
  const cut = join(tmp.dir, 'v3.9-cut.json');
  await writeFile(cut, JSON.stringify(doc));
  const rc = await importFeed(db, cut);
  assert.ok(rc.removed > 0);
  assert.deepEqual(db.advisoriesFor('Alpine:v3.9', 'rsync'), []);
  assert.ok(db.advisoriesFor('Alpine:v3.8', 'openssl').length > 5, 'other releases untouched');
  db.close();
});

test('the Debian tracker JSON becomes Debian:<release> records by source package', async () => {
  const db = await fresh();
  const r = await importFeed(db, testdata('debian/tracker.json'));
  assert.equal(r.source, 'debian-tracker');
  assert.equal(r.records, 3, JSON.stringify(r));
  assert.equal(r.invalid, 3, r.problems.join('\n'));
  assert.ok(r.problems.some((p) => /"Bad Package": not a Debian source package name/.test(p)));
  assert.ok(r.problems.some((p) => /libxml2 "not an id": not an issue/.test(p)));
  assert.ok(
    r.problems.some((p) => /CVE-2023-0001: bookworm: resolved without a valid fixed_version/.test(p)),
  );

  const [fixed] = db.advisoriesFor('Debian:12', 'openssl').filter((a) => a.id === 'CVE-2024-0727');
  assert.ok(fixed);
  assert.equal(fixed.summary, 'PKCS12 Decoding crashes');
  assert.deepEqual(
    fixed.affected.map((a) => [a.ecosystem, a.ranges[0]?.events]),
    [
      ['Debian:12', [{ introduced: '0' }, { fixed: '3.0.13-1~deb12u1' }]],
      ['Debian:11', [{ introduced: '0' }, { fixed: '1.1.1w-0+deb11u2' }]],
      ['Debian:unstable', [{ introduced: '0' }, { fixed: '3.1.5-1' }]],
      ['Debian:13', [{ introduced: '0' }, { fixed: '3.1.5-1' }]],
    ],
  );
  assert.deepEqual(fixed.databaseSpecific, { scope: 'remote', debianbug: 1061582 });
  assert.ok(fixed.references.some((x) => x.url === 'https://bugs.debian.org/1061582'));

  const [open] = db.advisoriesFor('Debian:12', 'openssl').filter((a) => a.id === 'CVE-2024-2511');
  assert.ok(open);
  // Unfixed in bookworm; never affected in bullseye (no entry); undetermined in trixie.
  const byEco = new Map(open.affected.map((a) => [a.ecosystem, a]));
  assert.deepEqual(byEco.get('Debian:12')?.ranges[0]?.events, [{ introduced: '0' }]);
  assert.equal(byEco.get('Debian:12')?.databaseSpecific?.nodsaReason, 'postponed');
  assert.equal(byEco.get('Debian:11'), undefined);
  assert.equal(byEco.get('Debian:13')?.databaseSpecific?.undetermined, true);
  assert.deepEqual(byEco.get('Debian:13')?.severities, [{ type: 'Debian', score: 'medium**' }]);
  assert.deepEqual(open.severities, [{ type: 'Debian', score: 'high' }]);
  assert.deepEqual(
    db.advisoriesFor('Debian:11', 'openssl').map((a) => a.id),
    ['CVE-2024-0727'],
  );

  // Only "0" everywhere: no record. Unknown release names are ignored; wheezy is Debian:7.
  assert.deepEqual(db.advisoriesById('TEMP-0000000-1A2B3C'), []);
  const [xml] = db.advisoriesById('CVE-2023-45322');
  assert.deepEqual(
    xml?.affected.map((a) => a.ecosystem),
    ['Debian:12', 'Debian:10', 'Debian:7'],
  );

  // gzip is read too, and a second import of the same data changes nothing.
  const gz = join(tmp.dir, 'tracker.json.gz');
  await writeFile(gz, gzipSync(await readFile(testdata('debian/tracker.json'))));
  const again = await importFeed(db, gz);
  assert.deepEqual([again.unchanged, again.added, again.removed], [3, 0, 0]);
  db.close();
});

test('a truncated or corrupt JSON feed leaves the database as it was', async () => {
  const db = await fresh();
  await importFeed(db, testdata('debian/tracker.json'));
  const before = snapshot(db);
  const text = await readFile(testdata('debian/tracker.json'));
  const cut = join(tmp.dir, 'cut.json');
  await writeFile(cut, text.subarray(0, text.length - 40));
  await assert.rejects(importFeed(db, cut), (e: unknown) => isMamoriError(e) && /truncated/.test(e.message));
  const badgz = join(tmp.dir, 'bad.json.gz');
  const gz = gzipSync(text);
  gz.fill(0, 40, 80);
  await writeFile(badgz, gz);
  await assert.rejects(
    importFeed(db, badgz),
    (e: unknown) => isMamoriError(e) && /was not changed/.test(e.message),
  );
  assert.deepEqual(snapshot(db), before);
  db.close();
});

test('generated records round-trip through a zip', async () => {
  const zip = join(tmp.dir, 'gen.zip');
  await writeGeneratedZip(zip, 5_000);
  const db = await fresh();
  const r = await importFeed(db, zip, { name: 'osv:generated' });
  assert.deepEqual([r.records, r.invalid], [5_000, 0]);
  const rec = JSON.parse(generatedRecord(4_999)) as {
    affected: Array<{ package: { ecosystem: string; name: string } }>;
  };
  const pkg = rec.affected[0]?.package;
  assert.ok(pkg);
  assert.ok(db.advisoriesFor(pkg.ecosystem, pkg.name).some((a) => a.id === generatedId(4_999)));
  db.close();
});

test('the real feeds import completely', async (t) => {
  const data = sharedData();
  if (!data) {
    t.skip('the shared feeds (../shared/data/osv, alpine-secdb) are not beside this checkout');
    return;
  }
  const db = await fresh();
  const go = await importFeed(db, join(data, 'osv/Go.zip'));
  assert.deepEqual([go.records, go.invalid], [4291, 0], go.problems.join('\n'));
  const py = await importFeed(db, join(data, 'osv/PyPI.zip'));
  assert.deepEqual([py.records, py.invalid], [2661, 0], py.problems.join('\n'));
  let alpine = 0;
  for (const f of (await readdir(join(data, 'alpine-secdb'))).sort()) {
    const r = await importFeed(db, join(data, 'alpine-secdb', f));
    alpine += r.records;
    assert.equal(r.invalid, 0, `${f}: ${r.problems.join('\n')}`);
  }
  assert.ok(alpine > 10_000, String(alpine));
  assert.ok(db.advisoriesFor('Go', 'stdlib').length > 100);
  assert.ok(db.advisoriesFor('PyPI', 'django').length > 50);
  assert.ok(db.advisoriesFor('Alpine:v3.11', 'openssl').length > 3);
  db.close();
});
