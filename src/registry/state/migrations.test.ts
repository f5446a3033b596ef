import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { isMamoriError } from '../../core/index.js';
import { openStateStore } from './index.js';
import { MIGRATIONS } from './migrations.js';
import { dg, push } from './testing-suite.js';

const run = promisify(execFile);
const writer = fileURLToPath(new URL('./testdata/writer.ts', import.meta.url));
const root = await mkdtemp(join(tmpdir(), 'mamori-state-mig-'));
after(() => rm(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(root, `m${++n}`, 'state.db');
const ALL = MIGRATIONS.map((m) => m.name);

function rows(path: string, query: string): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(query).all();
  } finally {
    db.close();
  }
}

describe('migrations', () => {
  it('run once: a second store on the same file and a reopen apply nothing', async () => {
    const path = fresh();
    const a = await openStateStore({ kind: 'sqlite', path });
    const b = await openStateStore({ kind: 'sqlite', path });
    assert.deepEqual(a.migrated, ALL);
    assert.deepEqual(b.migrated, []);
    await push(a, 'p/app', dg('m'), [dg(1)], { tag: 'v1' });
    assert.equal((await b.resolveTag('p/app', 'v1'))?.digest, dg('m'), 'both see one database');
    await a.close();
    await b.close();
    const c = await openStateStore({ kind: 'sqlite', path });
    assert.deepEqual(c.migrated, []);
    assert.equal((await c.resolveTag('p/app', 'v1'))?.digest, dg('m'));
    await c.close();
    assert.deepEqual(
      rows(path, 'select name from migrations order by name').map((r) => (r as { name: string }).name),
      ALL,
    );
    assert.deepEqual(rows(path, 'pragma journal_mode'), [{ journal_mode: 'wal' }]);
  });

  it('run once when several processes open a new file at the same moment', async () => {
    const path = fresh();
    await mkdir(join(path, '..'), { recursive: true });
    const outs = await Promise.all(
      Array.from({ length: 4 }, () => run(process.execPath, ['--import', 'tsx', writer, 'open', path])),
    );
    const applied = outs.map((o) => JSON.parse(o.stdout) as string[]);
    assert.deepEqual(
      applied.filter((a) => a.length > 0),
      [ALL],
    );
    assert.equal(rows(path, 'select name from migrations').length, ALL.length);
  });

  it('ignores other modules’ migrations and refuses a database from a newer mamori', async () => {
    const path = fresh();
    await (await openStateStore({ kind: 'sqlite', path })).close();
    const db = new Database(path);
    db.prepare('insert into migrations (name, applied_at) values (?, ?)').run('audit.0001_initial', 1);
    db.close();
    await (await openStateStore({ kind: 'sqlite', path })).close();
    const db2 = new Database(path);
    db2.prepare('insert into migrations (name, applied_at) values (?, ?)').run('registry.9999_future', 1);
    db2.close();
    await assert.rejects(
      openStateStore({ kind: 'sqlite', path }),
      (e) =>
        isMamoriError(e, 'INVALID_ARGUMENT') &&
        /newer mamori/.test(e.message) &&
        /9999_future/.test(e.message),
    );
  });

  it('roll back whole: a failing migration leaves no table behind', async () => {
    const path = fresh();
    await mkdir(join(path, '..'), { recursive: true });
    const db = new Database(path);
    db.exec('create table tags (x text)'); // someone else's table, in the way of ours
    db.close();
    await assert.rejects(
      openStateStore({ kind: 'sqlite', path }),
      (e) => isMamoriError(e, 'IO') && /tags/.test(e.message),
    );
    const tables = rows(path, "select name from sqlite_master where type = 'table' order by name");
    assert.deepEqual(tables, [{ name: 'tags' }]);
  });

  it('refuse a file that is not a database, and a path that is a directory', async () => {
    const path = fresh();
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, Buffer.alloc(8192, 0x5a));
    await assert.rejects(
      openStateStore({ kind: 'sqlite', path }),
      (e) => isMamoriError(e, 'INVALID_ARGUMENT') && /not a usable registry state database/.test(e.message),
    );
    await assert.rejects(openStateStore({ kind: 'sqlite', path: root }), (e) => isMamoriError(e, 'IO'));
    await assert.rejects(openStateStore({ kind: 'sqlite', path: '' }), (e) =>
      isMamoriError(e, 'INVALID_ARGUMENT'),
    );
    await assert.rejects(
      openStateStore({ kind: 'nope' } as unknown as Parameters<typeof openStateStore>[0]),
      (e) => isMamoriError(e, 'INVALID_ARGUMENT'),
    );
  });
});

describe('several processes', () => {
  it('write to one file at once without SQLITE_BUSY failures or lost rows', async () => {
    const path = fresh();
    const s = await openStateStore({ kind: 'sqlite', path });
    try {
      const children = ['a', 'b', 'c'].map((p) =>
        run(process.execPath, ['--import', 'tsx', writer, 'write', path, p, '30']),
      );
      let done = false;
      const all = Promise.all(children).finally(() => (done = true));
      // The parent keeps writing for as long as the children do.
      let mine = 0;
      while (!done) {
        await push(s, 'p/multi', dg(`parent${mine}`), [dg('common')], { tag: `parent${mine}` });
        mine++;
        // better-sqlite3 answers synchronously: let the event loop see the children exit.
        await new Promise((r) => setImmediate(r));
      }
      await all;
      const tags = await s.listTags('p/multi');
      assert.equal(tags?.items.length, 90 + mine);
      for (const p of ['a', 'b', 'c']) {
        for (let i = 0; i < 30; i++) assert.ok(await s.resolveTag('p/multi', `tag-${p}${i}`), `${p}${i}`);
      }
    } finally {
      await s.close();
    }
  });
});
