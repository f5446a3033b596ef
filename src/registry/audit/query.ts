/**
 * Reading the audit table: filters, keyset paging on `id`, and the mapping
 * from rows to events. Pure query building over the module's kysely view.
 */
import type { Kysely, SelectQueryBuilder } from 'kysely';
import { MamoriError } from '../../core/index.js';
import {
  type AuditEvent,
  type AuditResource,
  type AuditResult,
  type ActorKind,
  isActorKind,
  isResult,
} from './event.js';
import { type AuditEventsTable, type AuditSchema, toInt } from './schema.js';

/** Which events: every given condition must hold. */
export interface AuditFilter {
  /** time ≥ since (ms). */
  readonly since?: number;
  /** time < until (ms). */
  readonly until?: number;
  readonly actor?: string;
  readonly action?: string;
  readonly repository?: string;
  readonly project?: string;
  readonly result?: AuditResult;
}

export type AuditOrder = 'newest-first' | 'oldest-first';

export interface AuditQuery extends AuditFilter {
  /** The cursor: `next` of the previous page. */
  readonly afterId?: number;
  /** Page size, 1…1000 (larger asks get 1000); default 100. */
  readonly limit?: number;
  /** Default newest-first. */
  readonly order?: AuditOrder;
}

export interface AuditPage {
  readonly events: AuditEvent[];
  /** Pass as `afterId` for the next page; absent on the last page. */
  readonly next?: number;
}

export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;

type Row = Omit<AuditEventsTable, 'id' | 'time'> & {
  id: number | string | bigint;
  time: number | string | bigint;
};

function bad(message: string): MamoriError {
  return new MamoriError('INVALID_ARGUMENT', `audit query: ${message}`);
}

function checkTime(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw bad(`${name} must be an integer of ms`);
  return v;
}

function checkString(v: unknown, name: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw bad(`${name} must be a string`);
  return v;
}

/** The validated filter (a hostile object's extra keys are ignored). */
export function checkFilter(f: unknown): AuditFilter {
  if (f === undefined || f === null) return {};
  if (typeof f !== 'object') throw bad('the filter must be an object');
  const q = f as Record<string, unknown>;
  if (q.result !== undefined && !isResult(q.result)) throw bad('result must be success, denied or failure');
  const out: Record<string, unknown> = {
    since: checkTime(q.since, 'since'),
    until: checkTime(q.until, 'until'),
    actor: checkString(q.actor, 'actor'),
    action: checkString(q.action, 'action'),
    repository: checkString(q.repository, 'repository'),
    project: checkString(q.project, 'project'),
    result: q.result,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out as AuditFilter;
}

export function checkPaging(q: AuditQuery): { afterId?: number; limit: number; order: AuditOrder } {
  const afterId = q.afterId;
  if (
    afterId !== undefined &&
    (typeof afterId !== 'number' || !Number.isSafeInteger(afterId) || afterId < 0)
  ) {
    throw bad('afterId must be a non-negative integer');
  }
  const limit = q.limit ?? DEFAULT_PAGE;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
    throw bad('limit must be a positive integer');
  }
  const order = q.order ?? 'newest-first';
  if (order !== 'newest-first' && order !== 'oldest-first') {
    throw bad('order must be newest-first or oldest-first');
  }
  return { ...(afterId === undefined ? {} : { afterId }), limit: Math.min(limit, MAX_PAGE), order };
}

type Select = SelectQueryBuilder<AuditSchema, 'audit_events', Row>;

function where(qb: Select, f: AuditFilter): Select {
  let q = qb;
  if (f.since !== undefined) q = q.where('time', '>=', f.since);
  if (f.until !== undefined) q = q.where('time', '<', f.until);
  if (f.actor !== undefined) q = q.where('actor', '=', f.actor);
  if (f.action !== undefined) q = q.where('action', '=', f.action);
  if (f.repository !== undefined) q = q.where('repository', '=', f.repository);
  if (f.project !== undefined) q = q.where('project', '=', f.project);
  if (f.result !== undefined) q = q.where('result', '=', f.result);
  return q;
}

/** One page; `maxId` bounds a scan to the events that existed when it began. */
export async function selectPage(
  db: Kysely<AuditSchema>,
  filter: AuditFilter,
  paging: { afterId?: number; limit: number; order: AuditOrder; maxId?: number },
): Promise<AuditPage> {
  const newest = paging.order === 'newest-first';
  let q = where(db.selectFrom('audit_events').selectAll() as Select, filter);
  if (paging.afterId !== undefined) q = q.where('id', newest ? '<' : '>', paging.afterId);
  if (paging.maxId !== undefined) q = q.where('id', '<=', paging.maxId);
  const rows = await q
    .orderBy('id', newest ? 'desc' : 'asc')
    .limit(paging.limit + 1)
    .execute();
  const more = rows.length > paging.limit;
  const events = rows.slice(0, paging.limit).map(toEvent);
  const last = events[events.length - 1];
  return more && last ? { events, next: last.id } : { events };
}

/** The highest id stored, 0 when there is none. */
export async function maxId(db: Kysely<AuditSchema>): Promise<number> {
  const r = await db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.max('id').as('m'))
    .executeTakeFirst();
  return r?.m === null || r?.m === undefined ? 0 : toInt(r.m);
}

function toEvent(r: Row): AuditEvent {
  const resource: Record<string, string> = {};
  if (r.repository !== null) resource.repository = r.repository;
  if (r.reference !== null) resource.reference = r.reference;
  if (r.digest !== null) resource.digest = r.digest;
  if (r.project !== null) resource.project = r.project;
  return {
    id: toInt(r.id),
    time: toInt(r.time),
    actor: r.actor,
    actorKind: (isActorKind(r.actor_kind) ? r.actor_kind : 'system') as ActorKind,
    remote: r.remote,
    action: r.action,
    resource: resource as AuditResource,
    result: (isResult(r.result) ? r.result : 'failure') as AuditResult,
    ...(r.detail === null ? {} : { detail: r.detail }),
  };
}
