/**
 * The agent with real bpftrace and a real runc container: alerts reach the
 * event stream, a syslog receiver, a webhook receiver and the metrics; an
 * overloaded queue's losses are counted and reported, never silent.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startRuncContainer, type RuncContainer } from '../../testing/runc.js';
import type { Alert, ExecEvent } from '../model/index.js';
import { startSensorAgent, type SensorAgent } from './index.js';
import type { DropRecord, StreamRecord } from './types.js';

const skip = process.getuid?.() === 0 ? false : 'needs root (bpftrace, runc)';

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  ms = 30_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function records(file: string): Promise<StreamRecord[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as StreamRecord);
}

describe('sensor agent with real bpftrace', { skip, timeout: 180_000 }, () => {
  let tmp: string;
  const agents: SensorAgent[] = [];
  const containers: RuncContainer[] = [];
  let udp: Socket;
  let hook: Server;
  const syslog: string[] = [];
  const hooks: { body: string; signature: string }[] = [];

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'mamori-agent-'));
    udp = createSocket('udp4');
    udp.on('message', (b) => syslog.push(b.toString()));
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        hooks.push({ body, signature: String(req.headers['x-mamori-signature']) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  });
  after(async () => {
    for (const a of agents) await a.stop();
    for (const c of containers) await c.stop();
    udp.close();
    hook.close();
    await rm(tmp, { recursive: true, force: true });
  });

  it('sends alerts to the stream, syslog, a signed webhook and the metrics', async () => {
    const runcRoot = await mkdtemp(join(tmp, 'runc-'));
    const events = join(tmp, 'events.jsonl');
    const agent = await startSensorAgent({
      dataDir: join(tmp, 'data'),
      eventsOut: events,
      runtimeRoots: [runcRoot],
      defaultMode: 'monitor',
      metricsListen: '127.0.0.1:0',
      syslog: `udp://127.0.0.1:${udp.address().port}`,
      webhook: { url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`, secret: 'k' },
      driftCacheDir: false,
    });
    agents.push(agent);
    const c = await startRuncContainer({ args: ['sleep', '60'], root: runcRoot });
    containers.push(c);
    const r = await c.exec(['sh', '-c', 'cat /etc/shadow > /dev/null']);
    assert.equal(r.code, 0, r.stderr);
    const shadow = await until('MR003 in the stream', async () =>
      (await records(events)).find(
        (e): e is Alert => e.kind === 'alert' && e.rule === 'MR003' && e.container?.id === c.id,
      ),
    );
    assert.equal(shadow.container?.cgroup, c.cgroupPath);
    await until('MR003 over syslog', () =>
      syslog.find((m) => m.includes('rule="MR003"') && m.includes(`container="${c.id}"`)),
    );
    const delivered = await until('MR003 by webhook', () =>
      hooks.find((h) => h.body.includes('"MR003"') && h.body.includes(c.id)),
    );
    assert.equal(
      delivered.signature,
      `sha256=${createHmac('sha256', 'k').update(delivered.body).digest('hex')}`,
    );
    const metrics = await (await fetch(`http://${agent.metricsAddress}/metrics`)).text();
    assert.match(metrics, /mamori_sensor_alerts_total\{rule="MR003",severity="high"\} [1-9]/);
    assert.match(metrics, /mamori_sensor_events_total\{kind="exec"\} [1-9]/);
    const stats = agent.stats();
    assert.ok((stats.alertsByRule.MR003 ?? 0) >= 1);
    assert.ok(stats.containers >= 1);
    // monitor from the start: the workload (sleep 60) never learned cat or sh.
    assert.ok(
      (await records(events)).some(
        (e) => e.kind === 'alert' && e.rule === 'MP001' && e.container?.id === c.id,
      ),
    );
  });

  it('counts and reports what an overloaded queue drops', async () => {
    const runcRoot = await mkdtemp(join(tmp, 'runc-'));
    const events = join(tmp, 'burst.jsonl');
    const agent = await startSensorAgent({
      dataDir: join(tmp, 'burst-data'),
      eventsOut: events,
      events: 'all',
      runtimeRoots: [runcRoot],
      queueCapacity: 1,
      driftCacheDir: false,
    });
    agents.push(agent);
    const c = await startRuncContainer({ args: ['sleep', '60'], root: runcRoot });
    containers.push(c);
    const n = 400;
    const r = await c.exec(['sh', '-c', `i=0; while [ $i -lt ${n} ]; do /bin/true; i=$((i+1)); done`]);
    assert.equal(r.code, 0, r.stderr);
    await agent.stop();
    const all = await records(events);
    const execs = all.filter(
      (e): e is ExecEvent => e.kind === 'exec' && e.container?.id === c.id && e.exe === '/bin/true',
    ).length;
    const drops = all.filter((e): e is DropRecord => e.kind === 'drop');
    const queueDrops = drops.filter((d) => d.source === 'queue').reduce((s, d) => s + d.count, 0);
    console.log(
      `burst of ${n} execs with a queue of 1: ${execs} delivered, ${queueDrops} queue drops reported (all cgroups)`,
    );
    assert.ok(queueDrops > 0, 'the queue overflowed and said so');
    assert.equal(queueDrops, agent.stats().drops.queue, 'every counted drop is in the stream');
    assert.ok(execs + queueDrops >= n, `${execs} delivered + ${queueDrops} dropped account for ${n} execs`);
  });

  it('compacts repeats of a harmless exec in the kernel and rebuilds them; what alerts is never compacted', async () => {
    const runcRoot = await mkdtemp(join(tmp, 'runc-'));
    const events = join(tmp, 'compact.jsonl');
    const agent = await startSensorAgent({
      dataDir: join(tmp, 'compact-data'),
      eventsOut: events,
      events: 'all',
      runtimeRoots: [runcRoot],
      driftCacheDir: false,
    });
    agents.push(agent);
    const c = await startRuncContainer({ args: ['sleep', '60'], root: runcRoot });
    containers.push(c);
    const loop = (cmd: string, n: number): string =>
      `i=0; while [ $i -lt ${n} ]; do ${cmd}; i=$((i+1)); done`;
    const stream = async (): Promise<StreamRecord[]> => records(events);
    const drifted = (all: StreamRecord[]): Alert[] =>
      all.filter(
        (e): e is Alert => e.kind === 'alert' && e.rule === 'MD001' && e.processTree[0]?.exe === '/tmp/t',
      );
    // An exec is named repeatable only once its file is known to be the image's: the drift
    // index of the container is built in the background; its first alert says it is ready.
    assert.equal((await c.exec(['sh', '-c', 'cp /bin/true /tmp/t; /tmp/t'])).code, 0);
    await until(
      'the drift index',
      async () => (drifted(await stream()).length > 0 ? true : undefined),
      60_000,
    );
    const script = [loop('/bin/true x', 300), loop('/tmp/t', 20), 'sh -c "cat /etc/shadow"'].join('; ');
    const r = await c.exec(['sh', '-c', script]);
    assert.equal(r.code, 0, r.stderr);
    await until('the drift alerts and the shell', async () => {
      const all = await stream();
      return drifted(all).length === 21 && all.some((e) => e.kind === 'alert' && e.rule === 'MR001')
        ? true
        : undefined;
    });
    await agent.stop();
    const all = await stream();
    const trues = all.filter(
      (e): e is ExecEvent => e.kind === 'exec' && e.container?.id === c.id && e.exe === '/bin/true',
    );
    const repeats = agent.stats().execRepeats;
    console.log(`300 execs of /bin/true: ${repeats} compacted in the kernel, ${trues.length} in the stream`);
    assert.equal(trues.length, 300, 'every exec is in the stream, compacted or not');
    assert.ok(trues.every((e) => e.argv.join(' ') === '/bin/true x' && e.argvTruncated !== true && e.sha256));
    assert.ok(repeats >= 250, `most repeats compacted (${repeats})`);
    assert.equal(new Set(trues.map((e) => e.pid)).size, 300, 'each with its own process');
    assert.equal(drifted(all).length, 21, 'a drifted program alerts on every exec: never compacted');
    assert.equal(agent.stats().drops.compact, undefined);
  });

  it('stops, saving what it has, and says so when bpftrace dies', async () => {
    const agent = await startSensorAgent({ dataDir: join(tmp, 'dies'), eventsOut: join(tmp, 'dies.jsonl') });
    agents.push(agent);
    const pid = agent.stats().sensor.pid;
    assert.ok(pid !== undefined);
    process.kill(pid, 'SIGKILL');
    await assert.rejects(agent.done, /bpftrace exited unexpectedly/);
  });

  it('promotes a quiet workload from learn to monitor, then alerts on what it never did', async () => {
    const runcRoot = await mkdtemp(join(tmp, 'runc-'));
    const events = join(tmp, 'promote.jsonl');
    const logs: string[] = [];
    const agent = await startSensorAgent({
      dataDir: join(tmp, 'promote-data'),
      eventsOut: events,
      runtimeRoots: [runcRoot],
      quietWindowMs: 1500,
      pollMs: 200,
      driftCacheDir: false,
      onLog: (_l, m) => logs.push(m),
    });
    agents.push(agent);
    const c = await startRuncContainer({ args: ['sleep', '120'], root: runcRoot });
    containers.push(c);
    const promoted = await until('the promotion', () => logs.find((l) => /promoted to monitor/.test(l)));
    const p = agent.profiles().find((x) => x.command.join(' ') === 'sleep 120');
    assert.equal(p?.mode, 'monitor', promoted);
    assert.equal(p?.modeSource, 'automatic');
    assert.ok(p?.executables.some((e) => e.path.endsWith('/sleep')));
    assert.equal((await c.exec(['ls', '/'])).code, 0);
    const a = await until('MP001 for ls', async () =>
      (await records(events)).find(
        (e): e is Alert => e.kind === 'alert' && e.rule === 'MP001' && e.container?.id === c.id,
      ),
    );
    assert.match(String(a.evidence.exe), /\/ls$/);
    assert.equal(a.evidence.workloadId, p?.id);
  });

  it('watches host processes with includeHost', async () => {
    const events = join(tmp, 'host.jsonl');
    const agent = await startSensorAgent({
      dataDir: join(tmp, 'host-data'),
      eventsOut: events,
      includeHost: true,
    });
    agents.push(agent);
    const marker = `mamori-${process.pid}-${Date.now()}`;
    await new Promise<void>((resolve) =>
      spawn('sh', ['-c', `cat /etc/shadow >/dev/null; : ${marker}`], { stdio: 'ignore' }).on('exit', () =>
        resolve(),
      ),
    );
    const a = await until('an alert for the host process', async () =>
      (await records(events)).find(
        (e): e is Alert =>
          e.kind === 'alert' &&
          e.rule === 'MR003' &&
          e.processTree.some((p) => p.argv.join(' ').includes(marker)),
      ),
    );
    assert.equal(a.container, undefined);
    assert.ok(a.processTree.some((p) => p.comm === 'cat'));
  });

  it('does not alert on runc setting a container up, but on a workload process named like it', async () => {
    const runcRoot = await mkdtemp(join(tmp, 'runc-'));
    const events = join(tmp, 'setup.jsonl');
    const agent = await startSensorAgent({
      dataDir: join(tmp, 'setup-data'),
      eventsOut: events,
      runtimeRoots: [runcRoot],
      driftCacheDir: false,
    });
    agents.push(agent);
    const c = await startRuncContainer({ args: ['sleep', '60'], root: runcRoot });
    containers.push(c);
    // A forked child renames itself after runc's init and creates a namespace (and lives on a moment).
    const script = [
      'import ctypes, os, time',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'pid = os.fork()',
      'if pid == 0:',
      "    libc.prctl(15, b'runc:[2:INIT]', 0, 0, 0)",
      '    libc.unshare(0x20000)',
      '    time.sleep(2)',
      '    os._exit(0)',
      'os.waitpid(pid, 0)',
    ].join('\n');
    assert.equal((await c.exec(['python3', '-c', script])).code, 0);
    const a = await until('MR013 for the renamed process', async () =>
      (await records(events)).find(
        (e): e is Alert => e.kind === 'alert' && e.rule === 'MR013' && e.container?.id === c.id,
      ),
    );
    assert.equal(a.processTree[0]?.comm, 'runc:[2:INIT]');
    const all = (await records(events)).filter(
      (e): e is Alert => e.kind === 'alert' && e.container?.id === c.id,
    );
    assert.equal(
      all.filter((x) => x.rule === 'MR012').length,
      0,
      'runc’s mounts at container start are not alerted',
    );
    assert.equal(all.filter((x) => x.rule === 'MR013').length, 1, 'only the impostor’s unshare is');
  });
});
