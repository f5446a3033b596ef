/**
 * Crash safety on SQLite: a child process pushing manifests in a loop is
 * SIGKILLed at a random moment (most of its time is spent inside manifest
 * transactions), several times over the same file; after each kill the
 * store reopens and every manifest has all its rows or none.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openStateStore } from './index.js';

const writer = fileURLToPath(new URL('./testdata/writer.ts', import.meta.url));
const root = await mkdtemp(join(tmpdir(), 'mamori-state-crash-'));
after(() => rm(root, { recursive: true, force: true }));

/** Runs the loop writer until it has reported `commits` commits, then SIGKILLs it; returns the commits seen. */
function runAndKill(path: string, start: number, commits: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, 'loop', path, String(start)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const seen: number[] = [];
    let buf = '';
    let err = '';
    let killed = false;
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) !== -1) {
        const m = /^committed (\d+)$/.exec(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        if (m) seen.push(Number(m[1]));
      }
      if (!killed && seen.length >= commits) {
        killed = true;
        // A further random delay, so the kill lands anywhere in the next transactions.
        setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 20));
      }
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL') resolve(seen);
      else reject(new Error(`writer exited by itself (${String(_code)}): ${err}`));
    });
  });
}

it('survives SIGKILL mid-transaction: each manifest has all its rows or none', async () => {
  const path = join(root, 'state.db');
  const committed = new Set<number>();
  let next = 0;
  for (let round = 0; round < 4; round++) {
    const seen = await runAndKill(path, next, 3 + Math.floor(Math.random() * 10));
    for (const i of seen) committed.add(i);
    next = Math.max(next, ...seen) + 100; // fresh names: the last one may have been cut

    const s = await openStateStore({ kind: 'sqlite', path });
    try {
      assert.deepEqual(s.migrated, []);
      for (const i of committed) {
        const tag = await s.resolveTag('p/crash', `tag-c${i}`);
        assert.ok(tag, `committed manifest c${i} has its tag`);
        assert.equal((await s.manifestBlobs('p/crash', tag.digest)).length, 201);
      }
    } finally {
      await s.close();
    }
    const db = new Database(path, { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      assert.deepEqual(db.pragma('foreign_key_check'), []);
      const perManifest = db
        .prepare(
          `select m.digest, (select count(*) from manifest_blobs b where b.repository_id = m.repository_id and b.manifest_digest = m.digest) as blobs,
                  (select count(*) from tags t where t.repository_id = m.repository_id and t.manifest_digest = m.digest) as tags
           from manifests m`,
        )
        .all() as { digest: string; blobs: number; tags: number }[];
      assert.ok(perManifest.length >= committed.size);
      for (const m of perManifest)
        assert.deepEqual([m.blobs, m.tags], [201, 1], `manifest ${m.digest} is whole`);
      const orphans = db
        .prepare(
          `select (select count(*) from manifest_blobs b where not exists
                    (select 1 from manifests m where m.repository_id = b.repository_id and m.digest = b.manifest_digest))
                + (select count(*) from tags t where not exists
                    (select 1 from manifests m where m.repository_id = t.repository_id and m.digest = t.manifest_digest)) as n`,
        )
        .get() as { n: number };
      assert.equal(orphans.n, 0);
    } finally {
      db.close();
    }
  }
});
