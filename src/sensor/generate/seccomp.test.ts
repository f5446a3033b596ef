import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { debianRootfs } from '../../testing/index.js';
import { X86_64_SYSCALLS } from '../bpftrace/index.js';
import { startRuncContainer, type RuncContainer } from '../../testing/runc.js';
import { NNP_FALSE_EXTRA, RUNTIME_SYSCALLS, seccompProfile, seccompReport } from './index.js';

const empty = { syscalls: [], overflow: [] };

describe('seccompProfile', () => {
  it('denies everything but the runtime set for an empty profile', () => {
    const s = seccompProfile(empty);
    assert.equal(s.defaultAction, 'SCMP_ACT_ERRNO');
    assert.equal(s.defaultErrnoRet, 1);
    assert.deepEqual(s.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    assert.equal(s.syscalls.length, 1);
    assert.equal(s.syscalls[0]?.action, 'SCMP_ACT_ALLOW');
    assert.deepEqual(s.syscalls[0]?.names, [...RUNTIME_SYSCALLS].sort());
    for (const n of ['mount', 'unshare', 'ptrace', 'bpf', 'setns', 'init_module', 'clone', 'socket']) {
      assert.ok(!s.syscalls[0]?.names.includes(n), n);
    }
  });

  it('allows the observed syscalls sorted, drops unknown names, reports additions', () => {
    const r = seccompReport({
      syscalls: ['socket', 'accept4', 'read', 'Read', 'not_a_syscall', 'x;y'],
      overflow: [],
    });
    const names = r.seccomp.syscalls[0]?.names ?? [];
    assert.deepEqual(names, [...names].sort());
    for (const n of ['socket', 'accept4', 'read', 'execve']) assert.ok(names.includes(n), n);
    assert.deepEqual(r.dropped, ['Read', 'not_a_syscall', 'x;y']);
    assert.ok(r.added.includes('execve') && !r.added.includes('read'));
    const own = seccompReport(
      { syscalls: ['frobnicate'], overflow: [] },
      { knownSyscalls: ['frobnicate', 'execve'] },
    );
    assert.deepEqual(
      own.seccomp.syscalls[0]?.names,
      ['execve', 'frobnicate'],
      'a validation table can be injected',
    );
  });

  it('adds the privilege-dropping calls without no_new_privs, and refuses an incomplete list', () => {
    const names = seccompProfile(empty, { noNewPrivileges: false }).syscalls[0]?.names ?? [];
    for (const n of NNP_FALSE_EXTRA) assert.ok(names.includes(n), n);
    assert.throws(() => seccompProfile({ syscalls: ['read'], overflow: ['syscalls'] }), /incomplete/);
  });
});

const PROBE = `
import ctypes, json, os
libc = ctypes.CDLL(None, use_errno=True)
def call(f, *a):
    ctypes.set_errno(0)
    return 0 if f(*a) == 0 else ctypes.get_errno()
os.makedirs('/tmp/m', exist_ok=True)
print(json.dumps({
    'mount': call(libc.mount, b'tmpfs', b'/tmp/m', b'tmpfs', ctypes.c_ulong(0), None),
    'unshare': call(libc.unshare, 0x20000),
    'ptrace': call(libc.ptrace, ctypes.c_long(0), 0, None, None),
}))
`;

describe('seccompProfile in real runc', { skip: process.getuid?.() !== 0 && 'needs root (runc)' }, () => {
  const containers: RuncContainer[] = [];
  after(() => Promise.all(containers.map((c) => c.stop())));
  const all = [...X86_64_SYSCALLS.values()];

  async function probe(syscalls: string[]): Promise<Record<string, number>> {
    const c = await startRuncContainer({
      args: ['python3', '-c', 'import time; time.sleep(600)'],
      seccomp: seccompProfile({ syscalls, overflow: [] }),
      // CAP_SYS_ADMIN: without the filter mount and unshare succeed, so EPERM below comes from seccomp.
      capabilities: ['CAP_SYS_ADMIN', 'CAP_KILL'],
    });
    containers.push(c);
    const r = await c.exec(['python3', '-c', PROBE]);
    assert.equal(r.code, 0, `python under the filter: ${r.stderr}`);
    return JSON.parse(r.stdout) as Record<string, number>;
  }

  it('python runs; unshare, mount and ptrace fail with EPERM only when left out', async () => {
    const [denied, control] = await Promise.all([
      probe(all.filter((n) => !['unshare', 'mount', 'ptrace'].includes(n))),
      probe(all),
    ]);
    assert.deepEqual(control, { mount: 0, unshare: 0, ptrace: 0 }, 'the same calls succeed when allowed');
    assert.deepEqual(denied, { mount: 1, unshare: 1, ptrace: 1 });
  });

  it(
    "the runtime set is all runc needs besides the workload's own syscalls",
    { skip: !existsSync('/usr/bin/strace') && 'needs strace' },
    async () => {
      // The workload's own syscalls, as strace sees them on the same root filesystem.
      const dir = await mkdtemp(join(tmpdir(), 'mamori-strace-'));
      try {
        const out = join(dir, 'trace');
        const rootfs = await debianRootfs();
        await new Promise<void>((resolve, reject) =>
          execFile(
            'strace',
            ['-f', '-qq', '-o', out, 'chroot', rootfs, 'python3', '-c', 'print("ok")'],
            (e) => (e ? reject(e) : resolve()),
          ),
        );
        const own = new Set(
          (await readFile(out, 'utf8'))
            .split('\n')
            .map((l) => /^\d+\s+([a-z0-9_]+)\(/.exec(l)?.[1])
            .filter((n): n is string => n !== undefined && n !== 'chroot'),
        );
        own.add('clock_nanosleep'); // time.sleep below
        const names = seccompProfile({ syscalls: [...own], overflow: [] }).syscalls[0]?.names ?? [];
        assert.ok(!names.includes('mount') && !names.includes('clone3'), 'a narrow profile');
        const c = await startRuncContainer({
          args: ['python3', '-c', 'import time; print("ok", flush=True); time.sleep(600)'],
          seccomp: seccompProfile({ syscalls: [...own], overflow: [] }),
        });
        containers.push(c);
        for (let i = 0; i < 300 && !c.output().stdout.includes('ok'); i++)
          await new Promise((r) => setTimeout(r, 100));
        assert.equal(c.output().stdout, 'ok\n', c.output().stderr);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
