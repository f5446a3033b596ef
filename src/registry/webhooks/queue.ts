/**
 * The delivery queue: one row per (event × matching target), claimed by a
 * worker with a lease, finished as succeeded, failed, or due again later.
 *
 * Claiming moves `next_attempt_at` to the end of a lease and counts the
 * attempt, in one transaction that only takes rows still due, so two
 * workers (two replicas on PostgreSQL) never claim the same row at once.
 * A worker that dies mid-attempt leaves the row pending: it is due again
 * when the lease ends, and another worker takes it (at-least-once). A
 * worker finishes a row only if nobody claimed it after it (same attempt
 * number), so a late answer cannot overwrite a newer attempt.
 */
import { randomUUID } from 'node:crypto';
import { type Kysely, type Selectable, sql } from 'kysely';
import { MamoriError } from '../../core/index.js';
import { type WebhookDeliveriesTable, type WebhooksSchema, toInt } from './schema.js';
import { selectTargets, wants } from './targets.js';
import { checkId, eventBody } from './validate.js';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A delivery as `deliveries` reports it. */
export interface Delivery {
  /** The X-Mamori-Delivery header value. */
  readonly id: string;
  readonly targetId: number;
  readonly eventId: string;
  readonly eventType: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly createdAt: number;
  /** When a pending delivery is next tried. */
  readonly nextAttemptAt?: number;
  readonly lastAttemptAt?: number;
  /** HTTP status of the last answer. */
  readonly lastStatus?: number;
  readonly lastError?: string;
  readonly finishedAt?: number;
  /** The JSON body sent. */
  readonly body: string;
}

export interface DeliveryQuery {
  readonly target?: number;
  readonly status?: DeliveryStatus;
  /** 1…1000, default 100; newest first. */
  readonly limit?: number;
}

type Row = Selectable<WebhookDeliveriesTable>;

export interface Claimed {
  readonly seq: number;
  readonly deliveryId: string;
  readonly targetId: number;
  readonly eventType: string;
  readonly body: string;
  readonly attempts: number;
}

/** Queues the event for every enabled target of its project that wants it; returns the event id and count. */
export async function enqueue(
  db: Kysely<WebhooksSchema>,
  event: unknown,
  now: number,
): Promise<{ eventId: string; deliveries: number }> {
  const eventId = randomUUID();
  const { type, project, body } = eventBody(event, eventId, now);
  const targets = (await selectTargets(db, project)).filter((t) => t.enabled && wants(t.events, type));
  if (targets.length > 0) {
    await db
      .insertInto('webhook_deliveries')
      .values(
        targets.map((t) => ({
          delivery_id: randomUUID(),
          target_id: t.id,
          event_id: eventId,
          event_type: type,
          body,
          status: 'pending',
          attempts: 0,
          next_attempt_at: now,
          created_at: now,
          last_attempt_at: null,
          last_status: null,
          last_error: null,
          finished_at: null,
        })),
      )
      .execute();
  }
  return { eventId, deliveries: targets.length };
}

/** Claims up to `n` due deliveries until `leaseUntil`. */
export async function claim(
  db: Kysely<WebhooksSchema>,
  n: number,
  now: number,
  leaseUntil: number,
): Promise<Claimed[]> {
  const due = await db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(n)
    .execute();
  if (due.length === 0) return [];
  const rows = await db
    .updateTable('webhook_deliveries')
    .set({ attempts: sql`attempts + 1`, next_attempt_at: leaseUntil, last_attempt_at: now })
    .where(
      'id',
      'in',
      due.map((d) => d.id),
    )
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .returning(['id', 'delivery_id', 'target_id', 'event_type', 'body', 'attempts'])
    .execute();
  return rows
    .map((r) => ({
      seq: toInt(r.id),
      deliveryId: r.delivery_id,
      targetId: toInt(r.target_id),
      eventType: r.event_type,
      body: r.body,
      attempts: Number(r.attempts),
    }))
    .sort((a, b) => a.seq - b.seq);
}

export interface Outcome {
  readonly status: DeliveryStatus;
  readonly httpStatus?: number;
  readonly error?: string;
  /** For `pending`: when to try again. */
  readonly nextAttemptAt?: number;
}

/** Records the attempt's outcome unless the row was claimed again since; returns whether it was. */
export async function finish(
  db: Kysely<WebhooksSchema>,
  c: Claimed,
  o: Outcome,
  now: number,
): Promise<boolean> {
  const r = await db
    .updateTable('webhook_deliveries')
    .set({
      status: o.status,
      last_status: o.httpStatus ?? null,
      last_error: o.error ?? null,
      ...(o.status === 'pending' ? { next_attempt_at: o.nextAttemptAt ?? now } : { finished_at: now }),
    })
    .where('id', '=', c.seq)
    .where('attempts', '=', c.attempts)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** When the earliest pending delivery is due, if any. */
export async function nextDue(db: Kysely<WebhooksSchema>): Promise<number | undefined> {
  const r = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => eb.fn.min('next_attempt_at').as('t'))
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return r?.t === null || r?.t === undefined ? undefined : toInt(r.t);
}

export async function listDeliveries(db: Kysely<WebhooksSchema>, q: DeliveryQuery = {}): Promise<Delivery[]> {
  if (typeof q !== 'object' || q === null)
    throw new MamoriError('INVALID_ARGUMENT', 'webhook: query must be an object');
  const limit = q.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1)
    throw new MamoriError('INVALID_ARGUMENT', 'webhook: limit must be a positive integer');
  let sel = db.selectFrom('webhook_deliveries').selectAll();
  if (q.target !== undefined) sel = sel.where('target_id', '=', checkId(q.target, 'target'));
  if (q.status !== undefined) {
    if (!(DELIVERY_STATUSES as readonly string[]).includes(q.status)) {
      throw new MamoriError('INVALID_ARGUMENT', 'webhook: status must be pending, succeeded or failed');
    }
    sel = sel.where('status', '=', q.status);
  }
  const rows = await sel.orderBy('id', 'desc').limit(Math.min(limit, 1000)).execute();
  return rows.map(toDelivery);
}

function toDelivery(r: Row): Delivery {
  const status = (DELIVERY_STATUSES as readonly string[]).includes(r.status)
    ? (r.status as DeliveryStatus)
    : 'failed';
  const opt = (k: string, v: number | string | bigint | null): Record<string, number> =>
    v === null ? {} : { [k]: toInt(v) };
  return {
    id: r.delivery_id,
    targetId: toInt(r.target_id),
    eventId: r.event_id,
    eventType: r.event_type,
    status,
    attempts: Number(r.attempts),
    createdAt: toInt(r.created_at),
    ...(status === 'pending' ? { nextAttemptAt: toInt(r.next_attempt_at) } : {}),
    ...opt('lastAttemptAt', r.last_attempt_at),
    ...opt('lastStatus', r.last_status),
    ...(r.last_error === null ? {} : { lastError: r.last_error }),
    ...opt('finishedAt', r.finished_at),
    body: r.body,
  };
}
