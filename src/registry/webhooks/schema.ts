/**
 * The webhook tables, kept in the registry's database under the
 * `webhooks.` migration prefix: the targets project administrators
 * configure, and the delivery queue (one row per event × matching target)
 * that the worker drains. Delivery rows are kept after they succeed or
 * fail, for inspection.
 */
import type { ColumnType, Generated } from 'kysely';
import type { ModuleMigration } from '../state/index.js';

/** A `bigint` column: a number in, a number or a decimal string out (PostgreSQL). */
export type Int8 = ColumnType<number | string | bigint, number, number>;

export interface WebhookTargetsTable {
  id: Generated<number | string | bigint>;
  project: string;
  url: string;
  secret: string;
  /** JSON array of event types (`*` for all). */
  events: string;
  /** 1 or 0. */
  enabled: number;
  created_at: Int8;
  updated_at: Int8;
}

export interface WebhookDeliveriesTable {
  id: Generated<number | string | bigint>;
  /** Sent as X-Mamori-Delivery: the same on every attempt. */
  delivery_id: string;
  target_id: Int8;
  event_id: string;
  event_type: string;
  /** The exact JSON body, signed at each attempt. */
  body: string;
  status: string;
  attempts: number;
  /** When the next attempt is due; while an attempt runs, when its lease ends. */
  next_attempt_at: Int8;
  created_at: Int8;
  last_attempt_at: Int8 | null;
  last_status: number | null;
  last_error: string | null;
  finished_at: Int8 | null;
}

export interface WebhooksSchema {
  webhook_targets: WebhookTargetsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

export const MIGRATIONS: readonly ModuleMigration<WebhooksSchema>[] = [
  {
    name: 'webhooks.0001_initial',
    async up(db, c) {
      await db.schema
        .createTable('webhook_targets')
        .addColumn('id', c.idType, (col) => c.idColumn(col))
        .addColumn('project', c.nameType, (col) => col.notNull())
        .addColumn('url', 'text', (col) => col.notNull())
        .addColumn('secret', 'text', (col) => col.notNull())
        .addColumn('events', 'text', (col) => col.notNull())
        .addColumn('enabled', 'integer', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema
        .createIndex('webhook_targets_project')
        .on('webhook_targets')
        .column('project')
        .execute();
      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', c.idType, (col) => c.idColumn(col))
        .addColumn('delivery_id', 'text', (col) => col.notNull().unique())
        .addColumn('target_id', 'bigint', (col) => col.notNull())
        .addColumn('event_id', 'text', (col) => col.notNull())
        .addColumn('event_type', 'text', (col) => col.notNull())
        .addColumn('body', 'text', (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('attempts', 'integer', (col) => col.notNull())
        .addColumn('next_attempt_at', 'bigint', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('last_attempt_at', 'bigint')
        .addColumn('last_status', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('finished_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('webhook_deliveries_due')
        .on('webhook_deliveries')
        .columns(['status', 'next_attempt_at'])
        .execute();
      await db.schema
        .createIndex('webhook_deliveries_target')
        .on('webhook_deliveries')
        .columns(['target_id', 'id'])
        .execute();
    },
  },
];

/** A bigint column's value as a number. */
export function toInt(v: number | string | bigint): number {
  return typeof v === 'number' ? v : Number(v);
}
