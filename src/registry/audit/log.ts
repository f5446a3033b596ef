/**
 * The audit log: append-only, batched writes, filtered reads and exports.
 *
 * Writes are buffered in the AuditLog object and inserted in one
 * transaction per batch: when `maxBatch` events (500) are waiting, or
 * `flushIntervalMs` (200 ms) after the first of them. Pulls are recorded per
 * blob, and on SQLite every commit is an fsync (`synchronous = FULL`) made
 * on the event-loop thread (better-sqlite3 is synchronous), so one commit
 * per event would stall every request for a disk flush; a batch pays one.
 * (Measured on SQLite in WAL with FULL sync, on a VM disk with a write
 * cache: 0.30 ms per event with a commit each, 0.0075 ms per event in
 * batches of 500; on a disk without a write cache a commit costs
 * milliseconds, all of it blocking the server.)
 * `flush()` and `close()` write everything buffered; `query` and the
 * exports flush first, so a caller reads its own writes. What a SIGKILL or
 * a power loss can lose is the unflushed window: at most `maxBatch` events
 * or `flushIntervalMs` of them. While the database refuses writes, events
 * stay buffered (retried every interval) up to `maxBuffered` (50,000); beyond that
 * new ones are counted and dropped, and an `audit.dropped` event saying how
 * many is written as soon as the database takes writes again.
 *
 * There is no update and no delete: the only way rows leave is
 * `purgeBefore`, an explicit retention purge that records itself.
 */
import type { Writable } from 'node:stream';
import { errorMessage, MamoriError } from '../../core/index.js';
import type { StateModule, StateStore } from '../state/index.js';
import { type AuditEntry, type AuditEvent, normalizeEntry, type NormalizedEntry } from './event.js';
import { writeLines } from './lines.js';
import {
  type AuditFilter,
  type AuditPage,
  type AuditQuery,
  checkFilter,
  checkPaging,
  MAX_PAGE,
  maxId,
  selectPage,
} from './query.js';
import { type AuditSchema, MIGRATIONS } from './schema.js';
import { type SyslogOptions, toSyslog } from './syslog.js';

/** Receives every event once it is stored (a syslog forwarder, …). Must not throw. */
export interface AuditSink {
  send(event: AuditEvent): void;
}

export interface AuditLogOptions {
  /** Clock for events without a time; default the store's. */
  readonly now?: () => number;
  /** Default 200 ms. */
  readonly flushIntervalMs?: number;
  /** Events per transaction; a full buffer of this size is written at once. Default 500. */
  readonly maxBatch?: number;
  /** Events held while the database is slow or refuses writes, before new ones are dropped. Default 50,000. */
  readonly maxBuffered?: number;
  /** Gets every stored event, in id order. */
  readonly forward?: AuditSink;
  /** Told about background flushes that failed (they are retried). */
  readonly onError?: (error: MamoriError) => void;
}

/** Who asked for a purge. */
export interface PurgeRequest {
  readonly actor: string;
  readonly actorKind?: 'user' | 'robot' | 'system';
  readonly remote?: string;
}

const INSERT_CHUNK = 100;

function positiveInt(v: unknown, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
    throw new MamoriError('INVALID_ARGUMENT', `audit log: ${name} must be a positive integer`);
  }
  return v;
}

/** Migrates the audit table and opens the log over it. */
export async function openAuditLog(state: StateStore, options: AuditLogOptions = {}): Promise<AuditLog> {
  const module = await state.module<AuditSchema>('audit.', MIGRATIONS);
  return new AuditLog(module, options);
}

export class AuditLog {
  private readonly now: () => number;
  private readonly interval: number;
  private readonly maxBatch: number;
  private readonly maxBuffered: number;
  private buffer: NormalizedEntry[] = [];
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private backgroundQueued = false;

  /** @internal use `openAuditLog` */
  constructor(
    private readonly db: StateModule<AuditSchema>,
    private readonly options: AuditLogOptions,
  ) {
    if (typeof options !== 'object' || options === null) {
      throw new MamoriError('INVALID_ARGUMENT', 'audit log: options must be an object');
    }
    if (options.now !== undefined && typeof options.now !== 'function') {
      throw new MamoriError('INVALID_ARGUMENT', 'audit log: now must be a function');
    }
    this.now = options.now ?? db.now;
    this.interval = positiveInt(options.flushIntervalMs, 'flushIntervalMs', 200);
    this.maxBatch = positiveInt(options.maxBatch, 'maxBatch', 500);
    this.maxBuffered = positiveInt(options.maxBuffered, 'maxBuffered', 50_000);
  }

  /** Events recorded and not yet stored. */
  get pending(): number {
    return this.buffer.length;
  }

  /**
   * Validates, bounds and buffers an event (see event.ts). Throws
   * MamoriError INVALID_ARGUMENT for a malformed entry or a closed log,
   * never for an over-long value.
   */
  record(entry: AuditEntry): void {
    if (this.closed) throw new MamoriError('INVALID_ARGUMENT', 'the audit log is closed');
    const e = normalizeEntry(entry, this.now);
    if (this.buffer.length >= this.maxBuffered) {
      this.dropped++;
      return;
    }
    this.buffer.push(e);
    if (this.buffer.length >= this.maxBatch) this.background();
    else this.schedule();
  }

  /** Stores everything recorded so far; rejects (keeping the events) when the database refuses. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const p = this.chain.then(() => this.drain());
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** Flushes and refuses further records. Does not close the state store. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  /** One page of events, newest first unless asked otherwise. */
  async query(q: AuditQuery = {}): Promise<AuditPage> {
    const filter = checkFilter(q);
    const paging = checkPaging(q);
    // Reads still work while writes fail; the failure reaches onError.
    await this.flush().catch(() => undefined);
    return this.db.read((db) => selectPage(db, filter, paging));
  }

  /**
   * Every matching event, oldest first, up to the last one stored when the
   * walk began, a page at a time (memory stays flat however many match).
   */
  async *events(filter: AuditFilter = {}): AsyncGenerator<AuditEvent> {
    const f = checkFilter(filter);
    await this.flush().catch(() => undefined);
    const top = await this.db.read((db) => maxId(db));
    let afterId: number | undefined;
    for (;;) {
      const paging = { limit: MAX_PAGE, order: 'oldest-first' as const, maxId: top };
      const page = await this.db.read((db) =>
        selectPage(db, f, afterId === undefined ? paging : { ...paging, afterId }),
      );
      yield* page.events;
      if (page.next === undefined) return;
      afterId = page.next;
    }
  }

  /** Writes matching events as JSON lines (one object per line); returns how many. */
  exportJsonLines(filter: AuditFilter, writable: Writable): Promise<number> {
    return writeLines(this.events(filter), writable, (e) => JSON.stringify(e));
  }

  /** Writes matching events as RFC 5424 messages, one per line; returns how many. */
  exportSyslog(filter: AuditFilter, writable: Writable, options: SyslogOptions = {}): Promise<number> {
    return writeLines(this.events(filter), writable, (e) => toSyslog(e, options));
  }

  /**
   * Retention: deletes the events older than `before` (ms) and records an
   * `audit.purge` event naming who asked, in the same transaction. Only for
   * an explicit administrator request. Returns how many were deleted.
   */
  async purgeBefore(before: number, by: PurgeRequest): Promise<number> {
    if (typeof before !== 'number' || !Number.isSafeInteger(before)) {
      throw new MamoriError('INVALID_ARGUMENT', 'audit purge: before must be an integer of ms');
    }
    if (typeof by !== 'object' || by === null || typeof by.actor !== 'string' || by.actor === '') {
      throw new MamoriError('INVALID_ARGUMENT', 'audit purge: the requesting actor is required');
    }
    const entry = normalizeEntry(
      {
        actor: by.actor,
        actorKind: by.actorKind ?? 'user',
        ...(by.remote === undefined ? {} : { remote: by.remote }),
        action: 'audit.purge',
        result: 'success',
        detail: `events before ${new Date(before).toISOString()}`,
      },
      this.now,
    );
    await this.flush();
    // Serialised with the batches, so ids stay in order for the forwarder.
    const run = this.chain.then(() =>
      this.db.write(async (db) => {
        const r = await db.deleteFrom('audit_events').where('time', '<', before).executeTakeFirst();
        const deleted = Number(r.numDeletedRows);
        const stored = { ...entry, detail: `deleted ${deleted} ${entry.detail ?? ''}` };
        const [id] = await insertRows(db, [stored]);
        return { deleted, event: { id: id ?? 0, ...stored } };
      }),
    );
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    const { deleted, event } = await run;
    this.forward([event]);
    return deleted;
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.background();
    }, this.interval);
    // A buffered event alone does not keep the process alive; `close` writes it.
    this.timer.unref();
  }

  private background(): void {
    // One queued background flush is enough: a running drain takes what arrives meanwhile.
    if (this.backgroundQueued) return;
    this.backgroundQueued = true;
    const p = this.chain.then(() => {
      this.backgroundQueued = false;
      return this.flush();
    });
    p.catch(() => undefined);
  }

  private async drain(): Promise<void> {
    while (this.buffer.length > 0 || this.dropped > 0) {
      const batch = this.buffer.slice(0, this.maxBatch);
      const dropped = this.dropped;
      const noteDropped = dropped > 0 && batch.length < this.maxBatch;
      if (noteDropped) {
        batch.push(
          normalizeEntry(
            {
              actor: 'mamori',
              actorKind: 'system',
              action: 'audit.dropped',
              result: 'failure',
              detail: `${dropped} events dropped: the buffer was full (database slow or refusing writes)`,
            },
            this.now,
          ),
        );
      }
      let ids: number[];
      try {
        ids = await this.db.write((db) => insertRows(db, batch));
      } catch (e) {
        const err =
          e instanceof MamoriError ? e : new MamoriError('IO', `audit log: ${errorMessage(e)}`, { cause: e });
        this.options.onError?.(err);
        this.schedule();
        throw err;
      }
      this.buffer.splice(0, Math.min(batch.length, this.buffer.length));
      if (noteDropped) this.dropped -= dropped;
      this.forward(batch.map((e, i) => ({ id: ids[i] ?? 0, ...e })));
    }
  }

  private forward(events: AuditEvent[]): void {
    const sink = this.options.forward;
    if (!sink) return;
    for (const e of events) {
      try {
        sink.send(e);
      } catch (err) {
        this.options.onError?.(new MamoriError('IO', `audit forwarder: ${errorMessage(err)}`));
      }
    }
  }
}

/** Inserts rows in order and returns their ids, ascending (ids grow with insertion order). */
async function insertRows(
  db: Parameters<Parameters<StateModule<AuditSchema>['write']>[0]>[0],
  entries: readonly NormalizedEntry[],
): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < entries.length; i += INSERT_CHUNK) {
    const rows = entries.slice(i, i + INSERT_CHUNK).map((e) => ({
      time: e.time,
      actor: e.actor,
      actor_kind: e.actorKind,
      remote: e.remote,
      action: e.action,
      repository: e.resource.repository ?? null,
      reference: e.resource.reference ?? null,
      digest: e.resource.digest ?? null,
      project: e.resource.project ?? null,
      result: e.result,
      detail: e.detail ?? null,
    }));
    const r = await db.insertInto('audit_events').values(rows).returning('id').execute();
    ids.push(...r.map((x) => Number(x.id)).sort((a, b) => a - b));
  }
  return ids;
}
