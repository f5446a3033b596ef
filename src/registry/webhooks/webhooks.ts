/**
 * Webhooks: per-project targets, persistent deliveries, a worker.
 *
 * `emit` turns an event into one queued delivery per enabled target of its
 * project whose filter wants it, in one transaction; nothing is sent from
 * the caller's request. The worker (`start`/`stop`) claims due deliveries
 * (see queue.ts), POSTs them (see post.ts), and records the outcome: 2xx →
 * succeeded; anything else (an error status, a redirect, a timeout, a
 * refused connection) → due again after an exponential backoff
 * (`baseMs` × 2^(attempt−1), capped at `maxMs`), and failed for good after
 * `maxAttempts` attempts. Rows stay in the table for `deliveries`. The
 * queue lives in the database, so a new Webhooks object (after a restart,
 * or on another replica) carries on with whatever is pending; delivery is
 * at-least-once and receivers deduplicate on X-Mamori-Delivery.
 */
import { errorMessage, MamoriError } from '../../core/index.js';
import type { StateModule, StateStore } from '../state/index.js';
import { post } from './post.js';
import {
  type Claimed,
  claim,
  type Delivery,
  type DeliveryQuery,
  enqueue,
  finish,
  listDeliveries,
  nextDue,
  type Outcome,
} from './queue.js';
import { MIGRATIONS, type WebhooksSchema } from './schema.js';
import {
  insertTarget,
  patchTarget,
  selectTarget,
  selectTargets,
  type TargetWithSecret,
  type WebhookTarget,
  type WebhookTargetPatch,
  withoutSecret,
  type NewWebhookTarget,
} from './targets.js';
import { checkId, checkProject, type WebhookEvent } from './validate.js';

export interface WebhookBackoff {
  /** Wait after the first failed attempt; doubles with each further one. Default 10 s. */
  readonly baseMs?: number;
  /** Longest wait between attempts. Default 1 h. */
  readonly maxMs?: number;
}

export interface WebhooksOptions {
  /** Clock (ms since the epoch); default the store's. */
  readonly now?: () => number;
  /** Deadline of one attempt: connect, send, read the answer. Default 10 s. */
  readonly fetchTimeoutMs?: number;
  /** Attempts before a delivery is marked failed. Default 8. */
  readonly maxAttempts?: number;
  readonly backoff?: WebhookBackoff;
  /** Attempts running at once in this worker. Default 4. */
  readonly concurrency?: number;
  /** How often an idle worker looks for deliveries queued by other processes. Default 1 s. */
  readonly pollIntervalMs?: number;
  /** Told about worker errors (the database refusing, …); the worker carries on. */
  readonly onError?: (error: MamoriError) => void;
}

function setting(v: unknown, name: string, fallback: number, min = 1): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new MamoriError('INVALID_ARGUMENT', `webhooks: ${name} must be an integer ≥ ${min}`);
  }
  return v;
}

/** Migrates the webhook tables and opens the module over them (the worker is not started). */
export async function openWebhooks(state: StateStore, options: WebhooksOptions = {}): Promise<Webhooks> {
  const module = await state.module<WebhooksSchema>('webhooks.', MIGRATIONS);
  return new Webhooks(module, options);
}

export class Webhooks {
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly concurrency: number;
  private readonly pollMs: number;
  private running = false;
  /** Incremented by each start, so a loop left over from a stop still finishing exits. */
  private generation = 0;
  private loop: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private wake: (() => void) | undefined;
  /** A wake-up that came while the worker was not waiting. */
  private kicked = false;

  /** @internal use `openWebhooks` */
  constructor(
    private readonly db: StateModule<WebhooksSchema>,
    private readonly options: WebhooksOptions,
  ) {
    if (typeof options !== 'object' || options === null) {
      throw new MamoriError('INVALID_ARGUMENT', 'webhooks: options must be an object');
    }
    if (options.now !== undefined && typeof options.now !== 'function') {
      throw new MamoriError('INVALID_ARGUMENT', 'webhooks: now must be a function');
    }
    this.now = options.now ?? db.now;
    this.timeoutMs = setting(options.fetchTimeoutMs, 'fetchTimeoutMs', 10_000);
    this.maxAttempts = setting(options.maxAttempts, 'maxAttempts', 8);
    this.baseMs = setting(options.backoff?.baseMs, 'backoff.baseMs', 10_000, 0);
    this.maxMs = setting(options.backoff?.maxMs, 'backoff.maxMs', 3_600_000, 0);
    this.concurrency = setting(options.concurrency, 'concurrency', 4);
    this.pollMs = setting(options.pollIntervalMs, 'pollIntervalMs', 1000);
  }

  // Targets

  /** Adds a target; the answer carries its secret (generated when not given), the only time it is shown. */
  createTarget(input: NewWebhookTarget): Promise<TargetWithSecret> {
    return this.db.write((db) => insertTarget(db, input, this.now()));
  }

  async getTarget(id: number): Promise<WebhookTarget | undefined> {
    checkId(id, 'target id');
    const t = await this.db.read((db) => selectTarget(db, id));
    return t && withoutSecret(t);
  }

  async listTargets(filter: { project?: string } = {}): Promise<WebhookTarget[]> {
    const project = filter.project === undefined ? undefined : checkProject(filter.project);
    return (await this.db.read((db) => selectTargets(db, project))).map(withoutSecret);
  }

  /** Changes a target; MamoriError NOT_FOUND when there is none. */
  async updateTarget(id: number, patch: WebhookTargetPatch): Promise<WebhookTarget> {
    return withoutSecret(await this.db.write((db) => patchTarget(db, id, patch, this.now())));
  }

  /** Removes a target; its pending deliveries fail at their next attempt. Returns whether it existed. */
  async deleteTarget(id: number): Promise<boolean> {
    checkId(id, 'target id');
    const r = await this.db.write((db) =>
      db.deleteFrom('webhook_targets').where('id', '=', id).executeTakeFirst(),
    );
    return Number(r.numDeletedRows) > 0;
  }

  // Events and deliveries

  /**
   * Queues the event for every matching target (see validate.ts for the
   * checks). Returns the event's id (the body's `id`) and how many
   * deliveries were queued.
   */
  async emit(event: WebhookEvent): Promise<{ eventId: string; deliveries: number }> {
    const r = await this.db.write((db) => enqueue(db, event, this.now()));
    if (r.deliveries > 0) this.kick();
    return r;
  }

  /** Deliveries, newest first, for inspection. */
  deliveries(query: DeliveryQuery = {}): Promise<Delivery[]> {
    return this.db.read((db) => listDeliveries(db, query));
  }

  // The worker

  get started(): boolean {
    return this.running;
  }

  /** Starts delivering; a no-op when already started. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const previous = this.loop ?? Promise.resolve();
    const generation = ++this.generation;
    this.loop = previous.then(() => this.run(generation));
  }

  /** Stops claiming new deliveries and waits for the attempts under way (each bounded by fetchTimeoutMs). */
  async stop(): Promise<void> {
    this.running = false;
    this.kick();
    const loop = this.loop;
    await loop;
    await Promise.all(this.inFlight);
    if (this.loop === loop) this.loop = undefined;
  }

  private kick(): void {
    if (this.wake) this.wake();
    else this.kicked = true;
  }

  private report(e: unknown): void {
    const err =
      e instanceof MamoriError
        ? e
        : new MamoriError('INTERNAL', `webhooks: ${errorMessage(e)}`, { cause: e });
    this.options.onError?.(err);
  }

  private async run(generation: number): Promise<void> {
    while (this.running && generation === this.generation) {
      let claimed: Claimed[] = [];
      const free = this.concurrency - this.inFlight.size;
      if (free > 0) {
        try {
          const now = this.now();
          // A worker that dies mid-attempt leaves the row to others once the lease ends.
          const lease = now + 2 * this.timeoutMs + 1000;
          claimed = await this.db.write((db) => claim(db, free, now, lease));
        } catch (e) {
          this.report(e);
        }
      }
      for (const c of claimed) {
        const p: Promise<void> = this.attempt(c)
          .catch((e: unknown) => this.report(e))
          .finally(() => {
            this.inFlight.delete(p);
            this.kick();
          });
        this.inFlight.add(p);
      }
      if (claimed.length > 0 && claimed.length === free) continue;
      await this.idle();
    }
  }

  /** Waits for a wake-up (an emit, a finished attempt, stop), the next due delivery, or the poll interval. */
  private async idle(): Promise<void> {
    if (this.kicked) {
      this.kicked = false;
      return;
    }
    let wait = this.pollMs;
    if (this.inFlight.size < this.concurrency) {
      try {
        const due = await this.db.read((db) => nextDue(db));
        if (due !== undefined) wait = Math.max(0, Math.min(wait, due - this.now()));
      } catch (e) {
        this.report(e);
      }
    }
    if (!this.running || this.kicked) {
      this.kicked = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, wait);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  private async attempt(c: Claimed): Promise<void> {
    const target = await this.db.read((db) => selectTarget(db, c.targetId));
    let outcome: Outcome;
    if (!target) {
      outcome = { status: 'failed', error: 'the webhook target was deleted' };
    } else if (!target.enabled) {
      outcome = { status: 'failed', error: 'the webhook target is disabled' };
    } else {
      const r = await post({
        url: target.url,
        secret: target.secret,
        body: c.body,
        eventType: c.eventType,
        deliveryId: c.deliveryId,
        timeoutMs: this.timeoutMs,
      });
      const http = r.status === undefined ? {} : { httpStatus: r.status };
      if (r.ok) outcome = { status: 'succeeded', ...http };
      else if (c.attempts >= this.maxAttempts)
        outcome = { status: 'failed', ...http, error: r.error ?? 'failed' };
      else {
        const delay = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(c.attempts - 1, 40));
        outcome = {
          status: 'pending',
          ...http,
          error: r.error ?? 'failed',
          nextAttemptAt: this.now() + delay,
        };
      }
    }
    await this.db.write((db) => finish(db, c, outcome, this.now()));
  }
}
