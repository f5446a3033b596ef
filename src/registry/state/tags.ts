/** Tags: a name per repository pointing at one manifest of that repository. */
import type { Kysely } from 'kysely';
import { MamoriError } from '../../core/index.js';
import { repositoryId } from './repositories.js';
import { type Ctx, read, write } from './run.js';
import { type Schema, toInt } from './schema.js';
import type { Page, PageOptions, TagRecord } from './types.js';
import { checkCursor, checkDigest, checkPageSize, checkRepository, checkTag } from './validate.js';

/**
 * Points `tag` at `digest` inside a write transaction (the manifest must
 * exist there); returns the digest it pointed at before, if another.
 */
export async function setTag(
  db: Kysely<Schema>,
  repositoryId: number,
  tag: string,
  digest: string,
  now: number,
): Promise<string | undefined> {
  const before = await db
    .selectFrom('tags')
    .select('manifest_digest')
    .where('repository_id', '=', repositoryId)
    .where('name', '=', tag)
    .executeTakeFirst();
  if (before?.manifest_digest === digest) return undefined;
  await db
    .insertInto('tags')
    .values({ repository_id: repositoryId, name: tag, manifest_digest: digest, updated_at: now })
    .onConflict((oc) =>
      oc.columns(['repository_id', 'name']).doUpdateSet({ manifest_digest: digest, updated_at: now }),
    )
    .execute();
  return before?.manifest_digest;
}

/**
 * Creates or moves a tag to a manifest of the repository. Returns the digest
 * the tag pointed at before (undefined when new or unchanged); NOT_FOUND
 * when the repository has no such manifest.
 */
export async function putTag(
  ctx: Ctx,
  repository: string,
  tag: string,
  digest: string,
): Promise<{ previous?: string }> {
  const name = checkRepository(repository);
  const t = checkTag(tag);
  const d = checkDigest(digest);
  return write(ctx, async (db) => {
    const id = await repositoryId(db, name);
    const manifest =
      id === undefined
        ? undefined
        : await db
            .selectFrom('manifests')
            .select('digest')
            .where('repository_id', '=', id)
            .where('digest', '=', d)
            .executeTakeFirst();
    if (id === undefined || !manifest) {
      throw new MamoriError('NOT_FOUND', `repository ${name} has no manifest ${d} to tag`);
    }
    const previous = await setTag(db, id, t, d, ctx.now());
    return previous !== undefined ? { previous } : {};
  });
}

export async function resolveTag(ctx: Ctx, repository: string, tag: string): Promise<TagRecord | undefined> {
  const name = checkRepository(repository);
  const t = checkTag(tag);
  const row = await read(ctx, (db) =>
    db
      .selectFrom('tags as t')
      .innerJoin('repositories as r', 'r.id', 't.repository_id')
      .select(['t.name', 't.manifest_digest', 't.updated_at'])
      .where('r.name', '=', name)
      .where('t.name', '=', t)
      .executeTakeFirst(),
  );
  return row
    ? { name: row.name, digest: row.manifest_digest, updatedAt: new Date(toInt(row.updated_at)) }
    : undefined;
}

/** Removes a tag (the manifest stays); true when it existed. */
export async function deleteTag(ctx: Ctx, repository: string, tag: string): Promise<boolean> {
  const name = checkRepository(repository);
  const t = checkTag(tag);
  return write(ctx, async (db) => {
    const id = await repositoryId(db, name);
    if (id === undefined) return false;
    const r = await db
      .deleteFrom('tags')
      .where('repository_id', '=', id)
      .where('name', '=', t)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  });
}

/**
 * Tag names of a repository in binary order, `n` at a time after `last`
 * (the distribution spec's tag listing). Undefined when the repository is unknown.
 */
export async function listTags(
  ctx: Ctx,
  repository: string,
  options: PageOptions = {},
): Promise<Page<string> | undefined> {
  const name = checkRepository(repository);
  const n = checkPageSize(options.n);
  const last = checkCursor(options.last);
  return read(ctx, async (db) => {
    const id = await repositoryId(db, name);
    if (id === undefined) return undefined;
    let q = db.selectFrom('tags').select('name').where('repository_id', '=', id);
    if (last !== undefined) q = q.where('name', '>', last);
    q = q.orderBy('name');
    if (n !== undefined) q = q.limit(n + 1);
    const rows = await q.execute();
    const more = n !== undefined && rows.length > n;
    return { items: rows.slice(0, n).map((r) => r.name), more };
  });
}

/** Tags pointing at a manifest, in binary order. */
export async function tagsOf(ctx: Ctx, repository: string, digest: string): Promise<string[]> {
  const name = checkRepository(repository);
  const d = checkDigest(digest);
  const rows = await read(ctx, (db) =>
    db
      .selectFrom('tags as t')
      .innerJoin('repositories as r', 'r.id', 't.repository_id')
      .select('t.name')
      .where('r.name', '=', name)
      .where('t.manifest_digest', '=', d)
      .orderBy('t.name')
      .execute(),
  );
  return rows.map((r) => r.name);
}
