/**
 * Learned seccomp and AppArmor profiles for a real runc container.
 *
 * 1. Learn: the real sensor with the exec and syscall-set families (200 ms
 *    syscall intervals) runs host-wide, since a container's cgroup id exists
 *    only once runc has created it, and the container's first syscalls and
 *    exec must be seen too; a second one, filtered to the container's cgroup
 *    once it is known, reports its network and file events (host-wide they
 *    would be the whole machine's, e.g. a parallel burst test's). A runc container from the Debian rootfs runs
 *    `python3 -m http.server 0` (port 0: a free port, parallel-safe) while
 *    the test makes HTTP requests and runs the test program (below) in its
 *    harmless mode with `runc exec` (so the interpreter's ctypes import is
 *    part of what is learned). Every event with the container's cgroup id is
 *    fed to the profile engine (src/sensor/profile) in learn mode.
 * 2. Generate the OCI seccomp profile (src/sensor/generate) and start a NEW
 *    container running the same command with it in config.json: the server
 *    still answers HTTP (so every syscall it needs was learned), and the
 *    test program run in it with `runc exec` gets errno 1 (EPERM) from
 *    mount(2), ptrace(PTRACE_TRACEME) and unshare(CLONE_NEWUSER).
 * 3. Control: the same program in the first container (no seccomp) gets 0
 *    from all three, so the EPERMs come from the profile, not from missing
 *    capabilities: both containers have CAP_SYS_ADMIN for that reason.
 * 4. The AppArmor profile generated from the same learned profile is accepted
 *    by `apparmor_parser -Q -K` (parse only; this kernel need not enforce it).
 *
 * Runtime setup syscalls: runc moves its init into the container's cgroup
 * before it sets the container up, so the setup itself (unshare by
 * `runc:[1:CHILD]`, mount and pivot_root by `runc:[2:INIT]`) is made in the
 * container's cgroup. A profile learned from everything the cgroup did would
 * allow unshare and mount. The generated syscall-set probe leaves out runc's
 * own tasks (their comm starts with `runc:[`); this test is what shows it.
 *
 * Needs root, runc, bpftrace, apparmor (apparmor_parser) and the Debian test
 * rootfs (src/testing/debian.ts).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  X86_64_SYSCALLS,
  availableTracepoints,
  generateSensorScript,
  startSensor,
  type Sensor,
} from '../bpftrace/index.js';
import { apparmorProfile, seccompReport } from '../generate/index.js';
import type { ContainerEvent, ContainerRef } from '../model/index.js';
import { ProfileEngine, type BehaviourProfile } from '../profile/index.js';
import { startRuncContainer, type RuncContainer } from '../../testing/index.js';

const skip = process.getuid?.() === 0 ? false : 'needs root (runc, bpftrace)';

const COMMAND = ['python3', '-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', '/etc'];
const CAPS = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_ADMIN'];

/** mount, ptrace and unshare through libc; prints {"name": errno} (0 = success). Harmless with `probe`. */
const PROGRAM = `
import ctypes, json, sys
libc = ctypes.CDLL(None, use_errno=True)
def call(name, *args):
    ctypes.set_errno(0)
    r = getattr(libc, name)(*args)
    return 0 if r == 0 else ctypes.get_errno() or -1
if sys.argv[1:] == ['probe']:
    print(json.dumps({'getpid': 0 if libc.getpid() > 0 else -1}))
else:
    out = {}
    out['mount'] = call('mount', b'none', b'/tmp', b'tmpfs', ctypes.c_ulong(0), None)
    out['ptrace'] = call('ptrace', ctypes.c_long(0), ctypes.c_long(0), None, None)
    out['unshare'] = call('unshare', ctypes.c_int(0x10000000))
    print(json.dumps(out))
`;

/** The generated sensor script, as `mamori sensor` runs it. */
function learningScript(): string {
  return generateSensorScript({
    cgroups: { excludeHostRoot: true },
    families: ['exec', 'syscalls'],
    syscallIntervalMs: 200,
    tracepoints: availableTracepoints(),
  });
}

async function waitPort(c: RuncContainer): Promise<number> {
  for (let i = 0; i < 300; i++) {
    const m = /port (\d+)/.exec(c.output().stdout);
    if (m) return Number(m[1]);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server did not start: ${c.output().stderr}`);
}

async function requests(port: number): Promise<void> {
  for (const path of ['/', '/os-release', '/passwd', '/does-not-exist', '/apt/']) {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    await res.arrayBuffer();
  }
  const head = await fetch(`http://127.0.0.1:${port}/hostname`, { method: 'HEAD' });
  assert.equal(head.status, 200);
}

async function runProgram(c: RuncContainer, mode?: 'probe'): Promise<Record<string, number>> {
  const r = await c.exec(['python3', '-c', PROGRAM, ...(mode ? [mode] : [])]);
  assert.equal(r.code, 0, `test program failed in ${c.id}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, number>;
}

function ref(c: RuncContainer): ContainerRef {
  return { id: c.id, runtime: 'runc', cgroup: c.cgroupPath, pid: c.pid, bundle: c.bundle, rootfs: c.rootfs };
}

describe('learned seccomp and AppArmor profiles on real runc containers', { skip }, () => {
  let tmp: string | undefined;
  const sensors: Sensor[] = [];
  const containers: RuncContainer[] = [];
  let learning: RuncContainer;
  let profile: BehaviourProfile;

  after(async () => {
    for (const s of sensors) await s.stop();
    for (const c of containers) await c.stop();
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  });

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'mamori-e2e-seccomp-'));
    const script = learningScript();
    const events: ContainerEvent[] = [];
    const consume = async (s: Sensor): Promise<void> => {
      sensors.push(s);
      await s.ready;
      for await (const ev of s)
        if (ev.kind !== 'drop' && ev.kind !== 'enforce' && ev.kind !== 'exec-repeat' && ev.cgroupId !== '1')
          events.push(ev);
    };
    const hostWide = await startSensor({ script, queueCapacity: 200_000 });
    const consumers = [consume(hostWide)];
    await hostWide.ready;

    learning = await startRuncContainer({ args: COMMAND, capabilities: CAPS });
    containers.push(learning);
    const filtered = await startSensor({
      cgroups: { include: [learning.cgroupId] },
      families: ['network', 'open'],
      queueCapacity: 200_000,
    });
    consumers.push(consume(filtered));
    await filtered.ready;
    const port = await waitPort(learning);
    await requests(port);
    assert.deepEqual(await runProgram(learning, 'probe'), { getpid: 0 });
    await requests(port);
    await new Promise((r) => setTimeout(r, 1000)); // two more syscall intervals
    for (const s of sensors) await s.stop();
    await Promise.all(consumers);
    for (const s of sensors) {
      const d = s.stats().dropped;
      assert.equal(d.kernel + d.queue, 0, `learning lost events: ${JSON.stringify(d)}`);
    }

    const engine = new ProfileEngine({ autoPromote: false });
    const container = ref(learning);
    engine.registerContainer(container, COMMAND);
    let sets = 0;
    for (const ev of events) {
      if (ev.cgroupId !== learning.cgroupId) continue;
      if (ev.kind === 'syscalls') sets++;
      engine.observe(ev, container, []);
    }
    assert.ok(sets > 0, 'syscall sets of the container were seen');
    const p = engine.list();
    assert.equal(p.length, 1);
    profile = p[0]!;
    console.log(
      `learned ${profile.syscalls.length} syscalls from ${sets} sets: ${profile.syscalls.join(' ')}`,
    );
  });

  it('learned what the server does and none of the runtime setup', () => {
    for (const sc of ['socket', 'bind', 'listen', 'accept4', 'openat', 'sendto']) {
      assert.ok(profile.syscalls.includes(sc), `${sc} learned`);
    }
    for (const sc of ['unshare', 'mount', 'ptrace', 'pivot_root']) {
      assert.ok(!profile.syscalls.includes(sc), `${sc} was not learned`);
    }
    assert.ok(
      profile.executables.some((e) => /\/python3[.0-9]*$/.test(e.path)),
      'python3 learned as an executable',
    );
  });

  it('the generated seccomp profile keeps the server working and denies unshare, mount and ptrace with EPERM', async () => {
    const report = seccompReport(profile, { knownSyscalls: X86_64_SYSCALLS.values() });
    assert.deepEqual(report.dropped, [], 'every learned name is a real syscall');
    const seccomp = report.seccomp;
    assert.equal(seccomp.defaultAction, 'SCMP_ACT_ERRNO');
    await writeFile(join(tmp!, 'seccomp.json'), JSON.stringify(seccomp, null, 2));

    const confined = await startRuncContainer({ args: COMMAND, capabilities: CAPS, seccomp });
    containers.push(confined);
    const port = await waitPort(confined);
    const res = await fetch(`http://127.0.0.1:${port}/os-release`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /ID=debian/);
    await requests(port);

    const denied = await runProgram(confined);
    assert.deepEqual(denied, { mount: 1, ptrace: 1, unshare: 1 }, 'EPERM (errno 1) from the seccomp profile');
    const control = await runProgram(learning);
    assert.deepEqual(
      control,
      { mount: 0, ptrace: 0, unshare: 0 },
      'the same calls succeed without the profile',
    );

    const again = await fetch(`http://127.0.0.1:${port}/hostname`);
    assert.equal(again.status, 200, 'the confined server still serves');
  });

  it(
    'apparmor_parser accepts the AppArmor profile of the same learned profile',
    {
      skip:
        !existsSync('/usr/sbin/apparmor_parser') &&
        'apparmor_parser is not installed (apt-get install apparmor)',
    },
    async () => {
      const text = apparmorProfile(profile);
      const file = join(tmp!, 'apparmor.profile');
      await writeFile(file, text);
      const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
        execFile('apparmor_parser', ['-Q', '-K', file], (err, _out, stderr) => {
          resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stderr });
        });
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(text, /python3[^\n]* ix,/, 'the learned python3 exec is in the profile');
    },
  );
});
