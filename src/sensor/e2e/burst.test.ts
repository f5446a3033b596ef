/**
 * Burst: the real sensor (default script: every event family), filtered to a
 * fresh cgroup of this test, while a load generator inside that cgroup runs
 * ~2,000 exec/s (posix_spawn of a static no-op binary) and ~10,000 loopback
 * TCP connects/s (to a listener outside the cgroup, so its accepts are not
 * counted) for 10 s. The generator counts what it produced (successful
 * spawns; every connect() call, since the sensor reports connect at syscall
 * entry); the test counts the matching events delivered (exec of the no-op
 * binary, connect to the listener's port, both with the cgroup's id).
 *
 * The check (accounting.ts): kernel losses are counted per perf record, not
 * per event or per kind, so the test checks
 *   (exec produced − exec delivered) + (connect produced − connect delivered)
 *     ≤ kernel + queue + parse drops
 * with delivered ≤ produced for each kind (nothing duplicated or made up).
 * Each undelivered event has at least one drop counted for it alone, so a
 * sensor that loses an event without counting it fails whenever the other
 * drops do not cover it by chance; with no drops at all it must deliver
 * exactly what was produced. The drop events in the stream must add up to
 * the counters. The test also checks that the check itself fails on an
 * uncounted loss.
 *
 * Needs root, bpftrace, gcc (the generator is compiled into a temp dir).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSensor, type Sensor } from '../bpftrace/index.js';
import {
  buildLoadTools,
  checkAccounting,
  makeCgroup,
  runInCgroup,
  startListener,
  type LoadTools,
  type TestCgroup,
} from './index.js';

const skip = process.getuid?.() === 0 ? false : 'needs root (bpftrace, cgroups)';
const SECONDS = 10;
const EXEC_RATE = 2000;
const CONNECT_RATE = 10000;

describe('the accounting check', () => {
  it('fails when an event is neither delivered nor counted', () => {
    const dropped = { kernel: 3, queue: 0, parse: 1 };
    const ok = checkAccounting({
      produced: { exec: 10, connect: 10 },
      delivered: { exec: 8, connect: 8 },
      dropped,
    });
    assert.equal(ok.ok, true, ok.problems.join('; '));
    const bad = checkAccounting({
      produced: { exec: 10, connect: 10 },
      delivered: { exec: 8, connect: 7 },
      dropped,
    });
    assert.equal(bad.ok, false);
    assert.equal(bad.missingTotal, 5);
    const exact = checkAccounting({
      produced: { exec: 10 },
      delivered: { exec: 9 },
      dropped: { kernel: 0, queue: 0, parse: 0 },
    });
    assert.equal(exact.ok, false, 'no drops: every event must be delivered');
    const extra = checkAccounting({ produced: { exec: 10 }, delivered: { exec: 11 }, dropped });
    assert.equal(extra.ok, false, 'more delivered than produced');
  });
});

describe('burst of exec and connect events with the real sensor', { skip }, () => {
  let tmp: string | undefined;
  let cg: TestCgroup | undefined;
  let sensor: Sensor | undefined;
  const children: ChildProcess[] = [];

  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await sensor?.stop();
    await cg?.remove();
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  });

  let tools: LoadTools;
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'mamori-e2e-burst-'));
    tools = await buildLoadTools(tmp);
    cg = await makeCgroup();
  });

  it(`delivers or counts every event of ${EXEC_RATE} exec/s + ${CONNECT_RATE} connect/s for ${SECONDS} s`, async () => {
    const listener = await startListener(tools, SECONDS + 120);
    children.push(listener.child);
    const group = cg!;
    const s = await startSensor({ cgroups: { include: [group.id] } });
    sensor = s;
    await s.ready;
    const delivered = { exec: 0, connect: 0 };
    const reported = { kernel: 0, queue: 0, parse: 0 };
    const consumer = (async () => {
      for await (const ev of s) {
        if (ev.kind === 'drop') reported[ev.source] += ev.count;
        else if (ev.kind === 'exec' && ev.cgroupId === group.id && ev.exe === tools.noop) delivered.exec++;
        else if (
          ev.kind === 'connect' &&
          ev.cgroupId === group.id &&
          ev.address === '127.0.0.1' &&
          ev.port === listener.port
        )
          delivered.connect++;
      }
    })();

    const results = await runInCgroup(
      group,
      [
        [tools.loadgen, 'exec', String(EXEC_RATE), String(SECONDS), tools.noop],
        [tools.loadgen, 'connect', String(CONNECT_RATE), String(SECONDS), String(listener.port)],
      ],
      (c) => children.push(c),
    );
    const produced = {
      exec: results.find((r) => r.mode === 'exec')!.produced,
      connect: results.find((r) => r.mode === 'connect')!.produced,
    };
    // Let the sensor drain: stop once the accounting is complete or nothing moved for 3 s.
    const progress = (): number => {
      const st = s.stats();
      return delivered.exec + delivered.connect + st.dropped.kernel + st.dropped.queue + st.dropped.parse;
    };
    let last = -1;
    let still = 0;
    while (progress() < produced.exec + produced.connect && still < 30) {
      const p = progress();
      still = p === last ? still + 1 : 0;
      last = p;
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500));
    await s.stop();
    await consumer;
    const st = s.stats();
    const acc = checkAccounting({ produced, delivered, dropped: st.dropped });
    console.log(
      `burst: ${results.map((r) => `${r.mode} ${r.produced} in ${r.seconds.toFixed(1)} s (${(r.produced / r.seconds).toFixed(0)}/s)`).join(', ')}; ` +
        `delivered exec ${delivered.exec}, connect ${delivered.connect}; dropped ${JSON.stringify(st.dropped)}`,
    );
    assert.ok(produced.exec > 0 && produced.connect > 0, 'the generator produced events');
    assert.ok(delivered.exec > 0 && delivered.connect > 0, 'the sensor delivered events of both kinds');
    assert.ok(acc.ok, acc.problems.join('; '));
    assert.deepEqual(reported, st.dropped, 'every drop is reported in the event stream');
  });
});
