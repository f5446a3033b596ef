import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openStateStore } from '../state/index.js';
import { after, before, describe, it } from 'node:test';
import { isMamoriError } from '../../core/index.js';
import {
  AUDIT_LIMITS,
  AuditLog,
  type AuditEntry,
  type AuditEvent,
  openAuditLog,
  TRUNCATION_MARKER,
} from './index.js';
import { eventually, type TempStore, tempStore } from './testing.js';

const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  actor: 'alice',
  remote: '10.0.0.7',
  action: 'push',
  resource: { repository: 'lib/app', reference: 'v1', project: 'lib' },
  result: 'success',
  ...over,
});

const invalid = (e: unknown): boolean => isMamoriError(e, 'INVALID_ARGUMENT');

describe('audit log', () => {
  let t: TempStore;
  before(async () => {
    t = await tempStore('audit-log');
  });
  after(() => t.cleanup());

  it('records events and reads them back with filters, both orders and a cursor', async () => {
    let clock = 1_000;
    const log = await openAuditLog(t.store, { now: () => clock });
    const actors = ['alice', 'bob', 'robot$ci'];
    for (let i = 0; i < 30; i++) {
      clock += 10;
      log.record(
        entry({
          actor: actors[i % 3],
          actorKind: i % 3 === 2 ? 'robot' : 'user',
          action: i % 2 === 0 ? 'push' : 'pull',
          resource: { repository: `p${i % 2}/app`, project: `p${i % 2}`, reference: `t${i}` },
          result: i % 5 === 0 ? 'denied' : 'success',
        }),
      );
    }
    log.record({ action: 'pull', result: 'failure', detail: 'no such manifest' });
    const all = await log.query({ limit: 1000, order: 'oldest-first' });
    assert.equal(all.events.length, 31);
    assert.equal(all.next, undefined);
    const ids = all.events.map((e) => e.id);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
      'ids grow with each record',
    );
    assert.equal(new Set(ids).size, 31);
    assert.deepEqual(all.events[0], {
      id: ids[0],
      time: 1_010,
      actor: 'alice',
      actorKind: 'user',
      remote: '10.0.0.7',
      action: 'push',
      resource: { repository: 'p0/app', reference: 't0', project: 'p0' },
      result: 'denied',
    });
    const anon = all.events[30] as AuditEvent;
    assert.equal(anon.actor, 'anonymous');
    assert.equal(anon.actorKind, 'anonymous');
    assert.equal(anon.remote, '');
    assert.deepEqual(anon.resource, {});
    assert.equal(anon.detail, 'no such manifest');

    const newest = await log.query({ limit: 3 });
    assert.deepEqual(
      newest.events.map((e) => e.id),
      ids.slice(-3).reverse(),
      'newest first by default',
    );

    const ids0 = (q: object): Promise<number[]> =>
      log.query({ limit: 1000, order: 'oldest-first', ...q }).then((p) => p.events.map((e) => e.id));
    const where = (f: (e: AuditEvent) => boolean): number[] => all.events.filter(f).map((e) => e.id);
    assert.deepEqual(
      await ids0({ actor: 'bob' }),
      where((e) => e.actor === 'bob'),
    );
    assert.deepEqual(
      await ids0({ action: 'pull' }),
      where((e) => e.action === 'pull'),
    );
    assert.deepEqual(
      await ids0({ repository: 'p1/app' }),
      where((e) => e.resource.repository === 'p1/app'),
    );
    assert.deepEqual(
      await ids0({ project: 'p0' }),
      where((e) => e.resource.project === 'p0'),
    );
    assert.deepEqual(
      await ids0({ result: 'denied' }),
      where((e) => e.result === 'denied'),
    );
    assert.deepEqual(
      await ids0({ since: 1_100, until: 1_200 }),
      where((e) => e.time >= 1_100 && e.time < 1_200),
    );
    assert.deepEqual(
      await ids0({ project: 'p0', action: 'push', result: 'success', actor: 'robot$ci' }),
      where(
        (e) =>
          e.resource.project === 'p0' &&
          e.action === 'push' &&
          e.result === 'success' &&
          e.actor === 'robot$ci',
      ),
    );
    assert.equal((await ids0({ since: 1_100 })).length, 22);

    for (const order of ['oldest-first', 'newest-first'] as const) {
      const seen: number[] = [];
      let afterId: number | undefined;
      let pages = 0;
      do {
        const page = await log.query({ limit: 7, order, project: 'p1', ...(afterId ? { afterId } : {}) });
        seen.push(...page.events.map((e) => e.id));
        afterId = page.next;
        pages++;
      } while (afterId !== undefined);
      const expected = where((e) => e.resource.project === 'p1');
      assert.deepEqual(seen, order === 'oldest-first' ? expected : [...expected].reverse());
      assert.equal(pages, 3);
    }
    await log.close();
  });

  it('keeps pages stable while events keep arriving (append-only)', async () => {
    const log = await openAuditLog(t.store);
    for (let i = 0; i < 10; i++) log.record(entry({ action: 'stable', detail: `before ${i}` }));
    const first = await log.query({ action: 'stable', limit: 4 });
    const oldest = await log.query({ action: 'stable', limit: 4, order: 'oldest-first' });
    for (let i = 0; i < 10; i++) log.record(entry({ action: 'stable', detail: `after ${i}` }));
    const rest: string[] = [];
    for (let afterId = first.next; afterId !== undefined;) {
      const page = await log.query({ action: 'stable', limit: 4, afterId });
      rest.push(...page.events.map((e) => e.detail ?? ''));
      afterId = page.next;
    }
    assert.deepEqual(rest, ['before 5', 'before 4', 'before 3', 'before 2', 'before 1', 'before 0']);
    assert.deepEqual(await log.query({ action: 'stable', limit: 4, order: 'oldest-first' }), oldest);
    await log.close();
  });

  it('has no API that changes or deletes an event, except the retention purge', () => {
    const methods = Object.getOwnPropertyNames(AuditLog.prototype);
    const mutating = methods.filter((m) => /update|delete|remove|edit|set|put|truncate|clear|drop/i.test(m));
    assert.deepEqual(mutating, []);
    assert.ok(methods.includes('purgeBefore'));
  });

  it('refuses malformed entries and queries with MamoriError, and clamps the page size', async () => {
    const log = await openAuditLog(t.store);
    const bad: unknown[] = [
      null,
      'push',
      { result: 'success' },
      entry({ action: 'Push' }),
      entry({ action: 'x'.repeat(65) }),
      entry({ action: '' }),
      entry({ action: 'push\n' }),
      { ...entry(), result: 'ok' },
      { ...entry(), actorKind: 'admin' },
      { ...entry(), actor: 42 },
      { ...entry(), time: -1 },
      { ...entry(), time: 1.5 },
      { ...entry(), resource: 'lib/app' },
      { ...entry(), resource: { repository: ['x'] } },
    ];
    for (const b of bad) assert.throws(() => log.record(b as AuditEntry), invalid, JSON.stringify(b));
    assert.doesNotThrow(() => log.record(entry({ action: 'a'.repeat(64) })));
    assert.doesNotThrow(() => log.record(entry({ action: 'project.create' })));
    for (const q of [
      { limit: 0 },
      { limit: 1.5 },
      { afterId: -1 },
      { order: 'up' },
      { result: 'ok' },
      { since: '1' },
    ]) {
      await assert.rejects(log.query(q as object), invalid, JSON.stringify(q));
    }
    for (let i = 0; i < 1001; i++) log.record(entry({ action: 'many' }));
    const page = await log.query({ action: 'many', limit: 5000 });
    assert.equal(page.events.length, 1000);
    assert.notEqual(page.next, undefined);
    await log.close();
    assert.throws(() => log.record(entry()), /closed/);
  });

  it('escapes control characters and caps hostile values without refusing the event', async () => {
    const log = await openAuditLog(t.store);
    const huge = 'A'.repeat(10_000_000);
    log.record({
      actor: 'eve\0\n[admin] granted',
      remote: '1.2.3.4\r\nX-Forwarded-For: evil',
      action: 'hostile',
      resource: {
        repository: `lib/\u001b[31mred\u2028next\u202eevil`,
        reference: 'literal \\x00 and \ud800 lone',
        digest: huge,
        project: '😀 pair',
      },
      result: 'failure',
      detail: huge + '\n',
    });
    const [e] = (await log.query({ action: 'hostile' })).events;
    assert.ok(e);
    assert.equal(e.actor, 'eve\\x00\\x0a[admin] granted');
    assert.equal(e.remote, '1.2.3.4\\x0d\\x0aX-Forwarded-For: evil');
    assert.equal(e.resource.repository, 'lib/\\x1b[31mred\\u2028next\\u202eevil');
    assert.equal(
      e.resource.reference,
      'literal \\\\x00 and \\ud800 lone',
      'a literal backslash stays distinguishable',
    );
    assert.equal(e.resource.project, '😀 pair', 'a valid surrogate pair is kept');
    assert.equal(e.detail?.length, AUDIT_LIMITS.detail);
    assert.ok(e.detail?.endsWith(TRUNCATION_MARKER));
    assert.equal(e.resource.digest?.length, AUDIT_LIMITS.digest);
    for (const v of [e.actor, e.remote, ...Object.values(e.resource), e.detail ?? '']) {
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(v, /[\x00-\x1f\x7f-\x9f\u2028\u2029]/);
    }
    // A value exactly at its cap is kept whole; one over it is cut at a character boundary.
    log.record(entry({ action: 'cap', actor: 'b'.repeat(AUDIT_LIMITS.actor) }));
    log.record(entry({ action: 'cap', actor: '😀'.repeat(AUDIT_LIMITS.actor) }));
    const [cut, whole] = (await log.query({ action: 'cap' })).events;
    assert.equal(whole?.actor, 'b'.repeat(AUDIT_LIMITS.actor));
    assert.ok(cut && cut.actor.length <= AUDIT_LIMITS.actor && cut.actor.endsWith(TRUNCATION_MARKER));
    assert.equal(
      cut.actor.slice(0, -TRUNCATION_MARKER.length),
      '😀'.repeat(cut.actor.slice(0, -TRUNCATION_MARKER.length).length / 2),
    );
    await log.close();
  });

  it('writes in batches: at maxBatch, after the interval, on flush and on close', async () => {
    const reader = await openAuditLog(t.store);
    const count = async (action: string): Promise<number> =>
      (await reader.query({ action, limit: 1000 })).events.length;

    const slow = await openAuditLog(t.store, { flushIntervalMs: 3_600_000 });
    for (let i = 0; i < 10; i++) slow.record(entry({ action: 'batch.flush' }));
    assert.equal(slow.pending, 10);
    assert.equal(await count('batch.flush'), 0, 'nothing is written before the batch is due');
    await slow.flush();
    assert.equal(slow.pending, 0);
    assert.equal(await count('batch.flush'), 10);

    for (let i = 0; i < 7; i++) slow.record(entry({ action: 'batch.close' }));
    await slow.close();
    const again = await openAuditLog(await t.reopen());
    assert.equal((await again.query({ action: 'batch.close' })).events.length, 7, 'close wrote the buffer');

    const bySize = await openAuditLog(t.store, { flushIntervalMs: 3_600_000, maxBatch: 5 });
    for (let i = 0; i < 4; i++) bySize.record(entry({ action: 'batch.size' }));
    assert.equal(await count('batch.size'), 0);
    bySize.record(entry({ action: 'batch.size' }));
    await eventually(async () => (await count('batch.size')) === 5, 'a full batch to be written');

    const byTime = await openAuditLog(t.store, { flushIntervalMs: 20 });
    byTime.record(entry({ action: 'batch.time' }));
    await eventually(async () => (await count('batch.time')) === 1, 'the interval flush');

    const small = await openAuditLog(t.store, { flushIntervalMs: 3_600_000, maxBuffered: 5 });
    for (let i = 0; i < 8; i++) small.record(entry({ action: 'batch.full', detail: String(i) }));
    await small.close();
    assert.deepEqual(
      (await reader.query({ action: 'batch.full', order: 'oldest-first' })).events.map((e) => e.detail),
      ['0', '1', '2', '3', '4'],
    );
    const [note] = (await reader.query({ action: 'audit.dropped' })).events;
    assert.equal(note?.actorKind, 'system');
    assert.match(note?.detail ?? '', /^3 events dropped/);
    await Promise.all([bySize.close(), byTime.close(), reader.close()]);
  });

  it('forwards stored events in id order, and purges old events only on request, recording it', async () => {
    const got: AuditEvent[] = [];
    let clock = 5_000;
    const store = await t.reopen();
    const log = await openAuditLog(store, { now: () => clock, forward: { send: (e) => got.push(e) } });
    const before = (await log.query({ limit: 1 })).events[0]?.id ?? 0;
    for (const time of [100, 200, 300]) log.record(entry({ action: 'old', time }));
    await log.flush();
    assert.deepEqual(
      got.map((e) => e.time),
      [100, 200, 300],
    );
    assert.ok(got.every((e, i) => e.id > before && (i === 0 || e.id > (got[i - 1] as AuditEvent).id)));

    await assert.rejects(log.purgeBefore(250, { actor: '' }), invalid);
    clock = 9_000;
    const deleted = await log.purgeBefore(250, { actor: 'admin', remote: '10.9.9.9' });
    assert.equal(deleted, 2);
    const left = (await log.query({ action: 'old' })).events.map((e) => e.time);
    assert.deepEqual(left, [300]);
    const [purge] = (await log.query({ action: 'audit.purge' })).events;
    assert.equal(purge?.actor, 'admin');
    assert.equal(purge?.remote, '10.9.9.9');
    assert.equal(purge?.time, 9_000);
    assert.match(
      purge?.detail ?? '',
      new RegExp(`^deleted ${deleted} events before 1970-01-01T00:00:00.250Z$`),
    );
    assert.deepEqual(got[got.length - 1], purge, 'the purge event is forwarded too');
    log.record(entry({ action: 'after.purge' }));
    const [next] = (await log.query({ action: 'after.purge' })).events;
    assert.ok(next && purge && next.id > purge.id, 'ids are not reused after a purge');
    await log.close();
  });

  it('loses at most the unflushed window when the process is killed (SIGKILL)', async () => {
    const script = fileURLToPath(new URL('./testdata/recorder.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, t.path, '120', '30'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(child, 'exit');
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await eventually(() => out.includes('ready'), 'the child to record');
    child.kill('SIGKILL');
    await exited;
    const log = await openAuditLog(t.store);
    assert.equal((await log.query({ action: 'crash.flushed', limit: 1000 })).events.length, 120);
    assert.equal((await log.query({ action: 'crash.unflushed', limit: 1000 })).events.length, 0);
    await log.close();
  });

  it('keeps events buffered while the database refuses writes, and says how many it had to drop', async () => {
    const store = await openStateStore({ kind: 'sqlite', path: t.path, busyTimeoutMs: 20 });
    const errors: string[] = [];
    const log = await openAuditLog(store, {
      flushIntervalMs: 3_600_000,
      maxBuffered: 3,
      onError: (e) => errors.push(e.code),
    });
    const other = new Database(t.path);
    try {
      other.exec('begin immediate');
      for (let i = 0; i < 5; i++) log.record(entry({ action: 'locked', detail: String(i) }));
      await assert.rejects(log.flush(), (e: unknown) => isMamoriError(e, 'IO'));
      assert.deepEqual(errors, ['IO']);
      assert.equal(log.pending, 3, 'nothing buffered was lost');
      assert.deepEqual((await log.query({ action: 'locked' })).events, [], 'reads still work');
      other.exec('commit');
    } finally {
      other.close();
    }
    await log.close();
    assert.deepEqual(
      (await log.query({ action: 'locked', order: 'oldest-first' })).events.map((e) => e.detail),
      ['0', '1', '2'],
    );
    const notes = (await log.query({ action: 'audit.dropped' })).events.map((e) => e.detail ?? '');
    assert.match(notes[0] ?? '', /^2 events dropped/);
    await store.close();
  });
});
