/**
 * The audit table, kept in the registry's database under the `audit.`
 * migration prefix. One row per event, never updated; rows leave only
 * through an explicit retention purge. `id` is the store's surrogate key
 * (SQLite AUTOINCREMENT, PostgreSQL identity): it grows with every insert
 * and is never reused, even after a purge, so it serves as the paging cursor.
 */
import type { ColumnType, Generated } from 'kysely';
import type { ModuleMigration } from '../state/index.js';

/** A `bigint` column: a number in, a number or a decimal string out (PostgreSQL). */
export type Int8 = ColumnType<number | string | bigint, number, number>;

export interface AuditEventsTable {
  id: Generated<number | string | bigint>;
  time: Int8;
  actor: string;
  actor_kind: string;
  remote: string;
  action: string;
  repository: string | null;
  reference: string | null;
  digest: string | null;
  project: string | null;
  result: string;
  detail: string | null;
}

export interface AuditSchema {
  audit_events: AuditEventsTable;
}

export const MIGRATIONS: readonly ModuleMigration<AuditSchema>[] = [
  {
    name: 'audit.0001_initial',
    async up(db, c) {
      await db.schema
        .createTable('audit_events')
        .addColumn('id', c.idType, (col) => c.idColumn(col))
        .addColumn('time', 'bigint', (col) => col.notNull())
        .addColumn('actor', c.nameType, (col) => col.notNull())
        .addColumn('actor_kind', 'text', (col) => col.notNull())
        .addColumn('remote', 'text', (col) => col.notNull())
        .addColumn('action', c.nameType, (col) => col.notNull())
        .addColumn('repository', c.nameType)
        .addColumn('reference', 'text')
        .addColumn('digest', 'text')
        .addColumn('project', c.nameType)
        .addColumn('result', 'text', (col) => col.notNull())
        .addColumn('detail', 'text')
        .execute();
      // Filters come with `order by id`: (column, id) serves both.
      for (const column of ['time', 'actor', 'action', 'repository', 'project'] as const) {
        await db.schema
          .createIndex(`audit_events_${column}`)
          .on('audit_events')
          .columns([column, 'id'])
          .execute();
      }
    },
  },
];

/** A bigint column's value as a number. */
export function toInt(v: number | string | bigint): number {
  return typeof v === 'number' ? v : Number(v);
}
