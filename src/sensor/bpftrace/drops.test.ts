import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startSensor } from './index.js';
import type { Sensor } from './index.js';
import type { TestCgroup } from './testutil.js';
import { makeCgroup, runIn, waitFor } from './testutil.js';

const skip = process.getuid?.() === 0 ? false : 'needs root to run bpftrace';

describe('drop accounting with real bpftrace', { skip }, () => {
  let cg: TestCgroup | undefined;
  let sensor: Sensor | undefined;
  after(async () => {
    await sensor?.stop();
    await cg?.remove();
  });

  it('delivered + dropped == produced with a tiny queue and a slow consumer', async () => {
    cg = await makeCgroup();
    sensor = await startSensor({ cgroups: { include: [cg.id] }, families: ['exec'], queueCapacity: 3 });
    await sensor.ready;
    const produced = 100;
    let execs = 0;
    let reportedDrops = 0;
    const s = sensor;
    const consumer = (async () => {
      for await (const ev of s) {
        if (ev.kind === 'exec') execs++;
        if (ev.kind === 'drop') reportedDrops += ev.count;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const r = await runIn(cg, `i=0; while [ $i -lt ${produced} ]; do /bin/true; i=$((i+1)); done`);
    assert.equal(r.code, 0);
    const total = (): number => {
      const st = s.stats();
      return execs + st.dropped.queue + st.dropped.kernel + st.dropped.parse;
    };
    await waitFor(() => total() >= produced && s.stats().delivered === execs, 10000);
    await new Promise((res) => setTimeout(res, 300));
    const st = s.stats();
    console.log(`delivered ${execs}, dropped ${JSON.stringify(st.dropped)}`);
    assert.equal(total(), produced);
    assert.ok(st.dropped.queue > 0, 'the tiny queue overflowed');
    await s.stop();
    await consumer;
    assert.equal(
      reportedDrops,
      st.dropped.queue + st.dropped.kernel + st.dropped.parse,
      'every drop reported as a DropEvent',
    );
  });
});
