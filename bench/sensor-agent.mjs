#!/usr/bin/env node
// Driver of bench/sensor-agent.sh: the whole `mamori sensor` agent (bpftrace
// sensor, container attribution, enrichment, detections, behaviour
// profiles, drift, the --events-out stream and /metrics) run as a user runs
// it: `node --import tsx src/cli/bin.ts sensor …` in a process of its own,
// watching a real runc container from the Debian 12 test root filesystem
// (src/testing/runc.ts; init `sleep infinity`, its own runc state directory
// passed with --runtime-root). The C load generator of src/sensor/e2e
// (built with gcc into a temp dir) is copied into the container's /tmp
// (a tmpfs, through /proc/PID/root) and started with `runc exec`.
//
// First a warm-up: one exec of /tmp/noop, waited for as its MD001 drift
// alert in the event file (the agent indexes the container's root
// filesystem when it first sees it; that work is over once the alert is
// out).
//
// (a) Exec-to-alert latency: `loadgen exec ALERT_RATE N/ALERT_RATE /bin/sh`
//     spawns /bin/sh (argv: sh mamori-load <CLOCK_REALTIME ns before the
//     spawn>), which raises MR001 "Shell spawned in a container" each time.
//     The event file is tailed (inotify, plus a 10 ms poll as a fallback);
//     latency = wall clock when the alert's line was read from the file −
//     the spawn time in the alert's process tree argv. Also split into
//     spawn → kernel exec time (alert.time) and alert.time → line read.
// (b) Agent CPU at EXEC_RATE exec/s: `loadgen exec EXEC_RATE WARM+SECONDS
//     PROGRAM`; after WARM s, utime + stime of the agent's node process and
//     of its bpftrace child(ren) (/proc/PID/stat) over SECONDS, as % of one
//     core. Run once per PROGRAM (--programs, default both, same agent and
//     container): /tmp/noop, a static no-op in the tmpfs, not in the image,
//     so every exec is also an MD001 drift alert written to the event file
//     (exec → alert for all of them: the exact count of execs that went
//     through the whole pipeline, and their latency under load); /bin/true,
//     in the image: no alert, the benign case (a dynamically linked program:
//     more work for the generator's side of the machine). Exec events
//     processed and drops by source come from the agent's /metrics
//     (mamori_sensor_events_total, mamori_sensor_drops_total).
//
// Prints one JSON object. Needs root, bpftrace, runc, gcc and the Debian
// test root filesystem (built on first use by src/testing).
// Every process, container and temp dir is removed on exit, on error and on
// SIGINT/SIGTERM; bpftrace children of the agent are killed by pid if the
// agent leaves any behind.
//
// Usage: node --import tsx bench/sensor-agent.mjs [--part all|latency|cpu]
//          [--alerts 200] [--alert-rate 20] [--exec-rate 1000] [--seconds 20]
//          [--warm 3] [--programs '/tmp/noop /bin/true']
//   MAMORI_CPU_PROF=DIR runs the agent under `node --cpu-prof` and leaves its
//   .cpuprofile in DIR (written when the agent stops).
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync, readSync, watch } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm, rmdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { buildLoadTools } from '../src/sensor/e2e/index.ts';
import { startRuncContainer, unifiedCgroupRoot } from '../src/testing/runc.ts';

const REPO = new URL('..', import.meta.url).pathname;
const BIN = join(REPO, 'src/cli/bin.ts');
const CLK_TCK = 100; // Linux USER_HZ on x86_64

const { values: opt } = parseArgs({
  options: {
    part: { type: 'string', default: 'all' },
    alerts: { type: 'string', default: '200' },
    'alert-rate': { type: 'string', default: '20' },
    'exec-rate': { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '20' },
    warm: { type: 'string', default: '3' },
    programs: { type: 'string', default: '/tmp/noop /bin/true' },
  },
});
function int(name, lo, hi) {
  const v = Number(opt[name]);
  if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`--${name}: an integer ${lo}..${hi}`);
  return v;
}
const alertsWanted = int('alerts', 1, 100000);
const alertRate = int('alert-rate', 1, 10000);
const execRate = int('exec-rate', 1, 100000);
const seconds = int('seconds', 1, 600);
const warm = int('warm', 0, 60);
if (!['all', 'latency', 'cpu'].includes(opt.part)) throw new Error('--part: all, latency or cpu');
const programs = opt.programs.split(/\s+/).filter(Boolean);
if (programs.length === 0 || programs.some((p) => !['/tmp/noop', '/bin/true'].includes(p)))
  throw new Error('--programs: /tmp/noop and/or /bin/true');

// ---- cleanup: everything started is registered here and undone in reverse order ----
const cleanups = [];
let cleaning;
function cleanupAll() {
  cleaning ??= (async () => {
    while (cleanups.length > 0) {
      const [what, fn] = cleanups.pop();
      try {
        await fn();
      } catch (e) {
        process.stderr.write(`sensor-agent: cleanup of ${what}: ${e?.message ?? e}\n`);
      }
    }
  })();
  return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    process.stderr.write(`sensor-agent: ${sig}, cleaning up\n`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

const log = (m) => process.stderr.write(`sensor-agent: ${m}\n`);

function statOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // f[0] = state (field 3), f[1] = ppid, f[11] = utime (14), f[12] = stime (15)
    return { comm, ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return undefined;
  }
}

/** CPU ticks of a process's main thread and of its other threads (node names them all `node`: fs pool, V8 workers, GC). */
function threadTicks(pid) {
  const m = {};
  let tasks = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return m;
  }
  for (const t of tasks) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
      const k = t === String(pid) ? 'main' : 'other';
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      m[k] = (m[k] ?? 0) + Number(f[11]) + Number(f[12]);
    } catch {
      /* the thread ended */
    }
  }
  return m;
}

/**
 * CPU time of every task on the machine, ns, with the wall clock: the root cgroup's
 * cpuacct.usage (cgroup v1) or cpu.stat usage_usec (v2). Not /proc/stat: its tick
 * sampling misses short wake-ups paced by the timer (it shows a 1,000 exec/s run as idle).
 */
function hostTicks() {
  const at = performance.now();
  try {
    return { ns: Number(readFileSync('/sys/fs/cgroup/cpuacct/cpuacct.usage', 'utf8')), at };
  } catch {
    const m = /^usage_usec (\d+)$/m.exec(readFileSync('/sys/fs/cgroup/cpu.stat', 'utf8'));
    return { ns: m ? Number(m[1]) * 1000 : NaN, at };
  }
}
const busyPercent = (a, b) =>
  Math.round(((b.ns - a.ns) / ((b.at - a.at) * 1e6 * availableParallelism())) * 1000) / 10;

/** bpftrace processes that are not children of `ours`. */
const foreignBpftrace = (ours) =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d) && statOf(Number(d))?.comm === 'bpftrace')
    .map(Number)
    .filter((p) => statOf(p)?.ppid !== ours);

function childrenOf(ppid, comm) {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const s = statOf(Number(d));
    if (s?.ppid === ppid && (comm === undefined || s.comm === comm)) out.push(Number(d));
  }
  return out;
}

function quantile(sorted, q) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
const round2 = (v) => (v === null ? null : Math.round(v * 100) / 100);
function summary(values) {
  const s = [...values].sort((a, b) => a - b);
  return {
    samples: s.length,
    p50: round2(quantile(s, 0.5)),
    p90: round2(quantile(s, 0.9)),
    p99: round2(quantile(s, 0.99)),
    max: round2(s.length ? s[s.length - 1] : null),
  };
}
const nowMs = () => performance.timeOrigin + performance.now();

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Follows a JSON-lines file from its start: each complete line goes to onLine(record, readAtMs). */
function tailFile(path, onLine) {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(1 << 20);
  let pos = 0;
  let rest = '';
  const readMore = () => {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n <= 0) return;
      pos += n;
      const at = nowMs();
      const parts = (rest + buf.toString('utf8', 0, n)).split('\n');
      rest = parts.pop() ?? '';
      for (const l of parts) {
        if (l.trim() === '') continue;
        try {
          onLine(JSON.parse(l), at);
        } catch {
          /* not JSON: ignored */
        }
      }
    }
  };
  const watcher = watch(path, () => readMore());
  const poll = setInterval(readMore, 10);
  readMore();
  return {
    readMore,
    close() {
      watcher.close();
      clearInterval(poll);
      closeSync(fd);
    },
  };
}

/** `mamori sensor` as a separate process; resolves once it printed `ready:`. */
async function startAgent(work, runcRoot) {
  const data = join(work, 'data');
  const events = join(work, 'events.jsonl');
  const port = await freePort();
  const prof = process.env.MAMORI_CPU_PROF;
  const args = [
    ...(prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : []),
    '--import',
    'tsx',
    BIN,
    'sensor',
    '--data',
    data,
    '--events-out',
    events,
    '--runtime-root',
    runcRoot,
    '--status-interval',
    '0',
    '--metrics-listen',
    `127.0.0.1:${port}`,
    // e.g. SENSOR_FLAGS=--no-compact-execs: every exec in full, for comparison.
    ...(process.env.SENSOR_FLAGS ?? '').split(/\s+/).filter(Boolean),
  ];
  const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (b) => {
    if (err.length < 1 << 20) err += b.toString();
  });
  const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  const bpftracePids = new Set();
  cleanups.push([
    'the agent',
    async () => {
      for (const p of childrenOf(child.pid, 'bpftrace')) bpftracePids.add(p);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setInterval(() => child.kill('SIGKILL'), 15000);
        await exited;
        clearInterval(t);
      }
      // The sensor starts bpftrace under `setpriv --pdeathsig KILL`; should one still run, kill it by pid.
      for (const p of bpftracePids) {
        if (statOf(p)?.comm === 'bpftrace') {
          log(`bpftrace ${p} outlived the agent; killing it`);
          process.kill(p, 'SIGKILL');
        }
      }
    },
  ]);
  const deadline = Date.now() + 120000;
  while (!err.includes('ready:')) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the agent exited: ${err}`);
    if (Date.now() > deadline) throw new Error(`the agent did not get ready: ${err}`);
    await sleep(50);
  }
  for (const p of childrenOf(child.pid, 'bpftrace')) bpftracePids.add(p);
  return {
    child,
    events,
    log: () => err,
    bpftrace: () => {
      for (const p of childrenOf(child.pid, 'bpftrace')) bpftracePids.add(p);
      return [...bpftracePids].filter((p) => statOf(p) !== undefined);
    },
    async metrics() {
      const res = await globalThis.fetch(`http://127.0.0.1:${port}/metrics`);
      const text = await res.text();
      const m = { events: {}, drops: {}, alerts: {}, execRepeats: 0 };
      for (const line of text.split('\n')) {
        const rep = /^mamori_sensor_exec_repeats_total (\S+)$/.exec(line);
        if (rep) m.execRepeats = Number(rep[1]);
        const r = /^mamori_sensor_(events|drops|alerts)_total\{([^}]*)\} (\S+)$/.exec(line);
        if (!r) continue;
        const labels = Object.fromEntries([...r[2].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
        const key = r[1] === 'events' ? labels.kind : r[1] === 'drops' ? labels.source : labels.rule;
        m[r[1]][key] = (m[r[1]][key] ?? 0) + Number(r[3]);
      }
      return m;
    },
  };
}

/** Runs `runc exec` of the load generator; resolves with its JSON result. */
function runLoad(c, args) {
  const child = c.spawnExec(args);
  let out = '';
  let err = '';
  child.stdout.on('data', (b) => (out += b.toString()));
  child.stderr.on('data', (b) => (err = (err + b.toString()).slice(-4096)));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      // stderr carries the shells' complaints (`cannot open mamori-load`): only its end is kept.
      if (code !== 0 || !line)
        reject(new Error(`loadgen ${args.join(' ')} failed (${code}): ${err.slice(-500)}${out.slice(-500)}`));
      else resolve(JSON.parse(line));
    });
  });
}

async function until(what, fn, ms = 120000, every = 50) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(every);
  }
}

/** Waits until (await count()) reaches want, or stops growing for `quietMs`. */
async function settle(count, want, quietMs = 5000, every = 50) {
  let last = -1;
  let since = Date.now();
  for (;;) {
    const n = await count();
    if (n >= want) return;
    if (n !== last) {
      last = n;
      since = Date.now();
    } else if (Date.now() - since > quietMs) return;
    await sleep(every);
  }
}

const stampOf = (a) => {
  const argv = a.processTree?.[0]?.argv ?? [];
  const i = argv.indexOf('mamori-load');
  const v = i >= 0 ? Number(argv[i + 1]) : NaN;
  return Number.isFinite(v) ? v / 1e6 : undefined;
};

async function main() {
  const work = await mkdtemp(join(tmpdir(), 'mamori-bench-agent-'));
  cleanups.push(['the work directory', () => rm(work, { recursive: true, force: true })]);
  const tools = await buildLoadTools(work);
  const runcRoot = join(work, 'runc');
  await mkdir(runcRoot, { mode: 0o700 });
  const agent = await startAgent(work, runcRoot);
  diagnose = async () => {
    const m = await agent.metrics().catch(() => undefined);
    return `agent metrics: ${JSON.stringify(m)}\nagent log (tail):\n${agent.log().slice(-4000)}\nevent file: ${agent.events}`;
  };
  log(`agent ${agent.child.pid} ready, bpftrace ${agent.bpftrace().join(',')}`);

  // The stream as it is written: every alert of our container, with when its line was read.
  const alerts = [];
  let containerId;
  const tail = tailFile(agent.events, (r, at) => {
    if (r.kind === 'alert' && r.container?.id === containerId) alerts.push({ a: r, at });
  });
  cleanups.push(['the tail', () => tail.close()]);

  const c = await startRuncContainer({ args: ['sleep', 'infinity'], root: runcRoot });
  containerId = c.id;
  const cgroupDir = join(unifiedCgroupRoot(), c.cgroupPath);
  cleanups.push([
    'the container',
    async () => {
      await c.stop();
      await rmdir(cgroupDir).catch(() => undefined);
    },
  ]);
  log(`container ${c.id} (init ${c.pid}, cgroup ${c.cgroupId})`);
  for (const [name, from] of [
    ['loadgen', tools.loadgen],
    ['noop', tools.noop],
  ]) {
    const to = join(`/proc/${c.pid}/root/tmp`, name);
    await copyFile(from, to);
    await chmod(to, 0o755);
  }

  // Warm-up: the agent has seen the container and indexed its root filesystem once /tmp/noop's drift alert is out.
  const t0 = nowMs();
  await runLoad(c, ['/tmp/loadgen', 'exec', '1', '1', '/tmp/noop']);
  const first = await until(
    'the warm-up drift alert',
    () => alerts.find((x) => x.a.rule === 'MD001' && x.a.processTree?.[0]?.exe === '/tmp/noop'),
    60000,
  );
  const warmup = {
    firstAlertMs: Math.round(first.at - t0),
    rules: [...new Set(alerts.map((x) => x.a.rule))].sort(),
  };
  log(`warm-up: first drift alert after ${warmup.firstAlertMs} ms`);
  await sleep(1000);

  const out = {
    bpftrace: agent.bpftrace().length,
    container: { id: c.id, image: 'Debian 12 test rootfs (src/testing/debian.ts)', init: 'sleep infinity' },
    warmup,
  };

  if (opt.part !== 'cpu') {
    const from = alerts.length;
    const secs = Math.max(1, Math.ceil(alertsWanted / alertRate));
    const m0 = await agent.metrics();
    const h0 = hostTicks();
    const r = await runLoad(c, ['/tmp/loadgen', 'exec', String(alertRate), String(secs), '/bin/sh']);
    const h1 = hostTicks();
    const mr001 = () => alerts.slice(from).filter((x) => x.a.rule === 'MR001' && stampOf(x.a) !== undefined);
    await settle(() => mr001().length, r.produced);
    tail.readMore();
    const seen = mr001();
    const byStamp = new Map();
    for (const x of seen) byStamp.set(stampOf(x.a), x);
    const total = [];
    const toKernel = [];
    const kernelToFile = [];
    for (const [stamp, x] of byStamp) {
      total.push(x.at - stamp);
      toKernel.push(x.a.time - stamp);
      kernelToFile.push(x.at - x.a.time);
    }
    const m1 = await agent.metrics();
    out.latency = {
      rule: 'MR001',
      program: '/bin/sh mamori-load <spawn time>',
      rate: alertRate,
      seconds: secs,
      expected: r.produced,
      failedSpawns: r.failed,
      seen: byStamp.size,
      duplicates: seen.length - byStamp.size,
      otherAlerts: countBy(
        alerts.slice(from).filter((x) => !(x.a.rule === 'MR001' && stampOf(x.a) !== undefined)),
        (x) => x.a.rule,
      ),
      spawnToAlertLineMs: summary(total),
      spawnToKernelExecMs: summary(toKernel),
      kernelExecToAlertLineMs: summary(kernelToFile),
      drops: diff(m1.drops, m0.drops),
      // All of the machine's cores, during the load (the agent's share included): other work skews latency.
      hostCpuBusyPercent: busyPercent(h0, h1),
      otherBpftrace: foreignBpftrace(agent.child.pid).length,
    };
    log(`latency: ${JSON.stringify(out.latency)}`);
    await sleep(1000);
  }

  out.cpu = [];
  for (const prog of opt.part === 'latency' ? [] : programs) {
    await sleep(2000);
    const from = alerts.length;
    const hits = () =>
      alerts.slice(from).filter((x) => x.a.rule === 'MD001' && x.a.processTree?.[0]?.exe === prog);
    const m0 = await agent.metrics();
    const loadDone = runLoad(c, ['/tmp/loadgen', 'exec', String(execRate), String(warm + seconds), prog]);
    await sleep(warm * 1000);
    const bpf = agent.bpftrace();
    const tick = () => ({
      node: statOf(agent.child.pid)?.ticks ?? NaN,
      bpftrace: bpf.reduce((s, p) => s + (statOf(p)?.ticks ?? 0), 0),
      self: statOf(process.pid)?.ticks ?? NaN,
      threads: threadTicks(agent.child.pid),
    });
    const mA = await agent.metrics();
    const c0 = tick();
    const h0 = hostTicks();
    const w0 = performance.now();
    await sleep(seconds * 1000);
    const c1 = tick();
    const h1 = hostTicks();
    const wall = (performance.now() - w0) / 1000;
    const mB = await agent.metrics();
    const r = await loadDone;
    const pct = (k) => Math.round(((c1[k] - c0[k]) / CLK_TCK / wall) * 1000) / 10;
    // Drain: until every exec of the run went through the pipeline, or 5 s without progress.
    const execWant = (m0.events.exec ?? 0) + r.produced;
    await settle(async () => (await agent.metrics()).events.exec ?? 0, execWant, 5000, 250);
    if (prog === '/tmp/noop') await settle(() => hits().length, r.produced, 5000);
    tail.readMore();
    const m1 = await agent.metrics();
    const lat = [];
    for (const x of hits()) {
      const s = stampOf(x.a);
      if (s !== undefined) lat.push(x.at - s);
    }
    const result = {
      program: prog,
      execRate,
      warmSeconds: warm,
      seconds: Math.round(wall * 100) / 100,
      achievedRate: Math.round(r.produced / r.seconds),
      produced: r.produced,
      failedSpawns: r.failed,
      cpuPercent: {
        agentNode: pct('node'),
        bpftrace: pct('bpftrace'),
        total: Math.round((pct('node') + pct('bpftrace')) * 10) / 10,
        // The agent's node process by thread (threads that ended inside the window are missing).
        agentByThread: Object.fromEntries(
          Object.keys(c1.threads)
            .map((k) => [
              k,
              Math.round(((c1.threads[k] - (c0.threads[k] ?? 0)) / CLK_TCK / wall) * 1000) / 10,
            ])
            .filter(([, v]) => v > 0),
        ),
        benchDriver: pct('self'),
        // Busy share of all the machine's cores over the window (everything: generator, agent, others).
        hostAllCores: busyPercent(h0, h1),
      },
      otherBpftrace: foreignBpftrace(agent.child.pid).length,
      bpftraceProcesses: bpf.length,
      generatorCpuSeconds: r.cpu,
      execEventsInWindowPerSecond: Math.round(((mB.events.exec ?? 0) - (mA.events.exec ?? 0)) / wall),
      // Exec events the agent processed during the run (any process of any container: the run's own plus a few others).
      execEventsProcessed: (m1.events.exec ?? 0) - (m0.events.exec ?? 0),
      // Of those, reported compacted by the kernel (repeats of an exec already judged).
      execRepeats: m1.execRepeats - m0.execRepeats,
      eventsByKind: diff(m1.events, m0.events),
      ...(prog === '/tmp/noop'
        ? { driftAlertsForTheExecs: hits().length, execToAlertLineMs: summary(lat) }
        : {}),
      alertsByRule: diff(m1.alerts, m0.alerts),
      drops: diff(m1.drops, m0.drops),
    };
    out.cpu.push(result);
    log(`cpu: ${JSON.stringify(result)}`);
  }
  out.agentDropsTotal = (await agent.metrics()).drops;
  out.loadavg = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  return out;
}

function countBy(xs, key) {
  const m = {};
  for (const x of xs) m[key(x)] = (m[key(x)] ?? 0) + 1;
  return m;
}
function diff(b, a) {
  const m = {};
  for (const k of Object.keys(b)) if (b[k] - (a[k] ?? 0) !== 0) m[k] = b[k] - (a[k] ?? 0);
  return m;
}

let code = 0;
let diagnose = async () => '';
try {
  const out = await main();
  await cleanupAll();
  const left = childrenOf(process.pid);
  if (left.length > 0) log(`warning: child processes left: ${left.join(' ')}`);
  console.log(JSON.stringify(out));
} catch (e) {
  log(`failed: ${e?.stack ?? e}`);
  log(await diagnose().catch(() => ''));
  code = 1;
  await cleanupAll();
}
process.exit(code);
