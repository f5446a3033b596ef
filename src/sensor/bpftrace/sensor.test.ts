import assert from 'node:assert/strict';
import { realpathSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import type {
  ExecEvent,
  NetworkEvent,
  OpenEvent,
  NotableSyscallEvent,
  SyscallSetEvent,
} from '../model/index.js';
import { startSensor } from './index.js';
import type { Sensor, SensorOutput } from './index.js';
import type { TestCgroup } from './testutil.js';
import { makeCgroup, runIn, waitFor } from './testutil.js';

const root = process.getuid?.() === 0;
const skip = root ? false : 'needs root to run bpftrace';

describe('sensor with real bpftrace', { skip }, () => {
  let cg: TestCgroup;
  let sensor: Sensor;
  let tmp: string;
  const events: SensorOutput[] = [];
  let consumer: Promise<void>;

  before(async () => {
    cg = await makeCgroup();
    tmp = await mkdtemp(`${tmpdir()}/mamori-bpf-`);
    sensor = await startSensor({ cgroups: { include: [cg.id] }, syscallIntervalMs: 200 });
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

  const execs = (): ExecEvent[] => events.filter((e): e is ExecEvent => e.kind === 'exec');

  it('captures sub-millisecond execs with hostile argv and the cgroup id', async () => {
    const t0 = Date.now();
    const r = await runIn(
      cg,
      `/bin/true "a b" 'q"uote' "new
line" "$(printf '\\377\\376x')" 'back\\slash' '' < /dev/null | cat
for i in 1 2 3 4 5 6 7 8 9 10; do /bin/true "loop$i"; done`,
    );
    assert.equal(r.code, 0);
    assert.ok(await waitFor(() => execs().filter((e) => e.argv[1]?.startsWith('loop')).length === 10));
    const first = execs().find((e) => e.argv[1] === 'a b');
    assert.ok(first, 'exec of /bin/true with hostile argv');
    assert.deepEqual(first.argv, [
      '/bin/true',
      'a b',
      'q"uote',
      'new\nline',
      '\uFFFD\uFFFDx',
      'back\\slash',
      '',
    ]);
    assert.equal(first.exe, '/bin/true');
    assert.equal(first.cgroupId, cg.id);
    assert.equal(first.comm, 'true');
    assert.equal(first.argvTruncated, undefined);
    assert.equal(first.stdout, 'pipe');
    assert.equal(first.stdin, 'other');
    assert.ok(first.ppid > 0);
    // The kernel's view of the file exec'd: device, the inode stat() reports, and its ctime.
    const st = statSync(realpathSync('/bin/true'));
    assert.match(first.exeId ?? '', new RegExp(`^\\d+:${st.ino}:${Math.floor(st.ctimeMs / 1000)}\\.\\d+$`));
    assert.equal(first.parentSamePidNs, true);
    console.log(
      `exec→event latency: ${(Date.now() - t0).toFixed(0)} ms for the batch; event time skew ${(first.time - t0).toFixed(1)} ms after start`,
    );
    const exits = events.filter((e) => e.kind === 'exit' && e.pid === first.pid);
    assert.equal(exits.length, 1);
  });

  it('captures loopback TCP connect and accept (v4 and v6) and UDP', async () => {
    const js = `
const net = require('net'), dgram = require('dgram');
async function pair(host) {
  const srv = net.createServer((s) => s.end()); await new Promise((r) => srv.listen(0, host, r));
  const port = srv.address().port;
  await new Promise((r) => { const c = net.connect(port, host); c.on('close', r); c.on('error', r); c.resume(); });
  srv.close(); return port;
}
(async () => {
  const p4 = await pair('127.0.0.1'); const p6 = await pair('::1');
  const u = dgram.createSocket('udp4'); await new Promise((r) => u.send('x', 9, '127.0.0.1', r)); u.close();
  console.log(JSON.stringify({ p4, p6 }));
})();`;
    const r = await runIn(cg, `exec "${process.execPath}" -e "$1"`, [js]);
    assert.equal(r.code, 0);
    const { p4, p6 } = JSON.parse(r.stdout) as { p4: number; p6: number };
    const net = (): NetworkEvent[] =>
      events.filter((e): e is NetworkEvent => e.kind === 'connect' || e.kind === 'accept');
    const has = (
      kind: string,
      family: string,
      address: string,
      port: number | undefined,
      protocol: string,
    ): boolean =>
      net().some(
        (e) =>
          e.kind === kind &&
          e.family === family &&
          e.address === address &&
          e.protocol === protocol &&
          (port === undefined || e.port === port || e.localPort === port),
      );
    assert.ok(await waitFor(() => has('connect', 'inet', '127.0.0.1', p4, 'tcp')), 'v4 connect');
    assert.ok(
      await waitFor(() => has('accept', 'inet', '127.0.0.1', p4, 'tcp')),
      'v4 accept with local port',
    );
    assert.ok(await waitFor(() => has('connect', 'inet6', '::1', p6, 'tcp')), 'v6 connect');
    assert.ok(await waitFor(() => has('accept', 'inet6', '::1', p6, 'tcp')), 'v6 accept');
    assert.ok(await waitFor(() => has('connect', 'inet', '127.0.0.1', 9, 'udp')), 'udp sendto');
    const acc = net().find((e) => e.kind === 'accept' && e.localPort === p4);
    assert.ok(acc && acc.port !== p4 && acc.port > 0, 'accept peer port is the client port');
  });

  it('captures writes and sensitive reads, not ordinary reads', async () => {
    const r = await runIn(
      cg,
      `cat /etc/shadow > /dev/null; echo x > "$1/out"; cat /etc/hostname > /dev/null; echo done`,
      [tmp],
    );
    assert.equal(r.code, 0);
    const opens = (): OpenEvent[] => events.filter((e): e is OpenEvent => e.kind === 'open');
    assert.ok(await waitFor(() => opens().some((o) => o.path === `${tmp}/out`)));
    const shadow = opens().find((o) => o.path === '/etc/shadow');
    assert.ok(shadow && !shadow.write && shadow.comm === 'cat');
    const out = opens().find((o) => o.path === `${tmp}/out`);
    assert.ok(out && out.write && (out.flags & 0x40) !== 0);
    assert.ok(!opens().some((o) => o.path === '/etc/hostname'), 'ordinary read not reported');
  });

  it('captures unshare/ptrace/mount with args and the syscall set with names', async () => {
    const py = `
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
os.getpid(); os.uname()
libc.unshare(0x04000000)
libc.ptrace(0, 0, 0, 0)
libc.mount(b"mamori-src", b"/nonexistent-mamori", b"tmpfs", 1, None)
`;
    const r = await runIn(cg, `exec python3 -c "$1"`, [py]);
    assert.equal(r.code, 0);
    const sys = (): NotableSyscallEvent[] =>
      events.filter((e): e is NotableSyscallEvent => e.kind === 'syscall');
    assert.ok(await waitFor(() => sys().some((e) => e.syscall === 'mount')));
    assert.deepEqual(sys().find((e) => e.syscall === 'unshare')?.args, { flags: 0x04000000 });
    assert.deepEqual(sys().find((e) => e.syscall === 'ptrace')?.args, { request: 0, pid: 0 });
    assert.deepEqual(sys().find((e) => e.syscall === 'mount')?.args, {
      flags: 1,
      source: 'mamori-src',
      target: '/nonexistent-mamori',
      fstype: 'tmpfs',
    });
    const names = (): Set<string> =>
      new Set(
        events
          .filter((e): e is SyscallSetEvent => e.kind === 'syscalls' && e.cgroupId === cg.id)
          .flatMap((e) => e.syscalls),
      );
    assert.ok(
      await waitFor(() =>
        ['getpid', 'uname', 'unshare', 'ptrace', 'mount', 'execve'].every((n) => names().has(n)),
      ),
      [...names()].join(','),
    );
  });
});
