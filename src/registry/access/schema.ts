/**
 * The access module's tables, kept in the registry's database under the
 * `access.` migration prefix. Times are ms since the epoch in `bigint`
 * columns (PostgreSQL returns them as strings: read through `toMs`); flags
 * are 0/1 integers (SQLite has no boolean type).
 */
import type { ColumnType } from 'kysely';
import type { ModuleMigration } from '../state/index.js';

/** A `bigint` column: a number in, a number or a decimal string out. */
type Int8 = ColumnType<number | string | bigint, number, number>;
type NullableInt8 = ColumnType<number | string | bigint | null, number | null, number | null>;

export interface AccessSchema {
  access_users: {
    name: string;
    /** `$scrypt$ln=…,r=…,p=…$salt$hash` (passwords.ts). */
    password_hash: string;
    admin: number;
    disabled: number;
    created_at: Int8;
  };
  access_projects: {
    name: string;
    public: number;
    created_at: Int8;
  };
  access_members: {
    project: string;
    user_name: string;
    role: string;
    created_at: Int8;
  };
  access_robots: {
    /** The name without the `robot$` prefix. */
    name: string;
    /** `$sha256$<hex>` of the generated secret (passwords.ts). */
    secret_hash: string;
    description: string;
    expires_at: NullableInt8;
    disabled: number;
    created_at: Int8;
  };
  access_robot_permissions: {
    robot: string;
    project: string;
    /** Comma-separated subset of pull,push,delete. */
    actions: string;
  };
}

/** A `bigint` read back from either engine as a JS number. */
export function toMs(v: number | string | bigint): number {
  return typeof v === 'number' ? v : Number(v);
}

export const MIGRATIONS: readonly ModuleMigration<AccessSchema>[] = [
  {
    name: 'access.0001_initial',
    async up(db, c) {
      await db.schema
        .createTable('access_users')
        .addColumn('name', c.nameType, (col) => col.primaryKey())
        .addColumn('password_hash', 'text', (col) => col.notNull())
        .addColumn('admin', 'integer', (col) => col.notNull())
        .addColumn('disabled', 'integer', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema
        .createTable('access_projects')
        .addColumn('name', c.nameType, (col) => col.primaryKey())
        .addColumn('public', 'integer', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema
        .createTable('access_members')
        .addColumn('project', c.nameType, (col) =>
          col.notNull().references('access_projects.name').onDelete('cascade'),
        )
        .addColumn('user_name', c.nameType, (col) =>
          col.notNull().references('access_users.name').onDelete('cascade'),
        )
        .addColumn('role', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('access_members_pk', ['project', 'user_name'])
        .execute();
      await db.schema.createIndex('access_members_user').on('access_members').column('user_name').execute();
      await db.schema
        .createTable('access_robots')
        .addColumn('name', c.nameType, (col) => col.primaryKey())
        .addColumn('secret_hash', 'text', (col) => col.notNull())
        .addColumn('description', 'text', (col) => col.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('disabled', 'integer', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema
        .createTable('access_robot_permissions')
        .addColumn('robot', c.nameType, (col) =>
          col.notNull().references('access_robots.name').onDelete('cascade'),
        )
        .addColumn('project', c.nameType, (col) =>
          col.notNull().references('access_projects.name').onDelete('cascade'),
        )
        .addColumn('actions', 'text', (col) => col.notNull())
        .addPrimaryKeyConstraint('access_robot_permissions_pk', ['robot', 'project'])
        .execute();
      await db.schema
        .createIndex('access_robot_permissions_project')
        .on('access_robot_permissions')
        .column('project')
        .execute();
    },
  },
];
