/**
 * The collector's own tables, kept in the registry database (prefix `gc.`):
 *
 * - `gc_candidates`: blobs seen unreferenced and not freshly linked, with
 *   the mark time of the run that first and last saw them so. The blob
 *   store keeps no times, so "first seen garbage" stands in for the blob's
 *   age: a blob is deleted only once it has been garbage for a whole grace
 *   period, which spares a blob stored a moment ago whose link or manifest
 *   row is still on its way.
 * - `gc_fenced`: the links a sweep removed from a blob it is about to
 *   delete, so they can be put back when the blob turns out to be
 *   referenced after all, also by the next run after a crash.
 */
import type { ColumnType, Kysely } from 'kysely';
import { chunks } from './util.js';
import type { ModuleMigration, StateModule } from '../state/index.js';

/** A `bigint` column: a number in, a number or a decimal string (PostgreSQL) out. */
type Int8 = ColumnType<number | string | bigint, number, number>;

export interface GcSchema {
  gc_candidates: { digest: string; first_seen: Int8; last_seen: Int8 };
  gc_fenced: { digest: string; repository: string; size: Int8; media_type: string | null };
}

export type GcModule = StateModule<GcSchema>;

export const GC_MIGRATIONS: readonly ModuleMigration<GcSchema>[] = [
  {
    name: 'gc.0001_initial',
    async up(db, c) {
      await db.schema
        .createTable('gc_candidates')
        .addColumn('digest', c.nameType, (col) => col.primaryKey())
        .addColumn('first_seen', 'bigint', (col) => col.notNull())
        .addColumn('last_seen', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema
        .createTable('gc_fenced')
        .addColumn('digest', c.nameType, (col) => col.notNull())
        .addColumn('repository', c.nameType, (col) => col.notNull())
        .addColumn('size', 'bigint', (col) => col.notNull())
        .addColumn('media_type', 'text')
        .addPrimaryKeyConstraint('gc_fenced_pk', ['digest', 'repository'])
        .execute();
    },
  },
];

/** Rows per multi-row statement. */
const ROWS = 200;

/**
 * Records `digests` as garbage seen at `markStart` and returns when each was
 * first seen so (a new row starts at `markStart`). A dry run writes nothing
 * and treats a digest without a row as first seen now.
 */
export async function touchCandidates(
  mod: GcModule,
  digests: readonly string[],
  markStart: number,
  dryRun: boolean,
): Promise<Map<string, number>> {
  const firstSeen = new Map<string, number>();
  for (const part of chunks(digests, ROWS)) {
    const select = (db: Kysely<GcSchema>) =>
      db.selectFrom('gc_candidates').select(['digest', 'first_seen']).where('digest', 'in', part).execute();
    const rows = dryRun
      ? await mod.read(select)
      : await mod.write(async (db) => {
          await db
            .insertInto('gc_candidates')
            .values(part.map((digest) => ({ digest, first_seen: markStart, last_seen: markStart })))
            .onConflict((oc) => oc.column('digest').doUpdateSet({ last_seen: markStart }))
            .execute();
          return select(db);
        });
    for (const r of rows) firstSeen.set(r.digest, Number(r.first_seen));
  }
  for (const d of digests) if (!firstSeen.has(d)) firstSeen.set(d, markStart);
  return firstSeen;
}

/** Forgets a blob the sweep settled (deleted, rescued or re-linked): its candidate row and fences. */
export async function settled(mod: GcModule, digest: string, candidate: boolean): Promise<void> {
  await mod.write(async (db) => {
    if (candidate) await db.deleteFrom('gc_candidates').where('digest', '=', digest).execute();
    await db.deleteFrom('gc_fenced').where('digest', '=', digest).execute();
  });
}

/** Drops the rows of blobs this run did not see as garbage (referenced again, re-linked or gone). */
export async function forgetUnseen(mod: GcModule, markStart: number): Promise<void> {
  await mod.write((db) => db.deleteFrom('gc_candidates').where('last_seen', '<', markStart).execute());
}

export interface FencedLink {
  readonly digest: string;
  readonly repository: string;
  readonly size: number;
  readonly mediaType?: string;
}

export async function saveFences(mod: GcModule, links: readonly FencedLink[]): Promise<void> {
  for (const part of chunks(links, ROWS)) {
    await mod.write((db) =>
      db
        .insertInto('gc_fenced')
        .values(
          part.map((l) => ({
            digest: l.digest,
            repository: l.repository,
            size: l.size,
            media_type: l.mediaType ?? null,
          })),
        )
        .onConflict((oc) => oc.columns(['digest', 'repository']).doNothing())
        .execute(),
    );
  }
}

export async function fencesOf(mod: GcModule, digest: string): Promise<FencedLink[]> {
  const rows = await mod.read((db) =>
    db.selectFrom('gc_fenced').selectAll().where('digest', '=', digest).orderBy('repository').execute(),
  );
  return rows.map((r) => ({
    digest: r.digest,
    repository: r.repository,
    size: Number(r.size),
    ...(r.media_type !== null ? { mediaType: r.media_type } : {}),
  }));
}

/** Digests with fences left behind, `n` at a time after `last`. */
export async function fencedDigests(mod: GcModule, last: string | undefined, n: number): Promise<string[]> {
  const rows = await mod.read((db) => {
    let q = db.selectFrom('gc_fenced').select('digest').distinct();
    if (last !== undefined) q = q.where('digest', '>', last);
    return q.orderBy('digest').limit(n).execute();
  });
  return rows.map((r) => r.digest);
}

export async function dropFences(mod: GcModule, digest: string): Promise<void> {
  await mod.write((db) => db.deleteFrom('gc_fenced').where('digest', '=', digest).execute());
}
