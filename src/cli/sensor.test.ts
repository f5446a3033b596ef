/**
 * `mamori sensor`, `mamori events` and `mamori profile` end to end, as a
 * user runs them: the sensor is a child process (stopped with SIGTERM),
 * real runc containers from the Debian test rootfs are watched, alerts are
 * read back from the --events-out file and through `mamori events`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Alert, ExecEvent, ExitEvent } from '../sensor/model/index.js';
import type { BehaviourProfile } from '../sensor/profile/index.js';
import { debianImage } from '../testing/images.js';
import { startRuncContainer, type RuncContainer } from '../testing/runc.js';
import { main } from './main.js';
import { type CliProc, startSensorCli, stopAll, streamLines, until } from './sensor-testing.js';
import { capture } from './testing.js';

const root = process.getuid?.() === 0;
const skip = root ? false : 'needs root (bpftrace, runc)';
const BIN = new URL('./bin.ts', import.meta.url).pathname;

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const c = capture();
  const code = await main(argv, c.io);
  return { code, ...c.text() };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

const alertsOf = async (file: string, id: string): Promise<Alert[]> =>
  (await streamLines(file)).filter(
    (r): r is Alert => (r as Alert).kind === 'alert' && (r as Alert).container?.id === id,
  );

async function profileOf(data: string, port: number): Promise<BehaviourProfile | undefined> {
  const r = await cli('profile', 'list', '--data', data, '-f', 'json');
  const all = JSON.parse(r.stdout || '[]') as BehaviourProfile[];
  return all.find((p) => p.command.includes(String(port)));
}

async function httpGet(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/`);
  await res.arrayBuffer();
  return res.status;
}

/** A container serving python3's HTTP server on a free port of the host network. */
async function serve(
  runcRoot: string,
  annotations: Record<string, string> = {},
): Promise<{ c: RuncContainer; port: number }> {
  const port = await freePort();
  const c = await startRuncContainer({
    args: ['python3', '-m', 'http.server', String(port), '--bind', '127.0.0.1'],
    root: runcRoot,
    annotations,
  });
  await until('the http server', () =>
    httpGet(port)
      .then((s) => (s === 200 ? true : undefined))
      .catch(() => undefined),
  );
  return { c, port };
}

const INJECTED = (port: number): string[] => [
  'sh',
  '-c',
  `cat /etc/shadow; python3 -c "import socket; socket.create_connection((\\"127.0.0.1\\", ${port}))"`,
];

async function learnThenSwitch(
  data: string,
  sensor: CliProc,
  port: number,
  mode: 'monitor' | 'protect',
): Promise<BehaviourProfile> {
  // Requests from the host while the workload learns; the profile is flushed every few seconds.
  const learned = await until('the learned profile', async () => {
    await httpGet(port);
    const p = await profileOf(data, port);
    return p && p.listens.length > 0 && p.executables.length > 0 ? p : undefined;
  });
  assert.equal(learned.mode, 'learn');
  const r = await cli('profile', 'mode', learned.name, mode, '--data', data);
  assert.equal(r.code, 0, r.stderr);
  await until(
    `the sensor to switch to ${mode}`,
    () => sensor.log().includes(`${learned.name} set to ${mode}`) || undefined,
  );
  return learned;
}

describe('mamori sensor with real containers', { skip, timeout: 300_000 }, () => {
  let tmp: string;
  const sensors: CliProc[] = [];
  const containers: RuncContainer[] = [];
  let listener: Server | undefined;
  let otherPort = 0;

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'mamori-sensor-cli-'));
    // The test's own listener: the peer of the unexpected outbound connection.
    listener = createServer((s) => s.end());
    await new Promise<void>((r) => listener!.listen(0, '127.0.0.1', r));
    otherPort = (listener.address() as { port: number }).port;
  });
  after(async () => {
    await stopAll(sensors);
    for (const c of containers) await c.stop();
    listener?.close();
    await rm(tmp, { recursive: true, force: true });
  });

  it('learns a workload, then alerts on an injected shell, a shadow read, a connection and drift', async () => {
    const img = await debianImage();
    const image = `oci:${img.layout}:${img.tag}`;
    const data = join(tmp, 'monitor-data');
    const events = join(tmp, 'monitor-events.jsonl');
    const runcRoot = await mkdtemp(join(tmp, 'runc-'));
    const sensor = await startSensorCli([
      '--data',
      data,
      '--events-out',
      events,
      '--runtime-root',
      runcRoot,
      '--quiet-window',
      '1h',
    ]);
    sensors.push(sensor);
    const { c, port } = await serve(runcRoot, {
      'dev.mamori.image': image,
      'io.kubernetes.pod.name': 'web-0',
      'io.kubernetes.pod.namespace': 'shop',
    });
    containers.push(c);
    const learned = await learnThenSwitch(data, sensor, port, 'monitor');
    assert.ok(
      learned.executables.some((e) => e.path.endsWith('/python3')),
      JSON.stringify(learned.executables),
    );

    // The stream is polled while runc exec runs: exec→alert latency = when the line was seen − the kernel's exec time.
    const running = c.exec(INJECTED(otherPort));
    const want = ['MR001', 'MR003', 'MP002'];
    let firstSeen = 0;
    const alerts = await until(
      'alerts for the shell, the shadow read and the connection',
      async () => {
        const a = await alertsOf(events, c.id);
        if (firstSeen === 0 && a.some((x) => x.rule === 'MR001')) firstSeen = Date.now();
        return want.every((w) => a.some((x) => x.rule === w)) ? a : undefined;
      },
      60_000,
      5,
    );
    const r = await running;
    assert.equal(r.code, 0, r.stderr);
    const byRule = (rule: string): Alert => alerts.find((a) => a.rule === rule)!;
    console.log(`alerts of the container: ${[...new Set(alerts.map((a) => a.rule))].sort().join(' ')}`);
    const setup = alerts.filter((a) => a.processTree[0]?.comm.startsWith('runc:'));
    assert.deepEqual(setup, [], 'the runtime setting the container up is not alerted on');
    console.log(
      `exec→alert: MR001 seen in the events file ${(firstSeen - byRule('MR001').time).toFixed(1)} ms after the shell's exec (5 ms polling)`,
    );
    for (const rule of want) {
      const a = byRule(rule);
      assert.equal(a.container?.id, c.id, rule);
      assert.equal(a.container?.image, image, rule);
      assert.equal(a.container?.pod?.name, 'web-0', rule);
      assert.ok(a.processTree.length >= 1, `${rule} has a process tree`);
    }
    assert.match(String(byRule('MR001').processTree[0]?.exe), /^\/(usr\/)?bin\/sh$/);
    assert.match(String(byRule('MR003').evidence.path), /\/etc\/shadow$/);
    assert.equal(byRule('MR003').processTree[0]?.comm, 'cat');
    assert.ok(
      byRule('MR003').processTree.some((p) => p.comm === 'sh'),
      'the shell is in the reader’s tree',
    );
    assert.equal(byRule('MP002').evidence.port, otherPort);
    assert.equal(byRule('MP002').evidence.address, '127.0.0.1');

    // An executable copied into the running container (its /tmp is a tmpfs) and run: drift.
    const evil = join(`/proc/${c.pid}/root/tmp`, 'evil');
    // sleep lives long enough for its content to be hashed through /proc/PID/exe.
    await copyFile('/bin/sleep', evil);
    await chmod(evil, 0o755);
    assert.equal((await c.exec(['/tmp/evil', '0.5'])).code, 0);
    const drift = await until('the drift alert', async () =>
      (await alertsOf(events, c.id)).find((a) => a.rule === 'MD001'),
    );
    assert.equal(drift.evidence.path, '/tmp/evil');
    assert.equal(drift.processTree[0]?.exe, '/tmp/evil');
    const sleepHash = createHash('sha256')
      .update(await readFile('/bin/sleep'))
      .digest('hex');
    assert.equal(drift.evidence.sha256, `sha256:${sleepHash}`);

    // The same alerts through `mamori events`.
    const ev = await cli('events', events, '-f', 'json', '--container', c.id);
    assert.equal(ev.code, 0, ev.stderr);
    const rules = ev.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as Alert).rule);
    for (const rule of [...want, 'MD001']) assert.ok(rules.includes(rule), `${rule} in mamori events`);
    const table = await cli('events', events, '--severity', 'high', '--container', c.id);
    assert.match(table.stdout, /MR003 +shop\/web-0/);
    assert.doesNotMatch(table.stdout, /MR001/, 'MR001 is medium');

    sensor.child.kill('SIGTERM');
    const exit = await sensor.exited;
    assert.equal(exit.code, 0, sensor.log());
    assert.match(sensor.log(), /stopped:/);
    const saved = await profileOf(data, port);
    assert.equal(saved?.mode, 'monitor');

    // What the learned profile generates.
    const shown = await cli('profile', 'show', saved!.name, '--data', data);
    assert.equal((JSON.parse(shown.stdout) as BehaviourProfile).id, saved!.id);
    const seccomp = await cli('profile', 'seccomp', saved!.name, '--data', data);
    assert.equal(seccomp.code, 0, seccomp.stderr);
    const sc = JSON.parse(seccomp.stdout) as { defaultAction: string; syscalls: { names: string[] }[] };
    assert.equal(sc.defaultAction, 'SCMP_ACT_ERRNO');
    for (const name of ['accept4', 'execve']) assert.ok(sc.syscalls[0]!.names.includes(name), name);
    assert.ok(!sc.syscalls[0]!.names.includes('ptrace'));
    const aa = await cli('profile', 'apparmor', saved!.name, '--data', data);
    assert.equal(aa.code, 0, aa.stderr);
    const aaFile = join(tmp, 'profile.apparmor');
    await writeFile(aaFile, aa.stdout);
    const parsed = await new Promise<number | null>((resolve) =>
      spawn('apparmor_parser', ['-Q', aaFile], { stdio: 'inherit' })
        .on('exit', resolve)
        .on('error', () => resolve(-1)),
    );
    assert.equal(parsed, 0, 'apparmor_parser -Q accepts the profile');
    const k8s = await cli('profile', 'seccomp', saved!.name, '--data', data, '--k8s', '--namespace', 'shop');
    assert.match(k8s.stdout, /type: Localhost/);
    assert.match(k8s.stdout, /kind: SeccompProfile/);
    assert.match(k8s.stdout, /namespace: shop/);
  });

  it('protect mode kills the injected shell', async () => {
    const data = join(tmp, 'protect-data');
    const events = join(tmp, 'protect-events.jsonl');
    const runcRoot = await mkdtemp(join(tmp, 'runc-'));
    const sensor = await startSensorCli([
      '--data',
      data,
      '--events-out',
      events,
      '--events',
      'all',
      '--runtime-root',
      runcRoot,
    ]);
    sensors.push(sensor);
    const { c, port } = await serve(runcRoot);
    containers.push(c);
    await learnThenSwitch(data, sensor, port, 'protect');
    await until('the enforcer', () => sensor.log().includes('enforcer active for 1 container') || undefined);

    const r = await c.exec(INJECTED(otherPort));
    assert.equal(r.code, 137, `the shell dies by SIGKILL (exit ${r.code}): ${r.stdout}${r.stderr}`);
    assert.equal(r.stdout, '', 'nothing of /etc/shadow was printed');
    const killed = await until('the kill alert', async () =>
      (await alertsOf(events, c.id)).find((a) => a.action === 'killed'),
    );
    assert.equal(killed.rule, 'MP001');
    assert.match(String(killed.evidence.exe), /^\/(usr\/)?bin\/sh$/);
    // The kill record comes from the enforcer, the exec event from the sensor: either may be first.
    const exec = await until('the exec of the shell in the stream', async () =>
      (await streamLines(events)).find(
        (e): e is ExecEvent =>
          (e as ExecEvent).kind === 'exec' &&
          (e as ExecEvent).container?.id === c.id &&
          (e as ExecEvent).exe === killed.evidence.exe,
      ),
    );
    const exit = await until('the exit of the shell', async () =>
      (await streamLines(events)).find(
        (e): e is ExitEvent => (e as ExitEvent).kind === 'exit' && (e as ExitEvent).pid === exec.pid,
      ),
    );
    console.log(
      `protect: the injected shell lived ${(exit.time - exec.time).toFixed(3)} ms from exec to death (kill record at ${(killed.time - exec.time).toFixed(3)} ms on the enforcer’s clock, ±1 ms apart)`,
    );
    // The workload itself still serves.
    assert.equal(await httpGet(port), 200);
    sensor.child.kill('SIGTERM');
    assert.equal((await sensor.exited).code, 0, sensor.log());
  });
});

describe('mamori sensor refuses to start without what it needs', { skip }, () => {
  const run = (env: NodeJS.ProcessEnv, uid?: number): Promise<{ code: number | null; err: string }> =>
    new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', BIN, 'sensor', '--data', '/nonexistent/mamori'],
        {
          env,
          stdio: ['ignore', 'ignore', 'pipe'],
          ...(uid !== undefined ? { uid, gid: uid } : {}),
        },
      );
      let err = '';
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      child.on('exit', (code) => resolve({ code, err }));
    });

  it('says so when not root', async () => {
    const r = await run({ PATH: process.env.PATH }, 65534);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /^mamori: error: mamori sensor must run as root/m);
  });

  it('says so when bpftrace is missing', async () => {
    const r = await run({ PATH: '/nonexistent' });
    assert.equal(r.code, 2, r.err);
    assert.match(
      r.err,
      /^mamori: error: bpftrace is not installed or not on PATH \(Debian: apt-get install bpftrace\)/m,
    );
  });
});

describe('mamori events with hostile input', () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'mamori-events-'));
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('skips truncated, huge and non-JSON lines with a count', async () => {
    const alert: Alert = {
      kind: 'alert',
      time: Date.parse('2026-01-02T03:04:05Z'),
      rule: 'MR003',
      severity: 'high',
      title: 'Password database read in a container',
      container: { id: 'abc123', runtime: 'runc' },
      processTree: [
        { pid: 7, ppid: 1, uid: 0, exe: '/usr/bin/cat', argv: ['cat', '/etc/shadow'], comm: 'cat' },
      ],
      evidence: { path: '/etc/shadow\nforged line' },
    };
    const file = join(tmp, 'events.jsonl');
    await writeFile(
      file,
      [
        JSON.stringify(alert),
        'not json at all',
        `{"kind":"alert","time":1,"rule":"X${'A'.repeat(2 << 20)}"}`,
        '[1,2,3]',
        '{"kind":"alert","time":1,"rule":"MR001","severity":"high","processTree":"x","evidence":{}}',
        '{"kind":"exec","time":1,"pid":"x"}',
        '{"kind":"drop","time":5,"source":"queue","count":3,"total":3}',
        JSON.stringify({
          ...alert,
          rule: 'MR001',
          severity: 'medium',
          processTree: [{ pid: 'x', argv: 'not-an-array' }],
        }),
        '{"kind":"alert","time":1,"ru',
      ].join('\n'),
    );
    const json = await cli('events', file, '-f', 'json');
    assert.equal(json.code, 0, json.stderr);
    const kinds = json.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { kind: string; rule?: string }).rule ?? 'drop');
    assert.deepEqual(kinds, ['MR003', 'drop', 'MR001']);
    assert.match(
      json.stderr,
      /skipped 6 unreadable line\(s\): 2 not JSON or truncated, 1 too long, 3 not stream records/,
    );

    const table = await cli('events', file);
    assert.equal(table.code, 0, table.stderr);
    const rows = table.stdout.trimEnd().split('\n');
    assert.equal(rows.length, 4, table.stdout);
    assert.match(
      rows[1]!,
      /^2026-01-02 03:04:05\.000 high +MR003 +abc123 +7 cat \/etc\/shadow +path=\/etc\/shadow forged line/,
    );
    assert.match(rows[2]!, /drop .*source=queue count=3/);

    const high = await cli('events', file, '--severity', 'high', '-f', 'json');
    assert.equal(high.stdout.trim().split('\n').length, 1);
    const missing = await cli('events', join(tmp, 'nope.jsonl'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read/);
  });
});
