import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { isMamoriError } from '../core/index.js';
import { SCHEMA_VERSION, defaultDbPath, importFeed, openVulnDb, packageKey } from './index.js';
import { tempDir } from './testing.js';

const testdata = (p: string) => fileURLToPath(new URL(`testdata/${p}`, import.meta.url));
let tmp: Awaited<ReturnType<typeof tempDir>>;
before(async () => {
  tmp = await tempDir('db');
});
after(() => tmp.cleanup());

test('a new database is created with its schema version and opens read-only afterwards', async () => {
  const path = join(tmp.dir, 'new', 'sub', 'vuln.db');
  const db = await openVulnDb(path);
  const s = db.status();
  assert.equal(s.schemaVersion, SCHEMA_VERSION);
  assert.equal(s.advisories, 0);
  assert.deepEqual(s.sources, []);
  assert.equal(s.updatedAt, undefined);
  db.close();
  const raw = new Database(path, { readonly: true });
  assert.equal(raw.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  assert.equal(raw.pragma('journal_mode', { simple: true }), 'delete');
  assert.equal(
    (raw.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string }).value,
    '1',
  );
  raw.close();
  const ro = await openVulnDb(path, { readonly: true });
  assert.equal(ro.readonly, true);
  assert.throws(
    () => ro.beginImport({ name: 'x', kind: 'osv-json', location: 'x', owned: false }),
    /read-only/,
  );
  ro.close();
});

test('files that are not a usable database are refused with a clear error', async () => {
  const missing = join(tmp.dir, 'missing.db');
  await assert.rejects(
    openVulnDb(missing, { readonly: true }),
    (e: unknown) =>
      isMamoriError(e, 'NOT_FOUND') && /no vulnerability database at .*mamori db update/.test(e.message),
  );

  const text = join(tmp.dir, 'text.db');
  await writeFile(
    text,
    'this is not sqlite at all, just some text that is long enough to look like a header',
  );
  await assert.rejects(
    openVulnDb(text),
    (e: unknown) => isMamoriError(e) && /not a usable vulnerability database/.test(e.message),
  );

  const other = join(tmp.dir, 'other.db');
  const o = new Database(other);
  o.exec('CREATE TABLE t (x)');
  o.close();
  await assert.rejects(
    openVulnDb(other),
    (e: unknown) => isMamoriError(e) && /not a mamori vulnerability database/.test(e.message),
  );

  const newer = join(tmp.dir, 'newer.db');
  (await openVulnDb(newer)).close();
  const n = new Database(newer);
  n.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  n.close();
  for (const readonly of [true, false]) {
    await assert.rejects(
      openVulnDb(newer, { readonly }),
      (e: unknown) =>
        isMamoriError(e, 'INVALID_ARGUMENT') && /schema version 2, written by a newer mamori/.test(e.message),
    );
  }
});

test('lookups use the ecosystem exactly and names per ecosystem', async () => {
  const db = await openVulnDb(join(tmp.dir, 'lookup.db'));
  await importFeed(db, testdata('osv'));
  await importFeed(db, testdata('alpine/v3.9-main.json'));
  // PEP 503: any case, runs of - _ . are one.
  for (const name of ['jw.util', 'JW_Util', 'jw--util']) {
    assert.deepEqual(
      db.advisoriesFor('PyPI', name).map((a) => a.id),
      ['PYSEC-2020-341'],
      name,
    );
  }
  // Go module paths are exact.
  assert.equal(db.advisoriesFor('Go', 'github.com/gin-gonic/gin').length, 1);
  assert.equal(db.advisoriesFor('Go', 'github.com/Gin-Gonic/gin').length, 0);
  // Ecosystems are compared exactly as OSV spells them.
  assert.ok(db.advisoriesFor('Alpine:v3.9', 'openssl').length > 0);
  assert.equal(db.advisoriesFor('Alpine:v3.8', 'openssl').length, 0);
  assert.equal(db.advisoriesFor('alpine:v3.9', 'openssl').length, 0);
  // Withdrawn records are left out unless asked for.
  assert.deepEqual(db.advisoriesFor('PyPI', 'aiohttp'), []);
  assert.deepEqual(
    db.advisoriesFor('PyPI', 'aiohttp', { includeWithdrawn: true }).map((a) => a.id),
    ['PYSEC-2022-43059'],
  );
  assert.deepEqual(
    db.advisoriesById('GO-2020-0001').map((a) => a.source),
    ['osv'],
  );
  // The batched lookup answers exactly as one lookup per name does.
  const cases: [string, string[]][] = [
    ['PyPI', ['jw.util', 'JW_Util', 'aiohttp', 'no-such-package', 'jw.util']],
    ['Go', ['github.com/gin-gonic/gin', 'github.com/Gin-Gonic/gin']],
    ['Alpine:v3.9', ['openssl', 'musl', 'busybox', 'nothing-here']],
  ];
  for (const [eco, names] of cases) {
    for (const includeWithdrawn of [false, true]) {
      const many = db.advisoriesForMany(eco, names, { includeWithdrawn });
      for (const n of names) {
        const one = db.advisoriesFor(eco, n, { includeWithdrawn });
        assert.deepEqual(many.get(n) ?? [], one, `${eco} ${n}`);
      }
    }
  }
  const big = Array.from({ length: 4500 }, (_, i) => `pkg-${i}`).concat('openssl');
  assert.deepEqual([...db.advisoriesForMany('Alpine:v3.9', big).keys()], ['openssl']);
  db.close();
});

test('package keys and the default path', () => {
  assert.equal(packageKey('PyPI', 'Foo.Bar_baz'), 'foo-bar-baz');
  assert.equal(packageKey('NuGet', 'Newtonsoft.Json'), 'newtonsoft.json');
  assert.equal(packageKey('Maven', 'org.Apache:Commons'), 'org.Apache:Commons');
  assert.equal(packageKey('Debian:12', 'openssl'), 'openssl');
  assert.equal(defaultDbPath({ MAMORI_DB: '/x/v.db' }, '/home/u'), '/x/v.db');
  assert.equal(defaultDbPath({ XDG_DATA_HOME: '/data' }, '/home/u'), '/data/mamori/vuln.db');
  assert.equal(
    defaultDbPath({ XDG_DATA_HOME: 'relative' }, '/home/u'),
    '/home/u/.local/share/mamori/vuln.db',
  );
  assert.equal(defaultDbPath({}, '/home/u'), '/home/u/.local/share/mamori/vuln.db');
});

test('a second import waits for the first, then fails clearly; readers still see the old data', async () => {
  const path = join(tmp.dir, 'locked.db');
  const a = await openVulnDb(path);
  await importFeed(a, testdata('osv'));
  const session = a.beginImport({ name: 'osv:held', kind: 'osv-json', location: 'x', owned: false });
  const b = await openVulnDb(path, { busyTimeoutMs: 100 });
  assert.throws(
    () => b.beginImport({ name: 'osv:other', kind: 'osv-json', location: 'y', owned: false }),
    (e: unknown) => isMamoriError(e, 'IO') && /locked by another import/.test(e.message),
  );
  assert.throws(
    () => a.beginImport({ name: 'osv:again', kind: 'osv-json', location: 'z', owned: false }),
    /another import is running/,
  );
  const reader = await openVulnDb(path, { readonly: true, busyTimeoutMs: 100 });
  assert.equal(reader.status().advisories, 5);
  session.rollback();
  const r = await importFeed(b, testdata('osv/GO-2020-0001.json'));
  assert.equal(r.unchanged, 1);
  for (const db of [a, b, reader]) db.close();
});
