import { selfSignedCert } from '../image/registry/testing.js';
import assert from 'node:assert/strict';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openVulnDb } from '../vulndb/index.js';
import { tempDir, writeZip } from '../vulndb/testing.js';
import { main } from './main.js';
import { capture } from './testing.js';

const testdata = (p: string) => fileURLToPath(new URL(`../vulndb/testdata/${p}`, import.meta.url));
let tmp: Awaited<ReturnType<typeof tempDir>>;
before(async () => {
  tmp = await tempDir('cli-db');
});
after(() => tmp.cleanup());

/** Runs `mamori ARGS` through main(), recording what it writes. */
async function mamori(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const c = capture();
  const code = await main(args, c.io);
  return { code, ...c.text() };
}

test('db import reads every kind of feed and reports each', async () => {
  const db = join(tmp.dir, 'import.db');
  const r = await mamori(
    'db',
    'import',
    '--db',
    db,
    testdata('osv'),
    testdata('alpine/v3.9-main.json'),
    testdata('debian/tracker.json'),
  );
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 3);
  assert.match(
    lines[0] ?? '',
    /^osv-dir:.*testdata\/osv: 5 records \(5 added, 0 updated, 0 unchanged\) in \d+\.\d s$/,
  );
  assert.match(lines[1] ?? '', /^alpine-secdb:v3\.9-main: \d+ records \(\d+ added/);
  assert.match(lines[2] ?? '', /^debian-tracker: 3 records \(3 added, 0 updated, 0 unchanged, 3 invalid\)/);
  assert.match(r.stderr, /warning: debian-tracker: 3 malformed records skipped, e\.g\.\n {2}/);

  const again = await mamori('db', 'import', '--db', db, '--json', '-q', testdata('osv'));
  assert.equal(again.code, 0);
  assert.equal(again.stderr, '');
  const reports = JSON.parse(again.stdout) as Array<{ unchanged: number; kind: string }>;
  assert.deepEqual(
    reports.map((x) => [x.kind, x.unchanged]),
    [['osv-dir', 5]],
  );
});

test('db status shows sources, ecosystems and age, and warns when stale', async () => {
  const db = join(tmp.dir, 'status.db');
  assert.equal(
    (await mamori('db', 'import', '--db', db, testdata('osv'), testdata('debian/tracker.json'))).code,
    0,
  );
  const s = await mamori('db', 'status', '--db', db);
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stdout, /^database {4}.*status\.db \(schema 1, \d+\.\d MiB\)$/m);
  assert.match(s.stdout, /^advisories {2}8 \(2 withdrawn\)$/m);
  assert.match(s.stdout, /^updated {5}\d{4}-\d\d-\d\dT.*\(\d+ minutes ago\)$/m);
  assert.match(s.stdout, /^debian-tracker +debian-tracker +3 +3 /m);
  assert.match(s.stdout, /^Debian:12 +2 +3$/m);
  assert.match(s.stdout, /^PyPI +2 +2$/m);
  assert.equal(s.stderr, '');

  const old = join(tmp.dir, 'old.db');
  await copyFile(db, old);
  const raw = new Database(old);
  raw.prepare("UPDATE source SET checked_at = '2020-01-01T00:00:00.000Z'").run();
  raw.close();
  const stale = await mamori('db', 'status', '--db', old, '--max-age', '30');
  assert.equal(stale.code, 0);
  assert.match(
    stale.stderr,
    /^mamori: warning: the vulnerability database was last updated \d+ days ago; run "mamori db update"\n$/,
  );
  assert.match(stale.stdout, /^updated {5}2020-01-01T00:00:00\.000Z \(\d+ days ago\)$/m);
  const emptyDb = join(tmp.dir, 'empty.db');
  (await openVulnDb(emptyDb)).close();
  const empty = await mamori('db', 'status', '--db', emptyDb);
  assert.equal(empty.code, 0);
  assert.match(empty.stdout, /^updated {5}never$/m);
  assert.match(
    empty.stderr,
    /warning: the vulnerability database is empty; run "mamori db update" or "mamori db import"/,
  );
  const json = await mamori('db', 'status', '--db', db, '--json');
  const parsed = JSON.parse(json.stdout) as { stale: boolean; advisories: number; sources: unknown[] };
  assert.deepEqual([parsed.stale, parsed.advisories, parsed.sources.length], [false, 8, 2]);
});

test('errors are one clear line with exit code 2', async () => {
  const missing = await mamori('db', 'status', '--db', join(tmp.dir, 'nope.db'));
  assert.equal(missing.code, 2);
  assert.match(
    missing.stderr,
    /^mamori: error: no vulnerability database at .*nope\.db; run "mamori db update" or "mamori db import FILE" first\n$/,
  );

  const badZip = join(tmp.dir, 'bad.zip');
  await writeFile(badZip, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(64)]));
  const corrupt = await mamori('db', 'import', '--db', join(tmp.dir, 'e.db'), badZip);
  assert.equal(corrupt.code, 2);
  assert.match(
    corrupt.stderr,
    /^mamori: error: .*bad\.zip: not a readable OSV zip .*the database was not changed\n/,
  );

  const newer = join(tmp.dir, 'newer.db');
  assert.equal((await mamori('db', 'import', '--db', newer, testdata('osv'))).code, 0);
  const raw = new Database(newer);
  raw.pragma('user_version = 99');
  raw.close();
  const refused = await mamori('db', 'status', '--db', newer);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /schema version 99, written by a newer mamori/);

  const args = await mamori('db', 'update', '--db', join(tmp.dir, 'e.db'), '--timeout', 'soon');
  assert.equal(args.code, 2);
  assert.match(args.stderr, /expected a positive number, got "soon"/);
  const ca = await mamori(
    'db',
    'update',
    '--db',
    join(tmp.dir, 'e.db'),
    '--ca-file',
    join(tmp.dir, 'no.pem'),
  );
  assert.equal(ca.code, 2);
  assert.match(ca.stderr, /^mamori: error: --ca-file .*no\.pem: ENOENT/);
  for (const r of [missing, corrupt, refused, ca]) {
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('db update fetches from a mirror, and says what to do when offline', async () => {
  const key = join(tmp.dir, 'key.pem');
  const cert = join(tmp.dir, 'cert.pem');
  await selfSignedCert(key, cert, '127.0.0.1', ['IP:127.0.0.1']);
  const zipPath = join(tmp.dir, 'Go.zip');
  await writeZip(zipPath, [['GO-2020-0001.json', await readFile(testdata('osv/GO-2020-0001.json'))]]);
  const zip = await readFile(zipPath);
  const server = createServer({ key: await readFile(key), cert: await readFile(cert) }, (req, res) => {
    if (req.url !== '/osv/Go/all.zip') res.writeHead(404).end();
    else if (req.headers['if-none-match'] === '"z1"') res.writeHead(304).end();
    else res.writeHead(200, { etag: '"z1"', 'content-length': zip.length }).end(zip);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const db = join(tmp.dir, 'update.db');
  try {
    const mirror = `https://127.0.0.1:${port}/osv`;
    const first = await mamori(
      'db',
      'update',
      '--db',
      db,
      '--mirror',
      mirror,
      '--ecosystems',
      'Go',
      '--ca-file',
      cert,
    );
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stdout,
      /^Go: downloaded 0\.0 MiB; osv:Go: 1 records \(1 added, 0 updated, 0 unchanged\)/,
    );
    const second = await mamori(
      'db',
      'update',
      '--db',
      db,
      '--mirror',
      mirror,
      '--ecosystems',
      'Go',
      '--ca-file',
      cert,
    );
    assert.equal(second.stdout, 'Go: up to date\n');
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  // The same port, now closed: offline.
  const offline = await mamori(
    'db',
    'update',
    '--db',
    db,
    '--mirror',
    `https://127.0.0.1:${port}/osv`,
    '--ecosystems',
    'Go,PyPI',
  );
  assert.equal(offline.code, 2);
  const lines = offline.stderr.trim().split('\n');
  assert.equal(lines.length, 1, offline.stderr);
  assert.match(
    lines[0] ?? '',
    new RegExp(
      `^mamori: error: Go: cannot reach https://127\\.0\\.0\\.1:${port}/osv/Go/all\\.zip \\(ECONNREFUSED\\): offline\\? Point --mirror at .*"mamori db import FILE"`,
    ),
  );
});

test('help explains each command with examples', async () => {
  const top = await mamori('db', '--help');
  assert.equal(top.code, 0);
  assert.match(top.stdout, /import \[options\] <path\.\.\.>/);
  assert.match(top.stdout, /update \[options\]/);
  assert.match(top.stdout, /status \[options\]/);
  for (const sub of ['import', 'update', 'status']) {
    const h = await mamori('db', sub, '--help');
    assert.equal(h.code, 0);
    assert.match(h.stdout, /--db <path>/);
    assert.match(h.stdout, /XDG_DATA_HOME\/mamori\/vuln\.db/);
    assert.match(h.stdout, new RegExp(`Examples:\\n {2}mamori db ${sub}`));
  }
  const bad = await mamori('db', 'import');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /missing required argument 'path'/);
});
