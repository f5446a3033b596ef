/** Webhook targets: rows ↔ records, and their queries. */
import type { Kysely } from 'kysely';
import { MamoriError } from '../../core/index.js';
import { type WebhooksSchema, type WebhookTargetsTable, toInt } from './schema.js';
import {
  checkEnabled,
  checkEventFilter,
  checkId,
  checkProject,
  checkSecret,
  checkTargetUrl,
} from './validate.js';

/** A configured target (its secret is not part of it; only `createTarget` returns it). */
export interface WebhookTarget {
  readonly id: number;
  readonly project: string;
  readonly url: string;
  /** Event types delivered to the target; `*` for all. */
  readonly events: readonly string[];
  readonly enabled: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface NewWebhookTarget {
  readonly project: string;
  /** http or https, without credentials or fragment. */
  readonly url: string;
  /** Key of the X-Mamori-Signature HMAC; generated (32 random bytes, hex) when absent. */
  readonly secret?: string;
  readonly events: readonly string[];
  /** Default true. */
  readonly enabled?: boolean;
}

export interface WebhookTargetPatch {
  readonly url?: string;
  readonly secret?: string;
  readonly events?: readonly string[];
  readonly enabled?: boolean;
}

type Row = Omit<WebhookTargetsTable, 'id' | 'created_at' | 'updated_at'> & {
  id: number | string | bigint;
  created_at: number | string | bigint;
  updated_at: number | string | bigint;
};

export interface TargetWithSecret extends WebhookTarget {
  readonly secret: string;
}

function parseEvents(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export function toTarget(r: Row): TargetWithSecret {
  return {
    id: toInt(r.id),
    project: r.project,
    url: r.url,
    events: parseEvents(r.events),
    enabled: Number(r.enabled) === 1,
    createdAt: toInt(r.created_at),
    updatedAt: toInt(r.updated_at),
    secret: r.secret,
  };
}

export function withoutSecret(t: TargetWithSecret): WebhookTarget {
  const { secret: _secret, ...rest } = t;
  return rest;
}

/** Whether a target with this filter wants events of `type`. */
export function wants(events: readonly string[], type: string): boolean {
  return events.includes('*') || events.includes(type);
}

export async function insertTarget(
  db: Kysely<WebhooksSchema>,
  input: unknown,
  now: number,
): Promise<TargetWithSecret> {
  if (typeof input !== 'object' || input === null) {
    throw new MamoriError('INVALID_ARGUMENT', 'webhook: target must be an object');
  }
  const i = input as Record<string, unknown>;
  const values = {
    project: checkProject(i.project),
    url: checkTargetUrl(i.url),
    secret: checkSecret(i.secret),
    events: JSON.stringify(checkEventFilter(i.events)),
    enabled: checkEnabled(i.enabled) ? 1 : 0,
    created_at: now,
    updated_at: now,
  };
  const row = await db.insertInto('webhook_targets').values(values).returningAll().executeTakeFirstOrThrow();
  return toTarget(row);
}

export async function selectTarget(
  db: Kysely<WebhooksSchema>,
  id: number,
): Promise<TargetWithSecret | undefined> {
  const row = await db.selectFrom('webhook_targets').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toTarget(row) : undefined;
}

export async function selectTargets(
  db: Kysely<WebhooksSchema>,
  project?: string,
): Promise<TargetWithSecret[]> {
  let q = db.selectFrom('webhook_targets').selectAll();
  if (project !== undefined) q = q.where('project', '=', checkProject(project));
  return (await q.orderBy('id').execute()).map(toTarget);
}

export async function patchTarget(
  db: Kysely<WebhooksSchema>,
  id: number,
  patch: unknown,
  now: number,
): Promise<TargetWithSecret> {
  checkId(id, 'target id');
  if (typeof patch !== 'object' || patch === null) {
    throw new MamoriError('INVALID_ARGUMENT', 'webhook: patch must be an object');
  }
  const p = patch as Record<string, unknown>;
  const set: Partial<{ url: string; secret: string; events: string; enabled: number; updated_at: number }> = {
    updated_at: now,
  };
  if (p.url !== undefined) set.url = checkTargetUrl(p.url);
  if (p.secret !== undefined) set.secret = checkSecret(p.secret);
  if (p.events !== undefined) set.events = JSON.stringify(checkEventFilter(p.events));
  if (p.enabled !== undefined) set.enabled = checkEnabled(p.enabled) ? 1 : 0;
  const row = await db
    .updateTable('webhook_targets')
    .set(set)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new MamoriError('NOT_FOUND', `webhook target ${id} does not exist`);
  return toTarget(row);
}
