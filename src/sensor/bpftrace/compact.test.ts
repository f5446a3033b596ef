import assert from 'node:assert/strict';
import { chmod, copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ExecEvent, ExitEvent } from '../model/index.js';
import { startSensor } from './index.js';
import type { ExecRepeatEvent, Sensor, SensorOutput } from './index.js';
import type { TestCgroup } from './testutil.js';
import { makeCgroup, runIn, waitFor } from './testutil.js';

const root = process.getuid?.() === 0;
const skip = root ? false : 'needs root to run bpftrace';

describe('exec compaction with real bpftrace', { skip }, () => {
  let cg: TestCgroup;
  let sensor: Sensor;
  let tmp: string;
  let prog: string;
  const events: SensorOutput[] = [];
  let consumer: Promise<void>;

  before(async () => {
    cg = await makeCgroup();
    tmp = await mkdtemp(`${tmpdir()}/mamori-compact-`);
    prog = join(tmp, 'prog');
    await copyFile('/bin/true', prog);
    await chmod(prog, 0o755);
    sensor = await startSensor({
      cgroups: { include: [cg.id] },
      families: ['exec', 'exit'],
      compactExecs: true,
    });
    await sensor.ready;
    consumer = (async () => {
      for await (const ev of sensor) events.push(ev);
    })();
  });
  after(async () => {
    await sensor?.stop();
    await consumer;
    await cg?.remove();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  const execsOf = (arg: string): ExecEvent[] =>
    events.filter((e): e is ExecEvent => e.kind === 'exec' && e.exe === prog && e.argv[1] === arg);
  const repeats = (id: number): ExecRepeatEvent[] =>
    events.filter((e): e is ExecRepeatEvent => e.kind === 'exec-repeat' && e.repeatId === id);
  const exited = (pid: number): boolean =>
    events.some((e): e is ExitEvent => e.kind === 'exit' && e.pid === pid);

  it('reports repeats of a named exec as one record, until the arguments, the file or the naming change', async () => {
    const compaction = sensor.compaction;
    assert.ok(compaction, 'compaction is on (this kernel exposes the inode ctime)');
    // The shell runIn starts is moved into the cgroup by itself: its parent is outside, so an exec
    // replacing it (a container's init, `runc exec`) carries no fingerprint.
    await runIn(cg, `"$1" first; "$1" first; "$1" other; exec "$1" init`, [prog]);
    assert.ok(await waitFor(() => execsOf('first').length === 2 && execsOf('init').length === 1));
    const [a, b] = execsOf('first') as [ExecEvent, ExecEvent];
    const other = execsOf('other')[0];
    assert.ok(a.compactKey !== undefined && a.compactKeyArgv0 !== undefined);
    assert.equal(b.compactKey, a.compactKey, 'the same exec has the same fingerprint');
    assert.equal(b.compactKeyArgv0, a.compactKeyArgv0);
    assert.ok(other?.compactKey !== undefined && other.compactKey !== a.compactKey, 'other arguments');
    assert.equal(other.compactKeyArgv0, a.compactKeyArgv0, 'the same argv[0]');
    assert.equal(execsOf('init')[0]?.compactKey, undefined, 'parent outside the cgroup');
    assert.equal(execsOf('init')[0]?.compactKeyArgv0, undefined);

    assert.ok(compaction.allow(cg.id, a.compactKey, 7));
    await runIn(cg, `"$1" first; "$1" first; "$1" other`, [prog]);
    assert.ok(await waitFor(() => repeats(7).length === 2 && execsOf('other').length === 2));
    assert.equal(execsOf('first').length, 2, 'no full events for the repeats');
    for (const r of repeats(7)) {
      assert.equal(r.cgroupId, cg.id);
      assert.equal(r.comm, 'prog');
      assert.equal(r.uid, 0);
      assert.ok(r.ppid > 0 && r.pid > 0);
    }
    const fullOther = execsOf('other')[1]!;
    assert.ok(await waitFor(() => exited(fullOther.pid)), 'a full exec still reports its exit');
    assert.ok(!repeats(7).some((r) => exited(r.pid)), 'a compacted process reports no exit');

    // argv[0] alone: any arguments.
    assert.ok(compaction.allow(cg.id, a.compactKeyArgv0, 8));
    await runIn(cg, `"$1" zzz; "$1" first`, [prog]);
    assert.ok(await waitFor(() => repeats(8).length === 2), 'the argv[0] fingerprint is looked up first');
    assert.equal(execsOf('zzz').length, 0);

    // Withdrawn: in full again.
    assert.ok(compaction.revoke(cg.id, a.compactKeyArgv0));
    assert.ok(compaction.revoke(cg.id, a.compactKey));
    await runIn(cg, `"$1" first`, [prog]);
    assert.ok(await waitFor(() => execsOf('first').length === 3));

    // Named again, then the file is rewritten in place (same inode, new ctime): not a repeat.
    assert.ok(compaction.allow(cg.id, a.compactKey, 9));
    await runIn(cg, `"$1" first`, [prog]);
    assert.ok(await waitFor(() => repeats(9).length === 1));
    await new Promise((r) => setTimeout(r, 20));
    await copyFile('/bin/true', prog);
    await runIn(cg, `"$1" first`, [prog]);
    assert.ok(await waitFor(() => execsOf('first').length === 4));
    const rewritten = execsOf('first')[3]!;
    assert.notEqual(rewritten.compactKey, a.compactKey);
    assert.notEqual(rewritten.exeId, a.exeId);
    assert.equal(repeats(9).length, 1);

    // Requests are validated before they reach the kernel.
    assert.equal(compaction.allow(cg.id, 'not-a-number', 10), false);
    assert.equal(compaction.allow(cg.id, a.compactKey, 0), false);
    assert.equal(compaction.allow('x', a.compactKey, 10), false);
    assert.equal(sensor.stats().dropped.parse, 0, 'no orphaned path or argument records');
  });

  it('is off unless asked for', async () => {
    const plain = await startSensor({ cgroups: { include: [cg.id] }, families: ['exec'] });
    try {
      await plain.ready;
      assert.equal(plain.compaction, undefined);
    } finally {
      await plain.stop();
    }
  });
});
