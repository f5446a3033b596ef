import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { generateEnforcerScript, startSensor } from './index.js';
import type { EnforcementEvent, Sensor } from './index.js';
import type { TestCgroup } from './testutil.js';
import { makeCgroup, runIn, waitFor } from './testutil.js';

const skip = process.getuid?.() === 0 ? false : 'needs root to run bpftrace';

describe('generateEnforcerScript', () => {
  it('rejects unsafe paths and bad addresses', () => {
    assert.throws(
      () => generateEnforcerScript({ rules: [{ cgroupId: '12', allowExec: ['/bin/"x'] }] }),
      /printable/,
    );
    assert.throws(
      () => generateEnforcerScript({ rules: [{ cgroupId: '1x', allowExec: ['/bin/true'] }] }),
      /cgroup/,
    );
    assert.throws(
      () => generateEnforcerScript({ rules: [{ cgroupId: '12', allowConnect: [{ address: 'nope' }] }] }),
      /address/,
    );
    const s = generateEnforcerScript({
      rules: [{ cgroupId: '12', allowConnect: [{ address: '::ffff:127.0.0.1', port: 80 }] }],
    });
    assert.match(s, /signal\("SIGKILL"\)/);
  });
});

describe('enforcer with real bpftrace', { skip }, () => {
  let cg: TestCgroup | undefined;
  let sensor: Sensor | undefined;
  after(async () => {
    await sensor?.stop();
    await cg?.remove();
  });

  it('kills a non-allowed exec and lets an allowed one run', async () => {
    cg = await makeCgroup();
    const script = generateEnforcerScript({
      rules: [{ cgroupId: cg.id, allowExec: ['/bin/true', '/bin/sh'] }],
    });
    sensor = await startSensor({ script, unsafe: true });
    await sensor.ready;
    const kills: EnforcementEvent[] = [];
    const s = sensor;
    const consumer = (async () => {
      for await (const ev of s) if (ev.kind === 'enforce') kills.push(ev);
    })();
    const ok = await runIn(cg, 'exec /bin/true');
    assert.equal(ok.code, 0);
    assert.equal(ok.signal, null);
    const bad = await runIn(cg, 'exec /bin/echo should-not-print');
    assert.equal(bad.signal, 'SIGKILL');
    assert.equal(bad.stdout, '');
    assert.ok(await waitFor(() => kills.length > 0));
    const k = kills[0]!;
    assert.equal(k.reason, 'exec');
    assert.equal(k.exe, '/bin/echo');
    assert.equal(k.cgroupId, cg.id);
    console.log(`exec→death observed by the parent after ${(bad.exitedAt - k.time).toFixed(1)} ms`);
    await s.stop();
    await consumer;
  });
});
