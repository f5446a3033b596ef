/** Repositories: created implicitly by the first write that needs them. */
import type { Kysely } from 'kysely';
import { MamoriError } from '../../core/index.js';
import { projectOfRepository } from '../spec/index.js';
import { type Schema, toInt } from './schema.js';
import type { RepositoryRecord } from './types.js';

export async function repositoryId(db: Kysely<Schema>, name: string): Promise<number | undefined> {
  const row = await db.selectFrom('repositories').select('id').where('name', '=', name).executeTakeFirst();
  return row ? toInt(row.id) : undefined;
}

/** The id of `name`, inserting the repository first when it is new (inside a write transaction). */
export async function ensureRepository(db: Kysely<Schema>, name: string, now: number): Promise<number> {
  await db
    .insertInto('repositories')
    .values({ name, project: projectOfRepository(name), created_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const id = await repositoryId(db, name);
  if (id === undefined)
    throw new MamoriError('INTERNAL', `repository ${name} vanished inside its own transaction`);
  return id;
}

export function toRepository(r: {
  name: string;
  project: string;
  created_at: number | string | bigint;
}): RepositoryRecord {
  return { name: r.name, project: r.project, createdAt: new Date(toInt(r.created_at)) };
}
