import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExecutableIndex } from '../drift/index.js';
import type { Alert, ContainerRef, ExecEvent } from '../model/index.js';
import type { BehaviourProfile } from '../profile/index.js';
import { DriftTracker } from './drift.js';
import { enforcerRule, killAlert } from './protect.js';

const profile = (p: Partial<BehaviourProfile>): BehaviourProfile => ({
  schema: 1,
  id: '0123456789abcdef',
  name: 'web-01234567',
  image: 'debian:12',
  command: ['python3'],
  mode: 'protect',
  modeSource: 'manual',
  createdAt: 0,
  learnStartedAt: 0,
  lastChangeAt: 0,
  modeChangedAt: 0,
  executables: [{ path: '/usr/bin/python3', sha256: [] }],
  connects: [],
  listens: [],
  writes: [],
  reads: [],
  syscalls: [],
  overflow: [],
  ...p,
});

describe('enforcer rules from profiles', () => {
  it('allows the learned executables and peers', () => {
    const r = enforcerRule(
      '42',
      profile({
        connects: [
          { protocol: 'tcp', address: '10.0.0.7/32', port: 5432 },
          { protocol: 'tcp', address: '10.1.0.0/24', port: 443 },
          { protocol: 'unix', address: '/run/x.sock', port: 0 },
        ],
      }),
    );
    assert.deepEqual(r.rule, {
      cgroupId: '42',
      allowExec: ['/usr/bin/python3'],
      allowConnect: [{ address: '10.0.0.7', port: 5432 }, { port: 443 }],
    });
    assert.deepEqual(r.problems, []);
  });

  it('does not enforce what it cannot list exactly', () => {
    const globbed = enforcerRule('42', profile({ executables: [{ path: '/tmp/**', sha256: 'any' }] }));
    assert.equal(globbed.rule?.allowExec, undefined);
    assert.deepEqual(globbed.rule?.allowConnect, []);
    assert.match(globbed.problems.join(), /patterns/);
    const capped = enforcerRule('42', profile({ overflow: ['executables', 'connects'] }));
    assert.equal(capped.rule, undefined);
    assert.equal(capped.problems.length, 2);
  });

  it('turns a kill record into an alert with action killed', () => {
    const a = killAlert(
      {
        kind: 'enforce',
        action: 'killed',
        reason: 'connect',
        time: 5,
        cgroupId: '42',
        pid: 7,
        uid: 0,
        comm: 'python3',
        family: 'inet',
        address: '1.2.3.4',
        port: 80,
      },
      { id: 'c1', runtime: 'runc' },
      [],
      profile({}),
    );
    assert.equal(a.rule, 'MP002');
    assert.equal(a.action, 'killed');
    assert.equal(a.evidence.address, '1.2.3.4');
    assert.equal(a.processTree[0]?.pid, 7);
  });
});

describe('drift tracker', () => {
  const exec = (exe: string, pid: number): ExecEvent => ({
    kind: 'exec',
    time: pid,
    cgroupId: '42',
    pid,
    ppid: 1,
    uid: 0,
    comm: 'x',
    exe,
    argv: [exe],
  });
  const index: ExecutableIndex = {
    version: 1,
    source: { kind: 'rootfs', name: '/r' },
    files: new Map([
      ['/usr/bin/python3', { sha256: `sha256:${'a'.repeat(64)}`, size: 1, mode: 0o755, layer: 0 }],
    ]),
    symlinks: new Map(),
    warnings: [],
  };
  const c: ContainerRef = { id: 'c1', runtime: 'runc', rootfs: '/r' };

  it('checks execs that waited for the index, bounded, and counts the rest', async () => {
    const alerts: Alert[] = [];
    let drops = 0;
    let release!: (i: ExecutableIndex) => void;
    const t = new DriftTracker({
      onAlert: (a) => alerts.push(a),
      onDrop: (n) => (drops += n),
      maxWaitingPerIndex: 2,
      build: () => new Promise((r) => (release = r)),
    });
    t.prepare(c);
    t.exec(exec('/tmp/a', 1), c, []);
    t.exec(exec('/usr/bin/python3', 2), c, []);
    t.exec(exec('/tmp/b', 3), c, []);
    await new Promise((r) => setTimeout(r, 10));
    release(index);
    await t.close();
    assert.deepEqual(
      alerts.map((a) => [a.rule, a.evidence.path]),
      [['MD001', '/tmp/a']],
    );
    assert.equal(drops, 1);
    t.exec(exec('/tmp/c', 4), c, []);
    assert.equal(alerts.length, 2);
  });

  it('counts execs of a container without an index', async () => {
    let drops = 0;
    const t = new DriftTracker({
      onAlert: () => undefined,
      onDrop: (n) => (drops += n),
      build: () => Promise.resolve(undefined),
    });
    t.exec(exec('/tmp/a', 1), c, []);
    await t.close();
    t.exec(exec('/tmp/b', 2), c, []);
    assert.equal(drops, 2);
  });
});
