/**
 * The rights of an account on a project, read from the access tables:
 * system admin → everything; project member → the role's actions; robot →
 * its listed actions; public project → pull for anyone. Disabled accounts
 * and expired robots have none.
 */
import type { Kysely } from 'kysely';
import type { RepositoryAction } from '../http/auth.js';
import { ALL_ACTIONS } from './names.js';
import { parseActions } from './robots.js';
import { type AccessSchema, toMs } from './schema.js';
import type { Grant } from './tokens.js';
import { isProjectRole, type ProjectRole, ROLE_ACTIONS } from './types.js';

/** What an authenticated caller is. */
export interface Principal {
  readonly kind: 'user' | 'robot' | 'anonymous';
  /** User name, or the robot's name without `robot$`. */
  readonly name: string;
  /** A bearer caller's token grants, which bound its rights. */
  readonly grants?: readonly Grant[];
}

export const ANONYMOUS_PRINCIPAL: Principal = { kind: 'anonymous', name: '' };

type Db = Kysely<AccessSchema>;

export function isActive(
  r: { disabled: number; expires_at: number | string | bigint | null },
  now: number,
): boolean {
  return r.disabled === 0 && (r.expires_at === null || toMs(r.expires_at) > now);
}

/** An enabled user's admin flag; undefined for a missing or disabled user. */
export async function enabledUser(db: Db, name: string): Promise<{ admin: boolean } | undefined> {
  const u = await db
    .selectFrom('access_users')
    .select(['admin', 'disabled'])
    .where('name', '=', name)
    .executeTakeFirst();
  return u && u.disabled === 0 ? { admin: u.admin === 1 } : undefined;
}

export async function activeRobot(db: Db, name: string, now: number): Promise<boolean> {
  const r = await db
    .selectFrom('access_robots')
    .select(['disabled', 'expires_at'])
    .where('name', '=', name)
    .executeTakeFirst();
  return r !== undefined && isActive(r, now);
}

export async function memberRole(db: Db, project: string, user: string): Promise<ProjectRole | undefined> {
  const m = await db
    .selectFrom('access_members')
    .select('role')
    .where('project', '=', project)
    .where('user_name', '=', user)
    .executeTakeFirst();
  return m && isProjectRole(m.role) ? m.role : undefined;
}

/** What the account may do on the project's repositories now, before any token bound. */
export async function accountRights(
  db: Db,
  p: Principal,
  project: string,
  now: number,
): Promise<Set<RepositoryAction>> {
  const out = new Set<RepositoryAction>();
  if (p.kind === 'user') {
    const u = await enabledUser(db, p.name);
    if (!u) return out;
    if (u.admin) return new Set(ALL_ACTIONS);
    const role = await memberRole(db, project, p.name);
    if (role) for (const a of ROLE_ACTIONS[role]) out.add(a);
  } else if (p.kind === 'robot') {
    if (!(await activeRobot(db, p.name, now))) return out;
    const perm = await db
      .selectFrom('access_robot_permissions')
      .select('actions')
      .where('robot', '=', p.name)
      .where('project', '=', project)
      .executeTakeFirst();
    if (perm) for (const a of parseActions(perm.actions)) out.add(a);
  }
  const proj = await db
    .selectFrom('access_projects')
    .select('public')
    .where('name', '=', project)
    .executeTakeFirst();
  if (proj?.public === 1) out.add('pull');
  return out;
}
