import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ContainerEvent, ContainerRef, ProcessInfo } from '../model/index.js';
import { ProfileEngine, ProfileStore, shouldKill, type ProfileEngineOptions } from './index.js';

const MIN = 60_000;
const container: ContainerRef = {
  id: 'c-engine-1',
  runtime: 'runc',
  pid: 100,
  image: 'web:1',
  imageDigest: 'sha256:' + '1'.repeat(64),
};
const init: ProcessInfo = {
  pid: 100,
  ppid: 1,
  uid: 0,
  exe: '/usr/bin/python3',
  argv: ['python3', '-m', 'http.server'],
  comm: 'python3',
};
const tree = [init];
const base = { time: 0, cgroupId: '42', pid: 100, comm: 'python3', uid: 0 };
const sha = (c: string): string => 'sha256:' + c.repeat(64);

const ev = {
  exec: (exe: string, hash?: string): ContainerEvent => ({
    ...base,
    kind: 'exec',
    ppid: 100,
    exe,
    argv: [exe],
    ...(hash ? { sha256: hash } : {}),
  }),
  connect: (address: string, port: number): ContainerEvent => ({
    ...base,
    kind: 'connect',
    protocol: 'tcp',
    family: 'inet',
    address,
    port,
  }),
  accept: (localPort: number): ContainerEvent => ({
    ...base,
    kind: 'accept',
    protocol: 'tcp',
    family: 'inet',
    address: '10.9.9.9',
    port: 40000,
    localPort,
  }),
  write: (path: string): ContainerEvent => ({ ...base, kind: 'open', path, flags: 577, write: true }),
  read: (path: string): ContainerEvent => ({ ...base, kind: 'open', path, flags: 0, write: false }),
  syscalls: (...syscalls: string[]): ContainerEvent => ({ ...base, kind: 'syscalls', syscalls }),
  notable: (): ContainerEvent => ({
    ...base,
    kind: 'syscall',
    syscall: 'unshare',
    args: { flags: 0x10000000 },
  }),
};

function engineAt(opts: ProfileEngineOptions = {}): { engine: ProfileEngine; clock: { now: number } } {
  const clock = { now: 1_000_000 };
  return {
    engine: new ProfileEngine({ clock: () => clock.now, quietMs: 10 * MIN, minLearnMs: 20 * MIN, ...opts }),
    clock,
  };
}

function learnBaseline(engine: ProfileEngine): void {
  for (const e of [
    ev.exec('/usr/bin/python3', sha('a')),
    ev.connect('10.0.0.5', 5432),
    ev.accept(8000),
    ev.write('/var/log/app/app-20240101.log'),
    ev.write('/tmp/tmpk2j3/upload'),
    ev.read('/etc/ssl/private/key.pem'),
    ev.syscalls('read', 'write', 'accept4'),
  ]) {
    const r = engine.observe(e, container, tree);
    assert.ok(r && r.learned.length > 0, `learned ${e.kind}`);
  }
}

describe('ProfileEngine', () => {
  it('learns, then promotes learn → monitor only after the quiet window and the minimum learn time', () => {
    const { engine, clock } = engineAt();
    learnBaseline(engine);
    const id = engine.list()[0]?.id ?? '';
    clock.now += 9 * MIN;
    assert.deepEqual(engine.promoteDue(), [], 'not quiet long enough');
    clock.now += 2 * MIN; // quiet 11 min, learning 11 min < 20
    assert.deepEqual(engine.promoteDue(), []);
    assert.equal(
      engine.observe(ev.connect('10.0.0.77', 5432), container, tree)?.learned.length,
      0,
      'same /24 peer',
    );
    engine.observe(ev.syscalls('futex'), container, tree); // new behaviour restarts the quiet window
    clock.now += 9 * MIN; // learning 20 min, quiet 9 min
    assert.deepEqual(engine.promoteDue(), []);
    clock.now += 1 * MIN;
    const r = engine.observe(ev.syscalls('read'), container, tree);
    assert.equal(r?.promoted, true);
    assert.equal(r?.workload.mode, 'monitor');
    assert.equal(engine.get(id)?.modeSource, 'automatic');
    assert.deepEqual(r?.alerts, []);
  });

  it('raises one stable deviation per dimension in monitor mode, none for known behaviour', () => {
    const { engine } = engineAt({ autoPromote: false });
    learnBaseline(engine);
    engine.setMode(engine.list()[0]?.name ?? '', 'monitor');
    const known = [
      ev.exec('/usr/bin/python3', sha('a')),
      ev.connect('10.0.0.200', 5432),
      ev.accept(8000),
      ev.write('/var/log/app/app-20240202.log'),
      ev.write('/tmp/other/file'),
      ev.read('/etc/ssl/private/key.pem'),
      ev.syscalls('read', 'accept4'),
    ];
    for (const e of known) assert.deepEqual(engine.observe(e, container, tree)?.alerts, [], e.kind);
    const cases: [ContainerEvent, string, string, string | number][] = [
      [ev.exec('/bin/sh'), 'MP001', 'reason', 'new-executable'],
      [ev.exec('/usr/bin/python3', sha('b')), 'MP001', 'reason', 'content-changed'],
      [ev.connect('203.0.113.9', 4444), 'MP002', 'address', '203.0.113.9'],
      [ev.connect('10.0.0.5', 22), 'MP002', 'port', 22],
      [ev.accept(2222), 'MP003', 'localPort', 2222],
      [ev.write('/etc/cron.d/evil'), 'MP004', 'path', '/etc/cron.d/evil'],
      [ev.syscalls('read', 'ptrace', 'bpf'), 'MP005', 'syscall', 'bpf,ptrace'],
      [ev.notable(), 'MP005', 'syscall', 'unshare'],
      [ev.read('/etc/shadow'), 'MP006', 'path', '/etc/shadow'],
    ];
    for (const [e, rule, field, value] of cases) {
      const alerts = engine.observe(e, container, tree)?.alerts ?? [];
      assert.equal(alerts.length, 1, `${rule} ${String(value)}`);
      const a = alerts[0];
      assert.equal(a?.rule, rule);
      assert.equal(a?.evidence[field], value);
      assert.equal(a?.evidence.mode, 'monitor');
      assert.equal(a?.action, 'none');
      assert.deepEqual(a?.processTree, tree);
      assert.equal(a?.container, container);
      assert.equal(shouldKill(a ?? assert.fail()), false, 'monitor mode kills nothing');
    }
  });

  it('protect mode marks exec and connect deviations for the enforcer only', () => {
    const { engine } = engineAt();
    learnBaseline(engine);
    engine.setMode(engine.list()[0]?.id ?? '', 'protect');
    const kill = (e: ContainerEvent): boolean[] =>
      (engine.observe(e, container, tree)?.alerts ?? []).map(shouldKill);
    assert.deepEqual(kill(ev.exec('/bin/sh')), [true]);
    assert.deepEqual(kill(ev.connect('198.51.100.1', 443)), [true]);
    assert.deepEqual(kill(ev.write('/etc/passwd')), [false]);
    assert.deepEqual(kill(ev.syscalls('mount')), [false]);
    const a = engine.observe(ev.exec('/bin/bash'), container, tree)?.alerts[0];
    assert.equal(a?.action, undefined, 'the enforcer sets action: killed');
  });

  it('caps each dimension: overflow is reported, learning of it stops, and it raises no deviations', () => {
    const { engine } = engineAt({ limits: { syscalls: 3, writes: 100, filesPerDirectory: 4 } });
    const r1 = engine.observe(ev.syscalls('a1', 'a2', 'a3', 'a4', 'a5'), container, tree);
    assert.equal(r1?.learned.length, 3);
    assert.deepEqual(r1?.overflowed, ['syscalls']);
    assert.deepEqual(engine.list()[0]?.overflow, ['syscalls']);
    assert.deepEqual(engine.observe(ev.syscalls('a9'), container, tree)?.learned, []);
    for (const f of ['a.db', 'b.db', 'c.db', 'd.db'])
      engine.observe(ev.write(`/srv/data/${f}`), container, tree);
    assert.deepEqual(engine.list()[0]?.writes.length, 4);
    engine.observe(ev.write('/srv/data/e.db'), container, tree);
    assert.deepEqual(
      engine.list()[0]?.writes,
      ['/srv/data/*'],
      'files of one directory collapse past the cap',
    );
    engine.setMode(engine.list()[0]?.id ?? '', 'monitor');
    assert.deepEqual(engine.observe(ev.syscalls('zz'), container, tree)?.alerts, []);
    assert.deepEqual(engine.observe(ev.write('/srv/data/new.db'), container, tree)?.alerts, []);
    assert.equal(engine.observe(ev.write('/srv/data/sub/x'), container, tree)?.alerts.length, 1);
  });

  it('attributes only through the container init, never a guessed command', () => {
    const { engine } = engineAt();
    const other: ContainerRef = { ...container, id: 'c-engine-2' };
    const shell: ProcessInfo = { pid: 555, ppid: 100, uid: 0, exe: '/bin/sh', argv: ['sh'], comm: 'sh' };
    const shExec: ContainerEvent = { ...ev.exec('/bin/sh'), pid: 555 };
    assert.equal(engine.observe(shExec, other, [shell]), undefined, 'init unknown: not attributed');
    const w = engine.registerContainer(other, init.argv);
    assert.equal(engine.observe(shExec, other, [shell])?.workload.name, w?.name);
    const third: ContainerRef = { ...container, id: 'c-engine-3', imageDigest: 'sha256:' + '2'.repeat(64) };
    const initExec: ContainerEvent = {
      ...base,
      kind: 'exec',
      ppid: 1,
      exe: '/usr/bin/python3',
      argv: init.argv,
    };
    const r = engine.observe(initExec, third, []);
    assert.match(r?.workload.name ?? '', /^web-python3-http.server-/);
  });

  it('never throws on hostile event fields', () => {
    const { engine } = engineAt();
    const junk = [
      { ...base, kind: 'exec', ppid: 1, exe: 42, argv: 'not-an-array' },
      { ...base, kind: 'connect', protocol: 'sctp', family: 'inet', address: { x: 1 }, port: -1 },
      {
        ...base,
        kind: 'accept',
        protocol: 'tcp',
        family: 'inet',
        address: '1.2.3.4',
        port: 1,
        localPort: 1e9,
      },
      { ...base, kind: 'open', path: null, flags: 0, write: true },
      { ...base, kind: 'syscalls', syscalls: [1, null, 'ok_name', 'Bad Name'] },
      { ...base, kind: 'syscall', syscall: '../x', args: {} },
      { ...base, kind: 'nonsense' },
    ] as unknown as ContainerEvent[];
    const learned = junk.flatMap((e) => engine.observe(e, container, tree)?.learned ?? []);
    assert.deepEqual(learned, [{ dimension: 'syscalls', value: 'ok_name' }]);
  });

  it('creates a workload first seen in the initial mode, modeSource initial, and keeps stored modes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mamori-profile-initial-'));
    after(() => rm(dir, { recursive: true, force: true }));
    const store = new ProfileStore(join(dir, 'profiles'));
    const { engine, clock } = engineAt({ store, flushIntervalMs: 0, initialMode: 'monitor' });
    const w = engine.registerContainer(container, init.argv);
    assert.equal(w?.mode, 'monitor');
    const p = engine.get(w?.id ?? '');
    assert.equal(p?.mode, 'monitor');
    assert.equal(p?.modeSource, 'initial');
    assert.equal(p?.modeChangedAt, p?.createdAt);
    // Monitor from the first event: nothing is learned, the unknown executable is a deviation.
    const r = engine.observe(ev.exec('/usr/bin/python3', sha('a')), container, tree);
    assert.deepEqual(r?.learned, []);
    assert.deepEqual(
      r?.alerts.map((a) => a.rule),
      ['MP001'],
    );
    // Never promoted or demoted by time: it did not start in learn.
    clock.now += 60 * MIN;
    assert.deepEqual(engine.promoteDue(), []);
    await engine.close();
    // A stored profile keeps its mode; only new workloads start in the initial mode.
    engine.setMode(w?.id ?? '', 'learn');
    await engine.close();
    const { engine: again } = await ProfileEngine.open({ store, initialMode: 'protect' });
    assert.equal(again.registerContainer(container, init.argv)?.mode, 'learn');
    assert.equal(again.get(w?.id ?? '')?.modeSource, 'manual');
    const other = again.registerContainer({ ...container, id: 'c-engine-2', image: 'other:1' }, ['other']);
    assert.equal(other?.mode, 'protect');
    assert.equal(again.get(other?.id ?? '')?.modeSource, 'initial');
    // Default: learn.
    assert.equal(engineAt().engine.registerContainer(container, init.argv)?.mode, 'learn');
  });

  it('flushes changed profiles in batches to the store', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mamori-profile-engine-'));
    after(() => rm(dir, { recursive: true, force: true }));
    const store = new ProfileStore(join(dir, 'profiles'));
    const { engine } = engineAt({ store, flushIntervalMs: 0 });
    learnBaseline(engine);
    assert.deepEqual((await store.list()).profiles, [], 'nothing written per event');
    await engine.close();
    const files = await readdir(join(dir, 'profiles'));
    assert.equal(files.length, 1);
    const { engine: again } = await ProfileEngine.open({ store, autoPromote: false });
    assert.deepEqual(again.list(), engine.list());
  });
});
