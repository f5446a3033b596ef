/** User accounts: scrypt-hashed passwords, the system-admin flag, disabling. */
import type { Kysely } from 'kysely';
import { MamoriError } from '../../core/index.js';
import { parseUserName, shown } from './names.js';
import { hashPassword, verifyPasswordHash } from './passwords.js';
import { type AccessSchema, toMs } from './schema.js';
import type { Ctx, UserRecord } from './types.js';

type UserRow = AccessSchema['access_users'];

function record(
  r: Pick<UserRow, 'name' | 'admin' | 'disabled'> & { created_at: number | string | bigint },
): UserRecord {
  return { name: r.name, admin: r.admin === 1, disabled: r.disabled === 1, created: toMs(r.created_at) };
}

function notFound(name: string): MamoriError {
  return new MamoriError('NOT_FOUND', `no user ${shown(name)}`);
}

/** Refuses a change that would leave no enabled system administrator. */
async function keepAnAdmin(db: Kysely<AccessSchema>, name: string, what: string): Promise<void> {
  const u = await db
    .selectFrom('access_users')
    .select(['admin', 'disabled'])
    .where('name', '=', name)
    .executeTakeFirst();
  if (!u || u.admin !== 1 || u.disabled === 1) return;
  const others = await db
    .selectFrom('access_users')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('admin', '=', 1)
    .where('disabled', '=', 0)
    .where('name', '<>', name)
    .executeTakeFirstOrThrow();
  if (Number(others.n) === 0) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `cannot ${what} ${shown(name)}: it is the last enabled system administrator`,
    );
  }
}

export class Users {
  constructor(private readonly ctx: Ctx) {}

  async create(name: string, password: string, options: { admin?: boolean } = {}): Promise<UserRecord> {
    const n = parseUserName(name);
    const hash = await hashPassword(password, this.ctx.scrypt);
    const row = {
      name: n,
      password_hash: hash,
      admin: options.admin === true ? 1 : 0,
      disabled: 0,
      created_at: this.ctx.now(),
    };
    const r = await this.ctx.m.write((db) =>
      db
        .insertInto('access_users')
        .values(row)
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst(),
    );
    if (Number(r.numInsertedOrUpdatedRows ?? 0) === 0) {
      throw new MamoriError('INVALID_ARGUMENT', `user ${shown(n)} already exists`);
    }
    return record(row);
  }

  async get(name: string): Promise<UserRecord | undefined> {
    if (typeof name !== 'string') return undefined;
    const r = await this.ctx.m.read((db) =>
      db
        .selectFrom('access_users')
        .select(['name', 'admin', 'disabled', 'created_at'])
        .where('name', '=', name)
        .executeTakeFirst(),
    );
    return r && record(r);
  }

  async list(): Promise<UserRecord[]> {
    const rows = await this.ctx.m.read((db) =>
      db
        .selectFrom('access_users')
        .select(['name', 'admin', 'disabled', 'created_at'])
        .orderBy('name')
        .execute(),
    );
    return rows.map(record);
  }

  /** Deletes the user and their project memberships; false when there was none. */
  async delete(name: string): Promise<boolean> {
    if (typeof name !== 'string') return false;
    const r = await this.ctx.m.write(async (db) => {
      await keepAnAdmin(db, name, 'delete');
      return db.deleteFrom('access_users').where('name', '=', name).executeTakeFirst();
    });
    this.ctx.cache.forget(name);
    return Number(r.numDeletedRows) > 0;
  }

  async setPassword(name: string, password: string): Promise<void> {
    const hash = await hashPassword(password, this.ctx.scrypt);
    const r = await this.ctx.m.write((db) =>
      db.updateTable('access_users').set({ password_hash: hash }).where('name', '=', name).executeTakeFirst(),
    );
    this.ctx.cache.forget(name);
    if (Number(r.numUpdatedRows) === 0) throw notFound(name);
  }

  async setAdmin(name: string, admin: boolean): Promise<void> {
    await this.update(name, { admin: admin ? 1 : 0 }, admin ? undefined : 'demote');
  }

  async setDisabled(name: string, disabled: boolean): Promise<void> {
    await this.update(name, { disabled: disabled ? 1 : 0 }, disabled ? 'disable' : undefined);
    this.ctx.cache.forget(name);
  }

  private async update(
    name: string,
    set: { admin?: number; disabled?: number },
    guard?: string,
  ): Promise<void> {
    const r = await this.ctx.m.write(async (db) => {
      if (guard) await keepAnAdmin(db, name, guard);
      return db.updateTable('access_users').set(set).where('name', '=', name).executeTakeFirst();
    });
    if (Number(r.numUpdatedRows) === 0) throw notFound(name);
  }

  /** Whether `password` is the user's password (disabled or not); constant-time compare. */
  async verifyPassword(name: string, password: string): Promise<boolean> {
    const hash = await this.passwordHash(name);
    return hash !== undefined && (await verifyPasswordHash(hash, password));
  }

  /** The stored hash, for login; undefined for an unknown name. */
  async passwordHash(name: string): Promise<string | undefined> {
    if (typeof name !== 'string') return undefined;
    const r = await this.ctx.m.read((db) =>
      db.selectFrom('access_users').select('password_hash').where('name', '=', name).executeTakeFirst(),
    );
    return r?.password_hash;
  }
}
