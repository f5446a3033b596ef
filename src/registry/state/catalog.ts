/** The catalog (repository names, only those the caller may see) and referrers. */
import type { Selection, SelectQueryBuilder } from 'kysely';
import { MamoriError } from '../../core/index.js';
import type { Schema } from './schema.js';
import { MANIFEST_COLUMNS, toManifest } from './manifests.js';
import { repositoryId, toRepository } from './repositories.js';
import { type Ctx, read } from './run.js';
import type {
  CatalogOptions,
  ManifestListOptions,
  ManifestRecord,
  Page,
  PageOptions,
  ReferrersOptions,
  RepositoryRecord,
} from './types.js';
import {
  checkCursor,
  checkDigest,
  checkMediaType,
  checkPageSize,
  checkRepository,
  checkString,
  LIMITS,
} from './validate.js';

/** Candidates fetched per statement while filtering. */
const BATCH = 500;
/** Up to this many projects are filtered in SQL (`IN (…)`); beyond, while scanning. */
const PROJECTS_IN_SQL = 500;

export async function getRepository(ctx: Ctx, repository: string): Promise<RepositoryRecord | undefined> {
  const name = checkRepository(repository);
  const row = await read(ctx, (db) =>
    db
      .selectFrom('repositories')
      .select(['name', 'project', 'created_at'])
      .where('name', '=', name)
      .executeTakeFirst(),
  );
  return row ? toRepository(row) : undefined;
}

/**
 * Repository names in binary order, `n` at a time after `last`, keeping
 * only those in `projects` (when given) and accepted by `visible` (when
 * given). Filtering happens before counting, so a page is never short
 * because of hidden repositories, and `more` says nothing about them.
 */
export async function listRepositories(ctx: Ctx, options: CatalogOptions = {}): Promise<Page<string>> {
  const n = checkPageSize(options.n);
  let last = checkCursor(options.last);
  const visible = options.visible;
  if (visible !== undefined && typeof visible !== 'function') {
    throw new MamoriError('INVALID_ARGUMENT', 'visible must be a function');
  }
  let projects: string[] | undefined;
  if (options.projects !== undefined) {
    if (!Array.isArray(options.projects))
      throw new MamoriError('INVALID_ARGUMENT', 'projects must be an array');
    projects = [...new Set(options.projects.map((p) => checkString('project', p, LIMITS.repository)))];
    if (projects.length === 0) return { items: [], more: false };
  }
  const inSql = projects !== undefined && projects.length <= PROJECTS_IN_SQL ? projects : undefined;
  const inJs = projects !== undefined && inSql === undefined ? new Set(projects) : undefined;
  const filtered = visible !== undefined || inJs !== undefined;
  const want = n ?? Infinity;
  const items: string[] = [];
  for (;;) {
    const limit = filtered ? BATCH : Math.min(BATCH, want + 1 - items.length);
    const rows = await read(ctx, (db) => {
      let q = db.selectFrom('repositories').select(['name', 'project']);
      if (last !== undefined) q = q.where('name', '>', last);
      if (inSql !== undefined) q = q.where('project', 'in', inSql);
      return q.orderBy('name').limit(limit).execute();
    });
    for (const r of rows) {
      if (inJs !== undefined && !inJs.has(r.project)) continue;
      if (visible !== undefined && visible(r.name, r.project) !== true) continue;
      items.push(r.name);
      if (items.length > want) return { items: items.slice(0, want), more: true };
    }
    if (rows.length < limit) return { items, more: false };
    last = rows[rows.length - 1]?.name;
  }
}

/**
 * Manifests of the repository whose `subject` is `subject` (the referrers
 * API), optionally of one artifact type, in binary order of digest, `n` at
 * a time after `last`. An unknown repository or subject gives an empty page.
 */
export async function referrers(
  ctx: Ctx,
  repository: string,
  subject: string,
  options: ReferrersOptions = {},
): Promise<Page<ManifestRecord>> {
  const s = checkDigest(subject);
  const artifactType = options.artifactType === undefined ? undefined : checkMediaType(options.artifactType);
  return manifestPage(ctx, repository, options, (q) => {
    const bySubject = q.where('m.subject_digest', '=', s);
    return artifactType === undefined ? bySubject : bySubject.where('m.artifact_type', '=', artifactType);
  });
}

type ManifestQuery = SelectQueryBuilder<Schema & { m: Schema['manifests'] }, 'm', ManifestRow>;
type ManifestRow = Selection<Schema & { m: Schema['manifests'] }, 'm', (typeof MANIFEST_COLUMNS)[number]>;

/** Manifests of a repository matching `filter`, by digest, `n` at a time after `last`. */
async function manifestPage(
  ctx: Ctx,
  repository: string,
  options: PageOptions,
  filter: (q: ManifestQuery) => ManifestQuery,
): Promise<Page<ManifestRecord>> {
  const name = checkRepository(repository);
  const n = checkPageSize(options.n);
  const last = checkCursor(options.last);
  return read(ctx, async (db) => {
    const id = await repositoryId(db, name);
    if (id === undefined) return { items: [], more: false };
    let q = filter(
      db.selectFrom('manifests as m').select(MANIFEST_COLUMNS).where('m.repository_id', '=', id),
    );
    if (last !== undefined) q = q.where('m.digest', '>', last);
    q = q.orderBy('m.digest');
    if (n !== undefined) q = q.limit(n + 1);
    const rows = await q.execute();
    return {
      items: rows.slice(0, n).map((r) => toManifest(name, r)),
      more: n !== undefined && rows.length > n,
    };
  });
}

/**
 * Every manifest of the repository (images, indexes, artifacts, referrers),
 * in binary order of digest, `n` at a time after `last`; optionally only
 * those without a subject (the artifacts a user pushed, not the signatures
 * and reports attached to them). An unknown repository gives an empty page.
 */
export async function listManifests(
  ctx: Ctx,
  repository: string,
  options: ManifestListOptions = {},
): Promise<Page<ManifestRecord>> {
  return manifestPage(ctx, repository, options, (q) => {
    let out = options.withoutSubject === true ? q.where('m.subject_digest', 'is', null) : q;
    if (options.untagged === true) {
      out = out.where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('tags as t')
              .select('t.name')
              .whereRef('t.repository_id', '=', 'm.repository_id')
              .whereRef('t.manifest_digest', '=', 'm.digest'),
          ),
        ),
      );
    }
    return out;
  });
}
