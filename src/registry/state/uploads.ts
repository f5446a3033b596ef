/**
 * The index of upload sessions (the bytes are the blob store's business):
 * which repository an upload belongs to and when it was last touched, so
 * abandoned uploads can be swept.
 */
import { MamoriError } from '../../core/index.js';
import { type Ctx, read, write } from './run.js';
import { toInt } from './schema.js';
import type { UploadRecord } from './types.js';
import { checkPageSize, checkRepository, checkUploadId } from './validate.js';

function toUpload(r: {
  id: string;
  repository: string;
  started_at: number | string | bigint;
  last_touched: number | string | bigint;
}): UploadRecord {
  return {
    id: r.id,
    repository: r.repository,
    startedAt: new Date(toInt(r.started_at)),
    lastTouched: new Date(toInt(r.last_touched)),
  };
}

/** Records a new upload session; INVALID_ARGUMENT when the id is taken. */
export async function startUpload(ctx: Ctx, id: string, repository: string): Promise<UploadRecord> {
  const uid = checkUploadId(id);
  const name = checkRepository(repository);
  return write(ctx, async (db) => {
    const now = ctx.now();
    const r = await db
      .insertInto('uploads')
      .values({ id: uid, repository: name, started_at: now, last_touched: now })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows ?? 0n) === 0) {
      throw new MamoriError('INVALID_ARGUMENT', `upload id ${uid} is already in use`);
    }
    return { id: uid, repository: name, startedAt: new Date(now), lastTouched: new Date(now) };
  });
}

/** Marks an upload as active now; false when there is no such upload. */
export async function touchUpload(ctx: Ctx, id: string): Promise<boolean> {
  const uid = checkUploadId(id);
  return write(ctx, async (db) => {
    const r = await db
      .updateTable('uploads')
      .set({ last_touched: ctx.now() })
      .where('id', '=', uid)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  });
}

export async function getUpload(ctx: Ctx, id: string): Promise<UploadRecord | undefined> {
  const uid = checkUploadId(id);
  const row = await read(ctx, (db) =>
    db.selectFrom('uploads').selectAll().where('id', '=', uid).executeTakeFirst(),
  );
  return row ? toUpload(row) : undefined;
}

/** Forgets an upload (finished, cancelled or swept); false when there was none. */
export async function endUpload(ctx: Ctx, id: string): Promise<boolean> {
  const uid = checkUploadId(id);
  return write(ctx, async (db) => {
    const r = await db.deleteFrom('uploads').where('id', '=', uid).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  });
}

/** Uploads not touched since `before`, oldest first, at most `n` (default 1000). */
export async function staleUploads(ctx: Ctx, before: Date, n = 1000): Promise<UploadRecord[]> {
  const t = before instanceof Date ? before.getTime() : NaN;
  if (!Number.isSafeInteger(t)) throw new MamoriError('INVALID_ARGUMENT', 'before must be a valid Date');
  const limit = checkPageSize(n) ?? 1000;
  const rows = await read(ctx, (db) =>
    db
      .selectFrom('uploads')
      .selectAll()
      .where('last_touched', '<', t)
      .orderBy('last_touched')
      .orderBy('id')
      .limit(limit)
      .execute(),
  );
  return rows.map(toUpload);
}
