import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isMamoriError } from '../../core/index.js';
import { type ModuleMigration, openStateStore } from './index.js';

interface NotesSchema {
  notes: { id: string; body: string };
}

const V1: ModuleMigration<NotesSchema>[] = [
  {
    name: 'notes.0001_initial',
    async up(db, c) {
      await db.schema
        .createTable('notes')
        .addColumn('id', c.nameType, (col) => col.primaryKey())
        .addColumn('body', 'text', (col) => col.notNull())
        .execute();
    },
  },
];

const root = await mkdtemp(join(tmpdir(), 'mamori-state-module-'));
after(() => rm(root, { recursive: true, force: true }));

describe('StateStore.module', () => {
  it('migrates a module once and gives it transactional reads and writes beside the registry tables', async () => {
    const path = join(root, 'a', 'state.db');
    const store = await openStateStore({ kind: 'sqlite', path });
    const notes = await store.module('notes.', V1);
    await notes.write((db) => db.insertInto('notes').values({ id: 'a', body: 'one' }).execute());
    await assert.rejects(
      notes.write(async (db) => {
        await db.insertInto('notes').values({ id: 'b', body: 'two' }).execute();
        await db.insertInto('notes').values({ id: 'a', body: 'duplicate key' }).execute();
      }),
      (e: unknown) => isMamoriError(e) && e.code === 'IO',
    );
    const rows = await notes.read((db) => db.selectFrom('notes').selectAll().orderBy('id').execute());
    assert.deepEqual(rows, [{ id: 'a', body: 'one' }], 'the failed transaction left nothing behind');
    await store.close();

    const again = await openStateStore({ kind: 'sqlite', path });
    const notes2 = await again.module('notes.', V1);
    assert.equal((await notes2.read((db) => db.selectFrom('notes').selectAll().execute())).length, 1);
    await again.close();
    await assert.rejects(
      notes2.read((db) => db.selectFrom('notes').selectAll().execute()),
      /closed/,
    );
  });

  it('refuses a database holding module migrations this build does not know, and bad prefixes', async () => {
    const path = join(root, 'b', 'state.db');
    const store = await openStateStore({ kind: 'sqlite', path });
    const V2: ModuleMigration<NotesSchema>[] = [
      ...V1,
      {
        name: 'notes.0002_more',
        up: async (db) =>
          void (await db.schema.createIndex('notes_body').on('notes').column('body').execute()),
      },
    ];
    await store.module('notes.', V2);
    await assert.rejects(store.module('notes.', V1), /newer mamori/);
    await assert.rejects(store.module('Bad', V1), /prefix/);
    await assert.rejects(store.module('other.', V1), /does not start with other\./);
    await store.close();
  });
});
