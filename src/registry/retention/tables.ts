/**
 * Retention's tables in the registry database (prefix `retention.`): the
 * immutability rules and the retention rules of each project.
 */
import type { ColumnType, Generated } from 'kysely';
import type { ModuleMigration, StateModule } from '../state/index.js';

/** A `bigint` column: a number in, a number or a decimal string (PostgreSQL) out. */
type Int8 = ColumnType<number | string | bigint, number, number>;

export interface RetentionSchema {
  retention_immutable: {
    id: Generated<number | string | bigint>;
    project: string;
    repository: string;
    tag: string;
    created_at: Int8;
  };
  retention_rules: {
    id: Generated<number | string | bigint>;
    project: string;
    repository: string;
    tag: string;
    keep_most_recent: Int8 | null;
    keep_pushed_within_days: Int8 | null;
    untagged: string;
    created_at: Int8;
  };
}

export type RetentionModule = StateModule<RetentionSchema>;

export const RETENTION_MIGRATIONS: readonly ModuleMigration<RetentionSchema>[] = [
  {
    name: 'retention.0001_initial',
    async up(db, c) {
      await db.schema
        .createTable('retention_immutable')
        .addColumn('id', c.idType, (col) => c.idColumn(col))
        .addColumn('project', c.nameType, (col) => col.notNull())
        .addColumn('repository', 'text', (col) => col.notNull())
        .addColumn('tag', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema
        .createIndex('retention_immutable_project')
        .on('retention_immutable')
        .column('project')
        .execute();
      await db.schema
        .createTable('retention_rules')
        .addColumn('id', c.idType, (col) => c.idColumn(col))
        .addColumn('project', c.nameType, (col) => col.notNull())
        .addColumn('repository', 'text', (col) => col.notNull())
        .addColumn('tag', 'text', (col) => col.notNull())
        .addColumn('keep_most_recent', 'bigint')
        .addColumn('keep_pushed_within_days', 'bigint')
        .addColumn('untagged', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema
        .createIndex('retention_rules_project')
        .on('retention_rules')
        .column('project')
        .execute();
    },
  },
];
