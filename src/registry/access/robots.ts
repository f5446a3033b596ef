/**
 * Robot accounts (Harbor): `robot$NAME` with a generated secret, per-project
 * pull/push/delete permissions, an optional expiry and a disabled flag.
 */
import type { Kysely } from 'kysely';
import { MamoriError } from '../../core/index.js';
import type { RepositoryAction } from '../http/auth.js';
import {
  isRepositoryAction,
  parseProjectName,
  parseRobotName,
  ROBOT_PREFIX,
  shown,
  sortActions,
} from './names.js';
import { generateSecret, hashSecret } from './passwords.js';
import { type AccessSchema, toMs } from './schema.js';
import type { CreatedRobot, Ctx, NewRobot, RobotPermission, RobotRecord } from './types.js';

const MAX_DESCRIPTION = 1024;
const MAX_PERMISSIONS = 256;

type RobotRow = Omit<AccessSchema['access_robots'], 'expires_at' | 'created_at' | 'secret_hash'> & {
  expires_at: number | string | bigint | null;
  created_at: number | string | bigint;
};

export function parseActions(list: string): RepositoryAction[] {
  return sortActions(list.split(',').filter(isRepositoryAction));
}

function checkExpiry(v: unknown, now: number): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= now) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      'expiresAt must be null or a time (ms since the epoch) in the future',
    );
  }
  return v;
}

function checkPermissions(list: unknown): RobotPermission[] {
  if (!Array.isArray(list) || list.length > MAX_PERMISSIONS) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `permissions must be a list of at most ${MAX_PERMISSIONS} entries`,
    );
  }
  const seen = new Set<string>();
  return list.map((p: unknown) => {
    const { project, actions } = (typeof p === 'object' && p !== null ? p : {}) as Record<string, unknown>;
    const name = parseProjectName(project);
    if (seen.has(name)) throw new MamoriError('INVALID_ARGUMENT', `project ${shown(name)} is listed twice`);
    seen.add(name);
    if (!Array.isArray(actions) || actions.length === 0 || !actions.every(isRepositoryAction)) {
      throw new MamoriError(
        'INVALID_ARGUMENT',
        `actions on ${shown(name)} must be a non-empty subset of pull, push, delete`,
      );
    }
    return { project: name, actions: sortActions(actions) };
  });
}

async function load(db: Kysely<AccessSchema>, rows: RobotRow[]): Promise<RobotRecord[]> {
  if (rows.length === 0) return [];
  const perms = await db
    .selectFrom('access_robot_permissions')
    .selectAll()
    .where(
      'robot',
      'in',
      rows.map((r) => r.name),
    )
    .orderBy('project')
    .execute();
  return rows.map((r) => ({
    name: ROBOT_PREFIX + r.name,
    description: r.description,
    expiresAt: r.expires_at === null ? null : toMs(r.expires_at),
    disabled: r.disabled === 1,
    created: toMs(r.created_at),
    permissions: perms
      .filter((p) => p.robot === r.name)
      .map((p) => ({ project: p.project, actions: parseActions(p.actions) })),
  }));
}

const COLUMNS = ['name', 'description', 'expires_at', 'disabled', 'created_at'] as const;

export class Robots {
  constructor(private readonly ctx: Ctx) {}

  /** Creates the robot; the secret is in the answer and nowhere else. */
  async create(input: NewRobot): Promise<CreatedRobot> {
    const name = parseRobotName(input.name);
    const description = input.description ?? '';
    if (typeof description !== 'string' || description.length > MAX_DESCRIPTION) {
      throw new MamoriError(
        'INVALID_ARGUMENT',
        `description must be a string of at most ${MAX_DESCRIPTION} characters`,
      );
    }
    const now = this.ctx.now();
    const expiresAt = checkExpiry(input.expiresAt, now);
    const permissions = checkPermissions(input.permissions);
    const secret = generateSecret();
    await this.ctx.m.write(async (db) => {
      const ins = await db
        .insertInto('access_robots')
        .values({
          name,
          secret_hash: hashSecret(secret),
          description,
          expires_at: expiresAt,
          disabled: 0,
          created_at: now,
        })
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst();
      if (Number(ins.numInsertedOrUpdatedRows ?? 0) === 0) {
        throw new MamoriError('INVALID_ARGUMENT', `robot ${shown(ROBOT_PREFIX + name)} already exists`);
      }
      for (const p of permissions) {
        const exists = await db
          .selectFrom('access_projects')
          .select('name')
          .where('name', '=', p.project)
          .executeTakeFirst();
        if (!exists) throw new MamoriError('NOT_FOUND', `no project ${shown(p.project)}`);
        await db
          .insertInto('access_robot_permissions')
          .values({ robot: name, project: p.project, actions: p.actions.join(',') })
          .execute();
      }
    });
    return {
      robot: {
        name: ROBOT_PREFIX + name,
        description,
        expiresAt,
        disabled: false,
        created: now,
        permissions,
      },
      secret,
    };
  }

  async get(name: string): Promise<RobotRecord | undefined> {
    const short = parseRobotName(name);
    const [r] = await this.ctx.m.read(async (db) =>
      load(db, await db.selectFrom('access_robots').select(COLUMNS).where('name', '=', short).execute()),
    );
    return r;
  }

  async list(): Promise<RobotRecord[]> {
    return this.ctx.m.read(async (db) =>
      load(db, await db.selectFrom('access_robots').select(COLUMNS).orderBy('name').execute()),
    );
  }

  async delete(name: string): Promise<boolean> {
    const short = parseRobotName(name);
    const r = await this.ctx.m.write((db) =>
      db.deleteFrom('access_robots').where('name', '=', short).executeTakeFirst(),
    );
    return Number(r.numDeletedRows) > 0;
  }

  /** Sets or clears (null) the expiry time, ms since the epoch. */
  async setExpiry(name: string, expiresAt: number | null): Promise<void> {
    await this.update(name, { expires_at: checkExpiry(expiresAt, this.ctx.now()) });
  }

  async setDisabled(name: string, disabled: boolean): Promise<void> {
    await this.update(name, { disabled: disabled ? 1 : 0 });
  }

  /** Replaces the secret; the new one is returned this once. */
  async regenerateSecret(name: string): Promise<string> {
    const secret = generateSecret();
    await this.update(name, { secret_hash: hashSecret(secret) });
    return secret;
  }

  private async update(
    name: string,
    set: { expires_at?: number | null; disabled?: number; secret_hash?: string },
  ): Promise<void> {
    const short = parseRobotName(name);
    const r = await this.ctx.m.write((db) =>
      db.updateTable('access_robots').set(set).where('name', '=', short).executeTakeFirst(),
    );
    if (Number(r.numUpdatedRows) === 0)
      throw new MamoriError('NOT_FOUND', `no robot ${shown(ROBOT_PREFIX + short)}`);
  }
}
