/** Projects (the first component of repository names) and their members. */
import { MamoriError } from '../../core/index.js';
import { parseProjectName, shown } from './names.js';
import { toMs } from './schema.js';
import {
  type Ctx,
  isProjectRole,
  type MemberRecord,
  PROJECT_ROLES,
  type ProjectRecord,
  type ProjectRole,
} from './types.js';

function projectRecord(r: {
  name: string;
  public: number;
  created_at: number | string | bigint;
}): ProjectRecord {
  return { name: r.name, public: r.public === 1, created: toMs(r.created_at) };
}

function checkRole(role: unknown): ProjectRole {
  if (!isProjectRole(role)) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `role ${shown(role)} is not one of ${PROJECT_ROLES.join(', ')}`,
    );
  }
  return role;
}

function noProject(name: string): MamoriError {
  return new MamoriError('NOT_FOUND', `no project ${shown(name)}`);
}

export class Members {
  constructor(private readonly ctx: Ctx) {}

  async add(project: string, user: string, role: ProjectRole): Promise<MemberRecord> {
    const r = checkRole(role);
    const created = this.ctx.now();
    await this.ctx.m.write(async (db) => {
      const p = await db
        .selectFrom('access_projects')
        .select('name')
        .where('name', '=', project)
        .executeTakeFirst();
      if (!p) throw noProject(project);
      const u = await db
        .selectFrom('access_users')
        .select('name')
        .where('name', '=', user)
        .executeTakeFirst();
      if (!u) throw new MamoriError('NOT_FOUND', `no user ${shown(user)}`);
      const ins = await db
        .insertInto('access_members')
        .values({ project, user_name: user, role: r, created_at: created })
        .onConflict((oc) => oc.columns(['project', 'user_name']).doNothing())
        .executeTakeFirst();
      if (Number(ins.numInsertedOrUpdatedRows ?? 0) === 0) {
        throw new MamoriError('INVALID_ARGUMENT', `${shown(user)} is already a member of ${shown(project)}`);
      }
    });
    return { project, user, role: r, created };
  }

  async update(project: string, user: string, role: ProjectRole): Promise<void> {
    const r = checkRole(role);
    const u = await this.ctx.m.write((db) =>
      db
        .updateTable('access_members')
        .set({ role: r })
        .where('project', '=', project)
        .where('user_name', '=', user)
        .executeTakeFirst(),
    );
    if (Number(u.numUpdatedRows) === 0) {
      throw new MamoriError('NOT_FOUND', `${shown(user)} is not a member of ${shown(project)}`);
    }
  }

  async remove(project: string, user: string): Promise<boolean> {
    const d = await this.ctx.m.write((db) =>
      db
        .deleteFrom('access_members')
        .where('project', '=', project)
        .where('user_name', '=', user)
        .executeTakeFirst(),
    );
    return Number(d.numDeletedRows) > 0;
  }

  async list(project: string): Promise<MemberRecord[]> {
    const rows = await this.ctx.m.read((db) =>
      db
        .selectFrom('access_members')
        .selectAll()
        .where('project', '=', project)
        .orderBy('user_name')
        .execute(),
    );
    return rows.flatMap((r) =>
      isProjectRole(r.role)
        ? [{ project: r.project, user: r.user_name, role: r.role, created: toMs(r.created_at) }]
        : [],
    );
  }
}

export class Projects {
  readonly members: Members;

  constructor(private readonly ctx: Ctx) {
    this.members = new Members(ctx);
  }

  async create(name: string, options: { public?: boolean } = {}): Promise<ProjectRecord> {
    const row = {
      name: parseProjectName(name),
      public: options.public === true ? 1 : 0,
      created_at: this.ctx.now(),
    };
    const r = await this.ctx.m.write((db) =>
      db
        .insertInto('access_projects')
        .values(row)
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst(),
    );
    if (Number(r.numInsertedOrUpdatedRows ?? 0) === 0) {
      throw new MamoriError('INVALID_ARGUMENT', `project ${shown(row.name)} already exists`);
    }
    return projectRecord(row);
  }

  /** Creates the project unless it exists; true when this call created it. */
  async createIfMissing(name: string): Promise<boolean> {
    const row = { name: parseProjectName(name), public: 0, created_at: this.ctx.now() };
    const r = await this.ctx.m.write((db) =>
      db
        .insertInto('access_projects')
        .values(row)
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst(),
    );
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async get(name: string): Promise<ProjectRecord | undefined> {
    if (typeof name !== 'string') return undefined;
    const r = await this.ctx.m.read((db) =>
      db.selectFrom('access_projects').selectAll().where('name', '=', name).executeTakeFirst(),
    );
    return r && projectRecord(r);
  }

  async list(): Promise<ProjectRecord[]> {
    const rows = await this.ctx.m.read((db) =>
      db.selectFrom('access_projects').selectAll().orderBy('name').execute(),
    );
    return rows.map(projectRecord);
  }

  /**
   * Deletes the project with its memberships and robot permissions (not
   * its repositories: the caller decides what happens to those first).
   */
  async delete(name: string): Promise<boolean> {
    if (typeof name !== 'string') return false;
    const r = await this.ctx.m.write((db) =>
      db.deleteFrom('access_projects').where('name', '=', name).executeTakeFirst(),
    );
    return Number(r.numDeletedRows) > 0;
  }

  async setPublic(name: string, isPublic: boolean): Promise<void> {
    const r = await this.ctx.m.write((db) =>
      db
        .updateTable('access_projects')
        .set({ public: isPublic ? 1 : 0 })
        .where('name', '=', name)
        .executeTakeFirst(),
    );
    if (Number(r.numUpdatedRows) === 0) throw noProject(name);
  }
}
