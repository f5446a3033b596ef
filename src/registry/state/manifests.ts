/**
 * Manifests and what they reference. A manifest row, its reference rows and
 * an optional tag are written in one transaction, after checking inside that
 * transaction that every referenced blob is linked and every child manifest
 * exists in the repository: a concurrent delete cannot slip in between.
 */
import type { Kysely, Selectable } from 'kysely';
import { MamoriError } from '../../core/index.js';
import { ensureRepository, repositoryId } from './repositories.js';
import { chunks, type Ctx, read, write } from './run.js';
import { type Schema, toInt } from './schema.js';
import { setTag } from './tags.js';
import type {
  DeleteManifestOptions,
  DeleteManifestResult,
  ManifestInput,
  ManifestRecord,
  PutManifestOptions,
  PutManifestResult,
} from './types.js';
import {
  checkAnnotations,
  checkDigest,
  checkDigestList,
  checkMediaType,
  checkRepository,
  checkSize,
  checkTag,
  optional,
} from './validate.js';

/** Rows per multi-row statement (3 parameters each, well under every engine's limit). */
const ROWS = 300;

export async function putManifest(
  ctx: Ctx,
  repository: string,
  manifest: ManifestInput,
  options: PutManifestOptions = {},
): Promise<PutManifestResult> {
  const name = checkRepository(repository);
  if (typeof manifest !== 'object' || manifest === null) {
    throw new MamoriError('INVALID_ARGUMENT', 'manifest must be an object');
  }
  const digest = checkDigest(manifest.digest);
  const row = {
    digest,
    media_type: checkMediaType(manifest.mediaType),
    size: checkSize(manifest.size),
    artifact_type: optional(checkMediaType, manifest.artifactType),
    subject_digest: optional(checkDigest, manifest.subjectDigest),
    config_digest: optional(checkDigest, manifest.configDigest),
    annotations: checkAnnotations(manifest.annotations),
  };
  const blobs = checkDigestList('blobs', manifest.blobs);
  const children = checkDigestList('children', manifest.children);
  const tag = optional(checkTag, options.tag);
  return write(ctx, async (db): Promise<PutManifestResult> => {
    const now = ctx.now();
    const id = await ensureRepository(db, name, now);
    const missingBlobs = await missing(db, 'blob_links', id, blobs);
    const missingManifests = await missing(db, 'manifests', id, children);
    if (missingBlobs.length > 0 || missingManifests.length > 0) {
      // The repository row may be new: keep the transaction side-effect free.
      throw new Missing(missingBlobs, missingManifests);
    }
    const inserted = await db
      .insertInto('manifests')
      .values({ repository_id: id, ...row, created_at: now })
      .onConflict((oc) => oc.columns(['repository_id', 'digest']).doNothing())
      .executeTakeFirst();
    const created = Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
    for (const part of chunks(blobs, ROWS)) {
      await db
        .insertInto('manifest_blobs')
        .values(part.map((b) => ({ repository_id: id, manifest_digest: digest, blob_digest: b })))
        .onConflict((oc) => oc.columns(['repository_id', 'manifest_digest', 'blob_digest']).doNothing())
        .execute();
    }
    for (const part of chunks(children, ROWS)) {
      await db
        .insertInto('manifest_children')
        .values(part.map((c) => ({ repository_id: id, manifest_digest: digest, child_digest: c })))
        .onConflict((oc) => oc.columns(['repository_id', 'manifest_digest', 'child_digest']).doNothing())
        .execute();
    }
    if (tag === null) return { status: 'stored', created };
    const previous = await setTag(db, id, tag, digest, now);
    return { status: 'stored', created, ...(previous !== undefined ? { previousTagTarget: previous } : {}) };
  }).catch((e: unknown) => {
    if (e instanceof Missing) return { status: 'missing', blobs: e.blobs, manifests: e.manifests };
    throw e;
  });
}

/** Thrown inside the transaction to roll it back; turned into a result outside. */
class Missing extends MamoriError {
  constructor(
    readonly blobs: string[],
    readonly manifests: string[],
  ) {
    super('NOT_FOUND', 'manifest references unknown blobs or manifests');
  }
}

/** Which of `digests` have no row in `table` for the repository. */
async function missing(
  db: Kysely<Schema>,
  table: 'blob_links' | 'manifests',
  repositoryId: number,
  digests: readonly string[],
): Promise<string[]> {
  const found = new Set<string>();
  for (const part of chunks(digests, ROWS)) {
    const rows = await db
      .selectFrom(table)
      .select('digest')
      .where('repository_id', '=', repositoryId)
      .where('digest', 'in', part)
      .execute();
    for (const r of rows) found.add(r.digest);
  }
  return digests.filter((d) => !found.has(d));
}

type ManifestRow = Omit<Selectable<Schema['manifests']>, 'repository_id'>;

export function toManifest(repository: string, r: ManifestRow): ManifestRecord {
  return {
    repository,
    digest: r.digest,
    mediaType: r.media_type,
    size: toInt(r.size),
    ...(r.artifact_type !== null ? { artifactType: r.artifact_type } : {}),
    ...(r.subject_digest !== null ? { subjectDigest: r.subject_digest } : {}),
    ...(r.config_digest !== null ? { configDigest: r.config_digest } : {}),
    ...(r.annotations !== null ? { annotations: JSON.parse(r.annotations) as Record<string, string> } : {}),
    createdAt: new Date(toInt(r.created_at)),
  };
}

export const MANIFEST_COLUMNS = [
  'm.digest',
  'm.media_type',
  'm.size',
  'm.artifact_type',
  'm.subject_digest',
  'm.config_digest',
  'm.annotations',
  'm.created_at',
] as const;

export async function getManifest(
  ctx: Ctx,
  repository: string,
  digest: string,
): Promise<ManifestRecord | undefined> {
  const name = checkRepository(repository);
  const d = checkDigest(digest);
  const row = await read(ctx, (db) =>
    db
      .selectFrom('manifests as m')
      .innerJoin('repositories as r', 'r.id', 'm.repository_id')
      .select(MANIFEST_COLUMNS)
      .where('r.name', '=', name)
      .where('m.digest', '=', d)
      .executeTakeFirst(),
  );
  return row ? toManifest(name, row) : undefined;
}

/** Digests of the indexes in the repository that list `digest` as a child, in binary order. */
export async function manifestParents(ctx: Ctx, repository: string, digest: string): Promise<string[]> {
  const name = checkRepository(repository);
  const d = checkDigest(digest);
  const rows = await read(ctx, (db) =>
    db
      .selectFrom('manifest_children as c')
      .innerJoin('repositories as r', 'r.id', 'c.repository_id')
      .select('c.manifest_digest')
      .where('r.name', '=', name)
      .where('c.child_digest', '=', d)
      .orderBy('c.manifest_digest')
      .execute(),
  );
  return rows.map((r) => r.manifest_digest);
}

/** Blob digests a manifest references (config and layers), in binary order. */
export async function manifestBlobs(ctx: Ctx, repository: string, digest: string): Promise<string[]> {
  const name = checkRepository(repository);
  const d = checkDigest(digest);
  const rows = await read(ctx, (db) =>
    db
      .selectFrom('manifest_blobs as b')
      .innerJoin('repositories as r', 'r.id', 'b.repository_id')
      .select('b.blob_digest')
      .where('r.name', '=', name)
      .where('b.manifest_digest', '=', d)
      .orderBy('b.blob_digest')
      .execute(),
  );
  return rows.map((r) => r.blob_digest);
}

/**
 * Deletes a manifest with its tags and reference rows, in one transaction.
 * Refused (nothing deleted) while an index of the repository lists it,
 * unless `force`.
 */
export async function deleteManifest(
  ctx: Ctx,
  repository: string,
  digest: string,
  options: DeleteManifestOptions = {},
): Promise<DeleteManifestResult> {
  const name = checkRepository(repository);
  const d = checkDigest(digest);
  return write(ctx, async (db): Promise<DeleteManifestResult> => {
    const id = await repositoryId(db, name);
    if (id === undefined) return { status: 'not-found' };
    const exists = await db
      .selectFrom('manifests')
      .select('digest')
      .where('repository_id', '=', id)
      .where('digest', '=', d)
      .executeTakeFirst();
    if (!exists) return { status: 'not-found' };
    if (options.force !== true) {
      const parents = await db
        .selectFrom('manifest_children')
        .select('manifest_digest')
        .where('repository_id', '=', id)
        .where('child_digest', '=', d)
        .orderBy('manifest_digest')
        .execute();
      if (parents.length > 0) return { status: 'referenced', parents: parents.map((p) => p.manifest_digest) };
    }
    const tags = await db
      .deleteFrom('tags')
      .where('repository_id', '=', id)
      .where('manifest_digest', '=', d)
      .returning('name')
      .execute();
    // Explicit deletes, not only ON DELETE CASCADE: the outcome does not depend on the engine's FK setting.
    await db
      .deleteFrom('manifest_blobs')
      .where('repository_id', '=', id)
      .where('manifest_digest', '=', d)
      .execute();
    await db
      .deleteFrom('manifest_children')
      .where('repository_id', '=', id)
      .where('manifest_digest', '=', d)
      .execute();
    await db.deleteFrom('manifests').where('repository_id', '=', id).where('digest', '=', d).execute();
    return { status: 'deleted', tags: tags.map((t) => t.name).sort() };
  });
}
