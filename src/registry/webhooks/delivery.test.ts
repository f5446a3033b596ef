import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  type Delivery,
  MAX_RESPONSE_BYTES,
  openWebhooks,
  type Webhooks,
  type WebhooksOptions,
} from './index.js';
import { eventually, type Receiver, startReceiver, type TempDb, tempDb, verifySignature } from './testing.js';

const DIGEST = `sha256:${'b'.repeat(64)}`;
const FAST: WebhooksOptions = {
  backoff: { baseMs: 20, maxMs: 200 },
  fetchTimeoutMs: 2_000,
  pollIntervalMs: 50,
};

describe('webhook delivery to a real HTTP receiver', () => {
  let db: TempDb;
  const cleanups: (() => Promise<void>)[] = [];
  before(async () => {
    db = await tempDb('webhook-delivery');
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  after(() => db.cleanup());

  async function setup(
    behaviour: Receiver['behaviour'],
    options: WebhooksOptions = FAST,
  ): Promise<{ hooks: Webhooks; receiver: Receiver; secret: string; targetId: number }> {
    const receiver = await startReceiver(behaviour);
    const hooks = await openWebhooks(await db.open(), options);
    const project = `p${Math.random().toString(36).slice(2, 10)}`;
    const t = await hooks.createTarget({ project, url: receiver.url, events: ['push', 'scan.completed'] });
    cleanups.push(
      () => receiver.close(),
      () => hooks.stop(),
    );
    return { hooks, receiver, secret: t.secret, targetId: t.id };
  }

  const only = async (hooks: Webhooks, target: number): Promise<Delivery> => {
    const [d, ...rest] = await hooks.deliveries({ target });
    assert.ok(d);
    assert.equal(rest.length, 0);
    return d;
  };

  it('posts signed JSON the receiver can verify, with event and delivery headers', async () => {
    const { hooks, receiver, secret, targetId } = await setup(() => 200);
    const target = await hooks.getTarget(targetId);
    const project = target?.project ?? '';
    hooks.start();
    const { eventId } = await hooks.emit({
      type: 'push',
      project,
      repository: `${project}/app`,
      tag: 'v1',
      digest: DIGEST,
      data: { size: 1234, note: 'ünïcode "quoted"' },
    });
    await eventually(async () => (await only(hooks, targetId)).status === 'succeeded', 'the delivery');
    const d = await only(hooks, targetId);
    assert.equal(d.attempts, 1);
    assert.equal(d.lastStatus, 200);
    assert.equal(receiver.received.length, 1);
    const [r] = receiver.received;
    assert.ok(r);
    assert.equal(r.path, '/hook');
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.headers['x-mamori-event'], 'push');
    assert.equal(r.headers['x-mamori-delivery'], d.id);
    assert.equal(r.body, d.body, 'the exact stored body is sent');
    assert.ok(verifySignature(secret, r.body, r.headers['x-mamori-signature']), 'the signature verifies');
    assert.equal(verifySignature('wrong secret', r.body, r.headers['x-mamori-signature']), false);
    assert.equal(verifySignature(secret, r.body + ' ', r.headers['x-mamori-signature']), false);
    const body = JSON.parse(r.body) as Record<string, unknown>;
    assert.deepEqual(
      { ...body, time: undefined },
      {
        id: eventId,
        type: 'push',
        time: undefined,
        project,
        repository: `${project}/app`,
        digest: DIGEST,
        tag: 'v1',
        data: { size: 1234, note: 'ünïcode "quoted"' },
      },
    );
    // Events the target did not ask for are not delivered.
    assert.equal((await hooks.emit({ type: 'delete', project })).deliveries, 0);
  });

  it('retries after 500s and timeouts, with the same delivery id and body, then succeeds', async () => {
    const { hooks, receiver, secret, targetId } = await setup(
      (n) => (n === 1 ? 500 : n === 2 ? 'hang' : 200),
      {
        ...FAST,
        fetchTimeoutMs: 300,
      },
    );
    const project = (await hooks.getTarget(targetId))?.project ?? '';
    hooks.start();
    await hooks.emit({ type: 'scan.completed', project, data: { critical: 0 } });
    await eventually(
      async () => (await only(hooks, targetId)).status === 'succeeded',
      'success on the third attempt',
    );
    const d = await only(hooks, targetId);
    assert.equal(d.attempts, 3);
    assert.equal(d.lastStatus, 200);
    assert.equal(receiver.received.length, 3);
    for (const r of receiver.received) {
      assert.equal(r.headers['x-mamori-delivery'], d.id);
      assert.equal(r.body, d.body);
      assert.ok(verifySignature(secret, r.body, r.headers['x-mamori-signature']));
    }
  });

  it('gives up after maxAttempts and keeps the failed delivery for inspection', async () => {
    const { hooks, receiver, targetId } = await setup(() => 503, { ...FAST, maxAttempts: 3 });
    const project = (await hooks.getTarget(targetId))?.project ?? '';
    hooks.start();
    await hooks.emit({ type: 'push', project });
    await eventually(async () => (await only(hooks, targetId)).status === 'failed', 'the delivery to fail');
    const d = await only(hooks, targetId);
    assert.equal(d.attempts, 3);
    assert.equal(d.lastStatus, 503);
    assert.match(d.lastError ?? '', /^HTTP 503: x+…$/);
    assert.ok((d.lastError ?? '').length <= MAX_RESPONSE_BYTES, 'the answer was read only in part');
    assert.equal(d.nextAttemptAt, undefined);
    assert.ok(d.finishedAt !== undefined);
    await hooks.stop();
    assert.equal(receiver.received.length, 3, 'no attempt after the last');
    assert.ok((await hooks.deliveries({ status: 'failed', target: targetId })).length === 1);
  });

  it('does not follow redirects, and reports refused connections', async () => {
    const { hooks, receiver, targetId } = await setup(() => 302, { ...FAST, maxAttempts: 2 });
    const project = (await hooks.getTarget(targetId))?.project ?? '';
    const gone = await startReceiver();
    await gone.close();
    const dead = await hooks.createTarget({ project, url: gone.url, events: ['push'] });
    hooks.start();
    await hooks.emit({ type: 'push', project });
    await eventually(
      async () =>
        (await hooks.deliveries({ status: 'failed' })).filter(
          (d) => d.targetId === targetId || d.targetId === dead.id,
        ).length === 2,
      'both deliveries to fail',
    );
    const redirected = await only(hooks, targetId);
    assert.equal(redirected.lastStatus, 302);
    assert.match(redirected.lastError ?? '', /redirects are not followed/);
    assert.deepEqual(
      receiver.received.map((r) => r.path),
      ['/hook', '/hook'],
      'the Location was never requested',
    );
    const refused = await only(hooks, dead.id);
    assert.equal(refused.lastStatus, undefined);
    assert.match(refused.lastError ?? '', /ECONNREFUSED/);
  });

  it('carries on with pending deliveries in a new Webhooks object over the same database', async () => {
    const receiver = await startReceiver(() => 500);
    cleanups.push(() => receiver.close());
    const store1 = await db.open();
    const first = await openWebhooks(store1, FAST);
    const t = await first.createTarget({ project: 'restart', url: receiver.url, events: ['push'] });
    first.start();
    await first.emit({ type: 'push', project: 'restart', tag: 'v1' });
    await eventually(() => receiver.received.length >= 1, 'the first attempt');
    await first.stop();
    // Queued while no worker runs.
    await first.emit({ type: 'push', project: 'restart', tag: 'v2' });
    await store1.close();
    const attemptsBefore = receiver.received.length;

    receiver.behaviour = () => 200;
    const second = await openWebhooks(await db.open(), FAST);
    cleanups.push(() => second.stop());
    second.start();
    await eventually(
      async () => (await second.deliveries({ target: t.id, status: 'succeeded' })).length === 2,
      'both deliveries after the restart',
    );
    const [v2, v1] = await second.deliveries({ target: t.id });
    assert.equal(v1?.attempts, attemptsBefore + 1);
    assert.equal(v2?.attempts, 1);
    const ids = receiver.received.map((r) => r.headers['x-mamori-delivery']);
    assert.deepEqual(
      [...new Set(ids)].sort(),
      [v1?.id, v2?.id].sort(),
      'the restarted worker sent the same deliveries, not new ones',
    );
  });

  it('redelivers an attempt whose worker was killed mid-request (SIGKILL), once its lease ends', async () => {
    const receiver = await startReceiver(() => 'hang');
    cleanups.push(() => receiver.close());
    const store = await db.open();
    const setupHooks = await openWebhooks(store, FAST);
    const t = await setupHooks.createTarget({ project: 'crash', url: receiver.url, events: ['push'] });
    await setupHooks.emit({ type: 'push', project: 'crash' });

    const script = fileURLToPath(new URL('./testdata/worker.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, db.path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(child, 'exit');
    await eventually(() => receiver.received.length === 1, 'the child worker to send');
    child.kill('SIGKILL');
    await exited;
    const [claimed] = await setupHooks.deliveries({ target: t.id });
    assert.equal(claimed?.status, 'pending');
    assert.equal(claimed?.attempts, 1, 'the claim was committed before the request');

    receiver.behaviour = () => 200;
    const next = await openWebhooks(store, FAST);
    cleanups.push(() => next.stop());
    next.start();
    await eventually(
      async () => (await next.deliveries({ target: t.id }))[0]?.status === 'succeeded',
      'redelivery',
    );
    const [done] = await next.deliveries({ target: t.id });
    assert.equal(done?.attempts, 2);
    assert.deepEqual(
      receiver.received.map((r) => r.headers['x-mamori-delivery']),
      [done?.id, done?.id],
      'at-least-once: the same delivery twice',
    );
  });

  it('keeps delivering when started again while a stop is under way', async () => {
    const { hooks, receiver, targetId } = await setup(() => 200);
    const project = (await hooks.getTarget(targetId))?.project ?? '';
    hooks.start();
    const stopping = hooks.stop();
    hooks.start();
    await stopping;
    assert.equal(hooks.started, true);
    await hooks.emit({ type: 'push', project });
    await eventually(async () => (await only(hooks, targetId)).status === 'succeeded', 'the delivery');
    assert.equal(receiver.received.length, 1);
  });
});
