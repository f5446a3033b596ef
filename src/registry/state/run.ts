/**
 * How operations reach the database: reads as single statements (each sees
 * one consistent snapshot), writes inside one transaction on one pinned
 * connection, so a set of rows changes together or not at all.
 */
import { type Kysely, sql } from 'kysely';
import type { Engine } from './engine.js';
import type { Schema } from './schema.js';

export interface Ctx {
  readonly engine: Engine;
  readonly now: () => number;
}

/** Attempts of a transaction that failed on a deadlock or serialization conflict (PostgreSQL). */
const ATTEMPTS = 4;

export async function write<T>(ctx: Ctx, fn: (db: Kysely<Schema>) => Promise<T>): Promise<T> {
  const { engine } = ctx;
  for (let attempt = 1; ; attempt++) {
    try {
      return await engine.db.connection().execute(async (conn) => {
        await sql.raw(engine.beginWrite).execute(conn);
        try {
          const result = await fn(conn);
          await sql`commit`.execute(conn);
          return result;
        } catch (e) {
          // SQLite may already have rolled back (SQLITE_FULL, …): then ROLLBACK itself fails, harmlessly.
          await sql`rollback`.execute(conn).catch(() => undefined);
          throw e;
        }
      });
    } catch (e) {
      if (attempt < ATTEMPTS && engine.isRetryable(e)) continue;
      throw engine.wrap(e);
    }
  }
}

export async function read<T>(ctx: Ctx, fn: (db: Kysely<Schema>) => Promise<T>): Promise<T> {
  try {
    return await fn(ctx.engine.db);
  } catch (e) {
    throw ctx.engine.wrap(e);
  }
}

/** Splits `items` into chunks of at most `size` (bound parameters per statement stay small). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
