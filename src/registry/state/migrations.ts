/**
 * Schema migrations, run in order on open inside one transaction: either all
 * pending migrations apply and are recorded in `migrations`, or none does.
 * Both engines have transactional DDL, so a crash mid-migration leaves the
 * previous schema. Names carry the module's prefix, so other mamori modules
 * sharing the database can keep their own rows in the same table.
 *
 * Migrations use kysely's schema builder only; the engine supplies the two
 * column types that differ (engine.ts). A released migration is never edited:
 * a change is a new migration appended to the list.
 */
import { type Kysely, sql } from 'kysely';
import { MamoriError } from '../../core/index.js';
import type { Engine } from './engine.js';
import type { Schema } from './schema.js';

const PREFIX = 'registry.';

/** One schema change of a module; `S` is the module's view of the tables. */
export interface Migration<S = Schema> {
  readonly name: string;
  up(db: Kysely<S>, engine: Engine): Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    name: `${PREFIX}0001_initial`,
    async up(db, e) {
      await db.schema
        .createTable('repositories')
        .addColumn('id', e.idType, (c) => e.idColumn(c))
        .addColumn('name', e.nameType, (c) => c.notNull().unique())
        .addColumn('project', e.nameType, (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('repositories_project')
        .on('repositories')
        .columns(['project', 'name'])
        .execute();

      // Blobs known per repository ("linked"): a blob pushed to one
      // repository is not readable from another until mounted there.
      await db.schema
        .createTable('blob_links')
        .addColumn('repository_id', 'bigint', (c) =>
          c.notNull().references('repositories.id').onDelete('cascade'),
        )
        .addColumn('digest', e.nameType, (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('media_type', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('blob_links_pk', ['repository_id', 'digest'])
        .execute();
      await db.schema.createIndex('blob_links_digest').on('blob_links').column('digest').execute();

      // The manifest bytes live in the blob store under their digest; the row
      // holds what listings, referrers and GC need.
      await db.schema
        .createTable('manifests')
        .addColumn('repository_id', 'bigint', (c) =>
          c.notNull().references('repositories.id').onDelete('cascade'),
        )
        .addColumn('digest', e.nameType, (c) => c.notNull())
        .addColumn('media_type', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('artifact_type', 'text')
        .addColumn('subject_digest', e.nameType)
        .addColumn('config_digest', e.nameType)
        .addColumn('annotations', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('manifests_pk', ['repository_id', 'digest'])
        .execute();
      await db.schema
        .createIndex('manifests_subject')
        .on('manifests')
        .columns(['repository_id', 'subject_digest'])
        .execute();
      await db.schema.createIndex('manifests_digest').on('manifests').column('digest').execute();

      for (const [table, column] of [
        ['manifest_blobs', 'blob_digest'],
        ['manifest_children', 'child_digest'],
      ] as const) {
        await db.schema
          .createTable(table)
          .addColumn('repository_id', 'bigint', (c) => c.notNull())
          .addColumn('manifest_digest', e.nameType, (c) => c.notNull())
          .addColumn(column, e.nameType, (c) => c.notNull())
          .addPrimaryKeyConstraint(`${table}_pk`, ['repository_id', 'manifest_digest', column])
          .addForeignKeyConstraint(
            `${table}_manifest_fk`,
            ['repository_id', 'manifest_digest'],
            'manifests',
            ['repository_id', 'digest'],
            (fk) => fk.onDelete('cascade'),
          )
          .execute();
        await db.schema
          .createIndex(`${table}_${column}`)
          .on(table)
          .columns([column, 'repository_id'])
          .execute();
      }

      await db.schema
        .createTable('tags')
        .addColumn('repository_id', 'bigint', (c) => c.notNull())
        .addColumn('name', e.nameType, (c) => c.notNull())
        .addColumn('manifest_digest', e.nameType, (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('tags_pk', ['repository_id', 'name'])
        .addForeignKeyConstraint(
          'tags_manifest_fk',
          ['repository_id', 'manifest_digest'],
          'manifests',
          ['repository_id', 'digest'],
          (fk) => fk.onDelete('cascade'),
        )
        .execute();
      await db.schema
        .createIndex('tags_manifest')
        .on('tags')
        .columns(['repository_id', 'manifest_digest'])
        .execute();

      // Upload sessions by repository name: an upload that is never finished
      // must not create the repository.
      await db.schema
        .createTable('uploads')
        .addColumn('id', e.nameType, (c) => c.primaryKey())
        .addColumn('repository', e.nameType, (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('last_touched', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('uploads_last_touched').on('uploads').column('last_touched').execute();
    },
  },
];

/**
 * Applies the pending migrations; returns the names it applied (empty when
 * the schema was current). Refuses a database migrated by a newer mamori.
 */
export async function migrate(engine: Engine, now: number): Promise<string[]> {
  return migrateModule(engine, now, PREFIX, MIGRATIONS);
}

/**
 * Applies a module's pending migrations (names starting with `prefix`) the
 * same way: one transaction, serialised between processes, refusing a
 * database that already holds migrations of this prefix the list lacks.
 */
export async function migrateModule<S>(
  engine: Engine,
  now: number,
  prefix: string,
  migrations: readonly Migration<S>[],
): Promise<string[]> {
  if (!/^[a-z][a-z0-9-]*\.$/.test(prefix)) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `migration prefix must look like "name.", got ${JSON.stringify(prefix)}`,
    );
  }
  for (const m of migrations) {
    if (!m.name.startsWith(prefix)) {
      throw new MamoriError('INVALID_ARGUMENT', `migration ${m.name} does not start with ${prefix}`);
    }
  }
  return engine.db.connection().execute(async (conn) => {
    await sql.raw(engine.beginWrite).execute(conn);
    try {
      await engine.lockMigrations(conn);
      await conn.schema
        .createTable('migrations')
        .ifNotExists()
        .addColumn('name', engine.nameType, (c) => c.primaryKey())
        .addColumn('applied_at', 'bigint', (c) => c.notNull())
        .execute();
      const rows = await conn.selectFrom('migrations').select('name').execute();
      const applied = new Set(rows.map((r) => r.name).filter((n) => n.startsWith(prefix)));
      const known = new Set(migrations.map((m) => m.name));
      const unknown = [...applied].filter((n) => !known.has(n));
      if (unknown.length > 0) {
        throw new MamoriError(
          'INVALID_ARGUMENT',
          `state database ${engine.where} has migrations this mamori does not know (${unknown.join(', ')}); it was written by a newer mamori`,
        );
      }
      const done: string[] = [];
      for (const m of migrations) {
        if (applied.has(m.name)) continue;
        await m.up(conn as unknown as Kysely<S>, engine);
        await conn.insertInto('migrations').values({ name: m.name, applied_at: now }).execute();
        done.push(m.name);
      }
      await sql`commit`.execute(conn);
      return done;
    } catch (e) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw e;
    }
  });
}
