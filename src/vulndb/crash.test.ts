import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { importFeed, openVulnDb } from './index.js';
import { tempDir, writeGeneratedZip } from './testing.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const index = fileURLToPath(new URL('index.ts', import.meta.url));
const testdata = fileURLToPath(new URL('testdata/osv', import.meta.url));
let tmp: Awaited<ReturnType<typeof tempDir>>;
before(async () => {
  tmp = await tempDir('crash');
});
after(() => tmp.cleanup());

/** Runs an import in a child process and kills it with SIGKILL once it is well under way. */
async function killMidImport(
  dbPath: string,
  zip: string,
): Promise<{ signal: string | null; journalSeen: boolean }> {
  const script = join(tmp.dir, 'child.mts');
  await writeFile(
    script,
    `import { importFeed, openVulnDb } from ${JSON.stringify(index)};
const db = await openVulnDb(process.argv[2], { cacheKiB: 256 });
await importFeed(db, process.argv[3], {
  onProgress: (n) => { if (n === 10000) process.stdout.write('midway\\n'); },
});
process.stdout.write('finished\\n');
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script, dbPath, zip], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let journalSeen = false;
  let out = '';
  const exited = new Promise<string | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('midway')) {
        // A hot journal beside a database file that the import has already written to.
        stat(`${dbPath}-journal`)
          .then((st) => (journalSeen = st.size > 0))
          .catch(() => undefined)
          .finally(() => {
            child.kill('SIGKILL');
            resolve();
          });
      }
    });
    child.on('exit', () =>
      out.includes('midway') ? undefined : reject(new Error(`child ended early: ${out}`)),
    );
  });
  return { signal: await exited, journalSeen };
}

test('an import killed mid-way leaves the previous database fully usable', async () => {
  const dbPath = join(tmp.dir, 'vuln.db');
  const db = await openVulnDb(dbPath);
  await importFeed(db, testdata);
  const before = db.status();
  db.close();
  const sizeBefore = (await stat(dbPath)).size;

  const zip = join(tmp.dir, 'big.zip');
  await writeGeneratedZip(zip, 25_000);
  const { signal, journalSeen } = await killMidImport(dbPath, zip);
  assert.equal(signal, 'SIGKILL');
  assert.ok(journalSeen, 'the import was inside its transaction when it was killed');
  assert.ok(
    (await stat(dbPath)).size > sizeBefore,
    'the killed import had already written pages to the file',
  );

  // A read-only open (a scanner) rolls the hot journal back and sees the old data.
  const ro = await openVulnDb(dbPath, { readonly: true });
  const after = ro.status();
  assert.equal(after.advisories, before.advisories);
  assert.deepEqual(
    after.sources.map((s) => s.name),
    before.sources.map((s) => s.name),
  );
  assert.equal(ro.advisoriesFor('Go', 'github.com/gin-gonic/gin')[0]?.id, 'GO-2020-0001');
  ro.close();

  // And the next import completes normally.
  const small = join(tmp.dir, 'small.zip');
  await writeGeneratedZip(small, 100);
  const rw = await openVulnDb(dbPath);
  const r = await importFeed(rw, small, { name: 'osv:generated' });
  assert.equal(r.added, 100);
  assert.equal(rw.status().advisories, before.advisories + 100);
  rw.close();
});
