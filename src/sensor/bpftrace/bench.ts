/**
 * Sustained-throughput probe for bench/: runs a sensor filtered to a fresh
 * cgroup, drives exec events into it at increasing rates and reports the
 * highest rate delivered without drops.
 */
import { spawn } from 'node:child_process';
import { mkdir, rmdir, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { startSensor } from './runner.js';

const UNIFIED = '/sys/fs/cgroup/unified';

export interface ThroughputResult {
  readonly rate: number;
  readonly produced: number;
  readonly delivered: number;
  readonly dropped: number;
  readonly seconds: number;
}

/** Runs `count` execs of /bin/true in a fresh cgroup and measures events/s end to end. */
export async function measureExecThroughput(count = 5000): Promise<ThroughputResult> {
  const dir = `${UNIFIED}/mamori-bench-${randomBytes(6).toString('hex')}`;
  await mkdir(dir);
  try {
    const cgroupId = String((await stat(dir)).ino);
    const sensor = await startSensor({
      cgroups: { include: [cgroupId] },
      families: ['exec'],
      queueCapacity: 100000,
    });
    await sensor.ready;
    let delivered = 0;
    const consume = (async () => {
      for await (const ev of sensor) if (ev.kind === 'exec') delivered++;
    })();
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const sh = spawn(
        'sh',
        [
          '-c',
          `echo $$ > ${dir}/cgroup.procs; i=0; while [ $i -lt ${count} ]; do /bin/true; i=$((i+1)); done`,
        ],
        {
          stdio: 'ignore',
        },
      );
      sh.on('error', reject);
      sh.on('exit', () => resolve());
    });
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const s = sensor.stats();
      if (delivered + s.dropped.kernel + s.dropped.queue + s.dropped.parse >= count) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - t0) / 1000;
    const s = sensor.stats();
    await sensor.stop();
    await consume;
    const dropped = s.dropped.kernel + s.dropped.queue + s.dropped.parse;
    return { rate: delivered / seconds, produced: count, delivered, dropped, seconds };
  } finally {
    await rmdir(dir).catch(() => undefined);
  }
}
