/**
 * The one read the state store's API does not offer yet: the untagged
 * manifests of a repository. It reads the registry's `repositories`,
 * `manifests` and `tags` tables (never writes them) through this module's
 * connection; replace it with a `StateStore` method when there is one.
 */
import type { ColumnType, Kysely } from 'kysely';
import type { RetentionModule } from './tables.js';

type Int8 = ColumnType<number | string | bigint, number, number>;

/** The columns of the registry tables this file reads (see state/schema.ts). */
interface RegistryTables {
  repositories: { id: Int8; name: string };
  manifests: {
    repository_id: Int8;
    digest: string;
    media_type: string;
    subject_digest: string | null;
    created_at: Int8;
  };
  tags: { repository_id: Int8; name: string; manifest_digest: string };
}

export interface UntaggedManifest {
  readonly digest: string;
  readonly subjectDigest?: string;
  readonly createdAt: number;
}

const PAGE = 500;

/** Untagged manifests of a repository, in binary order of digest, streamed. */
export async function* untaggedManifests(
  mod: RetentionModule,
  repository: string,
): AsyncGenerator<UntaggedManifest> {
  let last: string | undefined;
  for (;;) {
    const after = last;
    const rows = await mod.read((raw) => {
      const db = raw as unknown as Kysely<RegistryTables>;
      let q = db
        .selectFrom('manifests as m')
        .innerJoin('repositories as r', 'r.id', 'm.repository_id')
        .select(['m.digest', 'm.subject_digest', 'm.created_at'])
        .where('r.name', '=', repository)
        .where((eb) =>
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
      if (after !== undefined) q = q.where('m.digest', '>', after);
      return q.orderBy('m.digest').limit(PAGE).execute();
    });
    for (const r of rows) {
      yield {
        digest: r.digest,
        ...(r.subject_digest !== null ? { subjectDigest: r.subject_digest } : {}),
        createdAt: Number(r.created_at),
      };
    }
    if (rows.length < PAGE) return;
    last = rows[rows.length - 1]?.digest;
  }
}
