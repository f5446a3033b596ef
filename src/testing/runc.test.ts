import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startRuncContainer, unifiedCgroupRoot, type RuncContainer } from './runc.js';

const skip = process.getuid?.() !== 0 ? 'needs root (runc)' : false;

async function waitFor<T>(what: string, probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const v = probe();
    if (v !== undefined) return v;
    await sleep(100);
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('startRuncContainer', { skip }, () => {
  let c: RuncContainer;
  let port: number;
  before(async () => {
    c = await startRuncContainer({
      args: ['python3', '-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', '/etc'],
      annotations: { 'dev.mamori.image': 'debian:test' },
    });
    port = await waitFor('the server to listen', () => {
      const m = /port (\d+)/.exec(c.output().stdout);
      return m ? Number(m[1]) : undefined;
    });
  });
  after(() => c?.stop());

  it('serves HTTP to the host from a read-only Debian rootfs', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/os-release`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /ID=debian/);
  });

  it('runs processes with exec', async () => {
    const r = await c.exec(['sh', '-c', 'id; cat /etc/os-release; touch /etc/x 2>/dev/null || echo ro']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /uid=0\(root\)/);
    assert.match(r.stdout, /VERSION_CODENAME=bookworm/);
    assert.match(r.stdout, /\nro\n/);
    const u = await c.exec(['id', '-u'], { user: { uid: 1000, gid: 1000 } });
    assert.equal(u.stdout.trim(), '1000');
    const w = await c.exec(['sh', '-c', 'cat > /tmp/f && cat /tmp/f'], { input: 'hello' });
    assert.equal(w.stdout, 'hello');
  });

  it('reports init pid, bundle, cgroup path and state', async () => {
    assert.match(c.id, /^mamori-test-[0-9a-f]{12}$/);
    assert.equal(c.cgroupPath, `/mamori-test/${c.id}`);
    assert.match(await readFile(`/proc/${c.pid}/cmdline`, 'utf8'), /http\.server/);
    const cfg = JSON.parse(await readFile(`${c.bundle}/config.json`, 'utf8')) as { annotations: object };
    assert.deepEqual(cfg.annotations, { 'dev.mamori.image': 'debian:test' });
    assert.ok(existsSync(`${c.root}/${c.id}/state.json`));
  });

  it(
    "has the cgroup id bpftrace's cgroup builtin reports",
    { skip: !existsSync('/usr/bin/bpftrace') && 'no bpftrace' },
    async () => {
      if (!existsSync('/sys/kernel/tracing/events')) {
        await new Promise((r) =>
          spawn('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing']).on('close', r),
        );
      }
      const prog = `tracepoint:sched:sched_process_exec /cgroup == ${c.cgroupId}/ { printf("%llu %s\\n", cgroup, comm); exit(); }`;
      const bt = spawn('bpftrace', ['-f', 'json', '-e', prog], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      bt.stdout.on('data', (b: Buffer) => (text += b.toString()));
      const done = new Promise((r) => bt.on('close', r));
      try {
        await waitFor('bpftrace to attach', () => (text.includes('attached_probes') ? true : undefined));
        for (let i = 0; i < 50 && !text.includes('"printf"'); i++) {
          await c.exec(['true']);
          await sleep(100);
        }
        await done;
      } finally {
        bt.kill('SIGKILL');
      }
      const line = text.split('\n').find((l) => l.includes('"printf"'));
      const data = (JSON.parse(line ?? '{}') as { data?: string }).data ?? '';
      assert.equal(data.split(' ')[0], c.cgroupId);
    },
  );

  it('stop() deletes everything and is idempotent', async () => {
    const d = await startRuncContainer({ args: ['sleep', '100'] });
    assert.ok(existsSync(`${unifiedCgroupRoot()}${d.cgroupPath}`));
    await Promise.all([d.stop(), d.stop()]);
    await d.stop();
    assert.ok(!existsSync(d.bundle));
    assert.ok(!existsSync(d.root));
    assert.ok(!existsSync(`${unifiedCgroupRoot()}${d.cgroupPath}`));
    assert.ok(
      !existsSync(`/proc/${d.pid}`) || !(await readFile(`/proc/${d.pid}/cmdline`, 'utf8')).includes('sleep'),
    );
  });

  it('applies a seccomp section, a private network and a user', async () => {
    const d = await startRuncContainer({
      args: ['sleep', '100'],
      hostNetwork: false,
      user: { uid: 1000, gid: 1000 },
      seccomp: {
        defaultAction: 'SCMP_ACT_ALLOW',
        architectures: ['SCMP_ARCH_X86_64'],
        syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
      },
    });
    try {
      const r = await d.exec(['sh', '-c', 'id -u; mkdir /tmp/x || echo denied; cat /proc/net/dev']);
      assert.match(r.stdout, /^1000\n/);
      assert.match(r.stdout, /denied/);
      assert.doesNotMatch(r.stdout, /eth|ens|veth/, 'only lo in a private network namespace');
    } finally {
      await d.stop();
    }
  });

  it('refuses a tmpfs that would modify the shared rootfs', async () => {
    await assert.rejects(startRuncContainer({ args: ['true'], tmpfs: ['/nonexistent'] }), /never modified/);
  });
});
