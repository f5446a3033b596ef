#!/usr/bin/env node
// Driver of bench/sensor.sh: runs mamori's runtime sensor (src/sensor/bpftrace,
// the default script with every event family, filtered to a fresh cgroup v2
// directory) against the C load generator of src/sensor/e2e/testdata (built
// with gcc into a temp dir), which runs inside that cgroup.
//
//   --mode ramp --kind udp|exec --rates "R1 R2 …" --seconds S
//       For each rate (ascending): a fresh sensor and cgroup, S seconds of
//       load, then the sensor is drained. A rate passes when nothing was
//       dropped (kernel, queue, parse) and every produced event was
//       delivered (lastRateWithoutDrops: the highest achieved rate of the
//       unbroken run of passes from the first step). The ramp goes on while the kernel and the queue drop
//       nothing (parse drops, i.e. events the parser could not reassemble,
//       are reported but do not depend on the rate) and stops after a rate
//       the generator itself could not reach (< 95 % of the target; its
//       achieved rate still counts). Each step reports the CPU of bpftrace
//       and of this process over the step, and the generator's own CPU per
//       event; a 2 s run of the generator at the top rate without a sensor
//       comes first, as the baseline of that. udp: one sendto() per event
//       (the sensor's cheapest event, one perf record); exec: posix_spawn
//       of a static no-op (six records per exec, plus its exit).
//   --mode cpu --exec-rate R --seconds S
//       R exec/s for S seconds (after 3 s of warm-up at the same rate). CPU
//       of the bpftrace process and of this node process (the sensor's
//       consumer: parsing, queue, event objects) from utime + stime in
//       /proc/PID/stat at the edges of the window, as % of one core; and the
//       exec-to-event latency: each exec carries its CLOCK_REALTIME spawn
//       time in argv, compared with the wall clock when the event reaches
//       the consumer (p50/p90/p99/max, ms).
//
// --families exec,exit,… runs the sensor with only those event families
// (default: all, as `mamori sensor` does).
// --generators N (ramp mode, default 2) splits each rate over N generator
// processes: one alone tops out below 50,000 sendto()/s on 2 vCPUs.
// Prints one JSON object. Needs root, bpftrace, gcc.
// Usage: node --import tsx bench/sensor-load.mjs --mode ramp --kind udp --rates "25000 50000" --seconds 5
//        node --import tsx bench/sensor-load.mjs --mode cpu --exec-rate 1000 --seconds 20
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startSensor } from '../src/sensor/bpftrace/index.ts';
import { buildLoadTools, makeCgroup, runInCgroup } from '../src/sensor/e2e/index.ts';

const { values: opt } = parseArgs({
  options: {
    mode: { type: 'string' },
    kind: { type: 'string', default: 'udp' },
    rates: { type: 'string', default: '10000 25000 50000 75000 100000' },
    seconds: { type: 'string', default: '5' },
    'exec-rate': { type: 'string', default: '1000' },
    families: { type: 'string' },
    generators: { type: 'string', default: '2' },
  },
});
const seconds = Number(opt.seconds);
const generators = Number(opt.generators);
if (!Number.isInteger(generators) || generators < 1 || generators > 8) throw new Error('--generators: 1..8');
if (!Number.isInteger(seconds) || seconds < 1 || seconds > 600) throw new Error('--seconds: 1..600');

const CLK_TCK = 100; // Linux USER_HZ on x86_64
function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15)
}

function quantile(sorted, q) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const families = opt.families === undefined ? undefined : opt.families.split(',').filter(Boolean);

async function withSensor(fn) {
  const cg = await makeCgroup();
  const sensor = await startSensor({ cgroups: { include: [cg.id] }, ...(families ? { families } : {}) });
  try {
    await sensor.ready;
    return await fn(cg, sensor);
  } finally {
    await sensor.stop();
    await cg.remove();
  }
}

async function drain(sensor, produced, delivered) {
  let last = -1;
  let still = 0;
  const progress = () => {
    const d = sensor.stats().dropped;
    return delivered() + d.kernel + d.queue + d.parse;
  };
  while (progress() < produced && still < 30) {
    const p = progress();
    still = p === last ? still + 1 : 0;
    last = p;
    await sleep(100);
  }
  await sleep(300);
}

// The load at `rate` events/s, split over `generators` processes (one
// generator process is itself the limit near 50,000 events/s on 2 vCPUs).
function loadCommands(tools, kind, rate, secs) {
  const each = String(Math.max(1, Math.round(rate / generators)));
  return Array.from({ length: generators }, () =>
    kind === 'udp'
      ? [tools.loadgen, 'udp', each, String(secs), '9']
      : [tools.loadgen, 'exec', each, String(secs), tools.noop],
  );
}

/** The generators' results as one: events and CPU summed, the longest run. */
function sumLoad(results) {
  return {
    produced: results.reduce((a, r) => a + r.produced, 0),
    cpu: results.reduce((a, r) => a + r.cpu, 0),
    seconds: Math.max(...results.map((r) => r.seconds)),
  };
}

async function rampStep(tools, kind, rate) {
  return withSensor(async (cg, sensor) => {
    const port = 9; // discard: nothing listens, sendto() still happens
    let delivered = 0;
    const consumer = (async () => {
      for await (const ev of sensor) {
        if (ev.kind === 'drop' || ev.cgroupId !== cg.id) continue;
        if (kind === 'udp' && ev.kind === 'connect' && ev.protocol === 'udp' && ev.port === port) delivered++;
        if (kind === 'exec' && ev.kind === 'exec' && ev.exe === tools.noop) delivered++;
      }
    })();
    const cmds = loadCommands(tools, kind, rate, seconds);
    const bpfPid = sensor.stats().pid;
    const b0 = cpuTicks(bpfPid);
    const n0 = cpuTicks(process.pid);
    const t0 = performance.now();
    const r = sumLoad(await runInCgroup(cg, cmds));
    await drain(sensor, r.produced, () => delivered);
    const wall = (performance.now() - t0) / 1000;
    const cpuSeconds = {
      bpftrace: (cpuTicks(bpfPid) - b0) / CLK_TCK,
      node: (cpuTicks(process.pid) - n0) / CLK_TCK,
    };
    const dropped = sensor.stats().dropped;
    await sensor.stop();
    await consumer;
    const achieved = r.produced / r.seconds;
    return {
      target: rate,
      achieved: Math.round(achieved),
      produced: r.produced,
      delivered,
      dropped,
      generatorLimited: achieved < 0.95 * rate,
      // CPU of the sensor from the start of the load to the end of the drain, and per delivered event.
      cpuPercent: {
        bpftrace: Math.round((cpuSeconds.bpftrace / wall) * 1000) / 10,
        node: Math.round((cpuSeconds.node / wall) * 1000) / 10,
      },
      generatorMicrosPerEvent: r.produced > 0 ? Math.round((r.cpu / r.produced) * 1e7) / 10 : null,
      cpuMicrosPerEvent:
        delivered > 0 ? Math.round(((cpuSeconds.bpftrace + cpuSeconds.node) / delivered) * 1e7) / 10 : null,
      ok: dropped.kernel + dropped.queue + dropped.parse === 0 && delivered === r.produced,
    };
  });
}

async function ramp(tools) {
  const kind = opt.kind;
  if (kind !== 'udp' && kind !== 'exec') throw new Error('--kind: udp or exec');
  const rates = opt.rates
    .split(/\s+/)
    .filter(Boolean)
    .map(Number)
    .sort((a, b) => a - b);
  // The generator's CPU per event without a sensor: the difference with a
  // sensor running is the in-kernel cost of the BPF programs.
  const cg = await makeCgroup();
  let baseline;
  try {
    const top = rates[rates.length - 1];
    const b = sumLoad(await runInCgroup(cg, loadCommands(tools, kind, top, 2)));
    baseline = {
      achieved: Math.round(b.produced / b.seconds),
      generatorMicrosPerEvent: Math.round((b.cpu / b.produced) * 1e7) / 10,
    };
  } finally {
    await cg.remove();
  }
  const steps = [];
  let lastOk = null;
  let lastNoLoss = null;
  for (const rate of rates) {
    const s = await rampStep(tools, kind, rate);
    steps.push(s);
    process.stderr.write(`${kind} ${rate}/s: ${JSON.stringify(s)}\n`);
    if (s.ok && lastOk === lastNoLoss) lastOk = Math.max(lastOk ?? 0, s.achieved);
    if (s.dropped.kernel + s.dropped.queue > 0) break;
    lastNoLoss = Math.max(lastNoLoss ?? 0, s.achieved);
    if (s.generatorLimited) break;
  }
  return {
    mode: 'ramp',
    kind,
    seconds,
    baselineWithoutSensor: baseline,
    lastRateWithoutDrops: lastOk,
    lastRateWithoutKernelOrQueueDrops: lastNoLoss,
    steps,
  };
}

async function cpu(tools) {
  const rate = Number(opt['exec-rate']);
  return withSensor(async (cg, sensor) => {
    const bpfPid = sensor.stats().pid;
    const lat = [];
    let measuring = false;
    let delivered = 0;
    const consumer = (async () => {
      for await (const ev of sensor) {
        if (ev.kind !== 'exec' || ev.exe !== tools.noop || ev.cgroupId !== cg.id) continue;
        const now = performance.timeOrigin + performance.now();
        delivered++;
        const sent = Number(ev.argv[2]) / 1e6;
        if (measuring && Number.isFinite(sent)) lat.push(now - sent);
      }
    })();
    const warm = 3;
    const run = runInCgroup(cg, [[tools.loadgen, 'exec', String(rate), String(warm + seconds), tools.noop]]);
    await sleep(warm * 1000);
    measuring = true;
    const b0 = cpuTicks(bpfPid);
    const n0 = cpuTicks(process.pid);
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const wall = (performance.now() - t0) / 1000;
    const b1 = cpuTicks(bpfPid);
    const n1 = cpuTicks(process.pid);
    measuring = false;
    const [r] = await run;
    await drain(sensor, r.produced, () => delivered);
    const dropped = sensor.stats().dropped;
    await sensor.stop();
    await consumer;
    lat.sort((a, b) => a - b);
    const pct = (t) => Math.round((t / CLK_TCK / wall) * 1000) / 10;
    const ms = (v) => (v === null ? null : Math.round(v * 100) / 100);
    return {
      mode: 'cpu',
      families: families ?? 'all',
      execRate: rate,
      achievedRate: Math.round(r.produced / r.seconds),
      seconds: wall,
      cpuPercent: { bpftrace: pct(b1 - b0), node: pct(n1 - n0), total: pct(b1 - b0 + n1 - n0) },
      latencyMs: {
        samples: lat.length,
        p50: ms(quantile(lat, 0.5)),
        p90: ms(quantile(lat, 0.9)),
        p99: ms(quantile(lat, 0.99)),
        max: ms(lat.length ? lat[lat.length - 1] : null),
      },
      produced: r.produced,
      delivered,
      dropped,
    };
  });
}

const dir = await mkdtemp(join(tmpdir(), 'mamori-bench-sensor-'));
try {
  const tools = await buildLoadTools(dir);
  const out = opt.mode === 'ramp' ? await ramp(tools) : opt.mode === 'cpu' ? await cpu(tools) : null;
  if (out === null) throw new Error('--mode: ramp or cpu');
  console.log(JSON.stringify(out));
} finally {
  await rm(dir, { recursive: true, force: true });
}
