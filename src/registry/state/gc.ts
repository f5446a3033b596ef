/**
 * Garbage-collection support: the mark set, streamed.
 *
 * `referencedDigests` yields, once each and in binary order, every digest
 * the blob store must keep: each manifest's own digest (its bytes live in
 * the blob store), every blob a manifest references, and every child an
 * index lists, across all repositories. It reads in keyset-paged batches,
 * one statement each, so writers are never held up behind a long read; the
 * price is that it is not one snapshot. A digest that becomes referenced
 * while the stream runs may be missed, so the sweep must spare every blob
 * written or linked after the mark started (a grace period), which also
 * covers blobs uploaded for a manifest not pushed yet.
 */
import { sql } from 'kysely';
import { type Ctx, read } from './run.js';

const PAGE = 1000;

export async function* referencedDigests(ctx: Ctx): AsyncGenerator<string, void, undefined> {
  let last: string | undefined;
  for (;;) {
    const after = last;
    const rows = await read(ctx, (db) => {
      const blobs = db.selectFrom('manifest_blobs').select(sql<string>`blob_digest`.as('d'));
      const own = db.selectFrom('manifests').select(sql<string>`digest`.as('d'));
      const children = db.selectFrom('manifest_children').select(sql<string>`child_digest`.as('d'));
      const union =
        after === undefined
          ? blobs.union(own).union(children)
          : blobs
              .where('blob_digest', '>', after)
              .union(own.where('digest', '>', after))
              .union(children.where('child_digest', '>', after));
      return db.selectFrom(union.as('u')).select('u.d').orderBy('u.d').limit(PAGE).execute();
    });
    for (const r of rows) yield r.d;
    if (rows.length < PAGE) return;
    last = rows[rows.length - 1]?.d;
  }
}
