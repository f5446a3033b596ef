/**
 * Blob links: which repositories may serve which blobs. The bytes are
 * stored once (content-addressed, deduplicated); a link makes them readable
 * through one repository, so a digest learnt elsewhere reveals nothing.
 */
import { MamoriError } from '../../core/index.js';
import { ensureRepository, repositoryId } from './repositories.js';
import { type Ctx, read, write } from './run.js';
import { toInt } from './schema.js';
import type { BlobLinkInput, BlobLinkRecord } from './types.js';
import { checkDigest, checkMediaType, checkRepository, checkSize, optional } from './validate.js';

/** Links a blob into a repository (creating the repository); true when the link is new. */
export async function linkBlob(ctx: Ctx, repository: string, blob: BlobLinkInput): Promise<boolean> {
  const name = checkRepository(repository);
  if (typeof blob !== 'object' || blob === null)
    throw new MamoriError('INVALID_ARGUMENT', 'blob must be an object');
  const digest = checkDigest(blob.digest);
  const size = checkSize(blob.size);
  const mediaType = optional(checkMediaType, blob.mediaType);
  return write(ctx, async (db) => {
    const now = ctx.now();
    const id = await ensureRepository(db, name, now);
    const r = await db
      .insertInto('blob_links')
      .values({ repository_id: id, digest, size, media_type: mediaType, created_at: now })
      .onConflict((oc) => oc.columns(['repository_id', 'digest']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
  });
}

export async function blobLink(
  ctx: Ctx,
  repository: string,
  digest: string,
): Promise<BlobLinkRecord | undefined> {
  const name = checkRepository(repository);
  const d = checkDigest(digest);
  const row = await read(ctx, (db) =>
    db
      .selectFrom('blob_links as b')
      .innerJoin('repositories as r', 'r.id', 'b.repository_id')
      .select(['b.digest', 'b.size', 'b.media_type', 'b.created_at'])
      .where('r.name', '=', name)
      .where('b.digest', '=', d)
      .executeTakeFirst(),
  );
  if (!row) return undefined;
  return {
    repository: name,
    digest: row.digest,
    size: toInt(row.size),
    ...(row.media_type !== null ? { mediaType: row.media_type } : {}),
    createdAt: new Date(toInt(row.created_at)),
  };
}

/** Removes a blob's link from one repository; true when there was one. */
export async function unlinkBlob(ctx: Ctx, repository: string, digest: string): Promise<boolean> {
  const name = checkRepository(repository);
  const d = checkDigest(digest);
  return write(ctx, async (db) => {
    const id = await repositoryId(db, name);
    if (id === undefined) return false;
    const r = await db
      .deleteFrom('blob_links')
      .where('repository_id', '=', id)
      .where('digest', '=', d)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  });
}

/**
 * Cross-repository mount: links into `to` a blob linked in `from`, in one
 * transaction (the source link cannot vanish in between). False when `from`
 * does not have it; then nothing is written.
 */
export async function mountBlob(ctx: Ctx, from: string, to: string, digest: string): Promise<boolean> {
  const src = checkRepository(from);
  const dst = checkRepository(to);
  const d = checkDigest(digest);
  return write(ctx, async (db) => {
    const srcId = await repositoryId(db, src);
    if (srcId === undefined) return false;
    const link = await db
      .selectFrom('blob_links')
      .select(['size', 'media_type'])
      .where('repository_id', '=', srcId)
      .where('digest', '=', d)
      .executeTakeFirst();
    if (!link) return false;
    const now = ctx.now();
    const dstId = await ensureRepository(db, dst, now);
    await db
      .insertInto('blob_links')
      .values({
        repository_id: dstId,
        digest: d,
        size: toInt(link.size),
        media_type: link.media_type,
        created_at: now,
      })
      .onConflict((oc) => oc.columns(['repository_id', 'digest']).doNothing())
      .execute();
    return true;
  });
}

/** Names of the repositories a blob is linked in, in binary order. */
export async function repositoriesOfBlob(ctx: Ctx, digest: string): Promise<string[]> {
  const d = checkDigest(digest);
  const rows = await read(ctx, (db) =>
    db
      .selectFrom('blob_links as b')
      .innerJoin('repositories as r', 'r.id', 'b.repository_id')
      .select('r.name')
      .where('b.digest', '=', d)
      .orderBy('r.name')
      .execute(),
  );
  return rows.map((r) => r.name);
}

/**
 * GC sweep: removes every link of a blob that was linked before `linkedBefore`
 * (a link made after the mark started is kept). Returns the links removed.
 */
export async function unlinkBlobEverywhere(ctx: Ctx, digest: string, linkedBefore: Date): Promise<number> {
  const d = checkDigest(digest);
  const before = linkedBefore instanceof Date ? linkedBefore.getTime() : NaN;
  if (!Number.isSafeInteger(before))
    throw new MamoriError('INVALID_ARGUMENT', 'linkedBefore must be a valid Date');
  return write(ctx, async (db) => {
    const r = await db
      .deleteFrom('blob_links')
      .where('digest', '=', d)
      .where('created_at', '<', before)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  });
}
