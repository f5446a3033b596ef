/**
 * The scanning module's tables, kept in the registry's database beside its
 * metadata (see state/module.ts): the job queue, one result per scanned
 * manifest and one pull policy per project. Times are ms since the epoch
 * (bigint: PostgreSQL returns them as strings, read them with Number()).
 */
import { sql, type Generated } from 'kysely';
import type { ModuleMigration } from '../state/index.js';

export const PREFIX = 'scanning.';

export interface JobRow {
  id: Generated<number>;
  repository: string;
  digest: string;
  reason: string;
  state: string;
  attempts: number;
  created: number | string;
  /** A retried job is not claimed before this time. */
  not_before: number | string;
  started: number | string | null;
  finished: number | string | null;
  error: string | null;
}

export interface ResultRow {
  repository: string;
  digest: string;
  /** `scanned`, `failed`, or `skipped` (not an image, or a manifest the scanner cannot read). */
  status: string;
  scanned_at: number | string;
  /** Fingerprint of the vulnerability database the scan matched against; null when none was used. */
  db_fingerprint: string | null;
  /** The summary as JSON (see ScanSummary). */
  summary: string;
  /** The report JSON when it is small enough to keep here; else read it from `report_digest`. */
  report: string | null;
  report_digest: string | null;
  report_manifest: string | null;
  sbom_manifest: string | null;
  /** 1 when the image violated its project's policy at its last scan. */
  violation: number;
}

export interface PolicyRow {
  project: string;
  block_severity: string | null;
  block_unscanned: number;
  updated: number | string;
}

export interface ScanningSchema {
  scanning_jobs: JobRow;
  scanning_results: ResultRow;
  scanning_policies: PolicyRow;
}

export const MIGRATIONS: readonly ModuleMigration<ScanningSchema>[] = [
  {
    name: 'scanning.0001_initial',
    async up(db, c) {
      await db.schema
        .createTable('scanning_jobs')
        .addColumn('id', c.idType, (col) => c.idColumn(col))
        .addColumn('repository', c.nameType, (col) => col.notNull())
        .addColumn('digest', c.nameType, (col) => col.notNull())
        .addColumn('reason', 'text', (col) => col.notNull())
        .addColumn('state', 'text', (col) => col.notNull())
        .addColumn('attempts', 'integer', (col) => col.notNull())
        .addColumn('created', 'bigint', (col) => col.notNull())
        .addColumn('not_before', 'bigint', (col) => col.notNull())
        .addColumn('started', 'bigint')
        .addColumn('finished', 'bigint')
        .addColumn('error', 'text')
        .execute();
      // One queued job per image: a second push or a rescan while queued is the same job.
      await db.schema
        .createIndex('scanning_jobs_queued')
        .on('scanning_jobs')
        .columns(['repository', 'digest'])
        .unique()
        .where(sql.ref('state'), '=', sql.lit('queued'))
        .execute();
      await db.schema
        .createIndex('scanning_jobs_state')
        .on('scanning_jobs')
        .columns(['state', 'not_before', 'id'])
        .execute();
      await db.schema
        .createIndex('scanning_jobs_image')
        .on('scanning_jobs')
        .columns(['repository', 'digest', 'id'])
        .execute();

      await db.schema
        .createTable('scanning_results')
        .addColumn('repository', c.nameType, (col) => col.notNull())
        .addColumn('digest', c.nameType, (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('scanned_at', 'bigint', (col) => col.notNull())
        .addColumn('db_fingerprint', 'text')
        .addColumn('summary', 'text', (col) => col.notNull())
        .addColumn('report', 'text')
        .addColumn('report_digest', c.nameType)
        .addColumn('report_manifest', c.nameType)
        .addColumn('sbom_manifest', c.nameType)
        .addColumn('violation', 'integer', (col) => col.notNull())
        .addPrimaryKeyConstraint('scanning_results_pk', ['repository', 'digest'])
        .execute();

      await db.schema
        .createTable('scanning_policies')
        .addColumn('project', c.nameType, (col) => col.primaryKey())
        .addColumn('block_severity', 'text')
        .addColumn('block_unscanned', 'integer', (col) => col.notNull())
        .addColumn('updated', 'bigint', (col) => col.notNull())
        .execute();
    },
  },
];
