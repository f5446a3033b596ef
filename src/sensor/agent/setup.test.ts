/**
 * The runtime's setup work with real bpftrace and real runc containers: runc
 * starting a container and `runc exec` raise no escape alert, while a
 * process of the container that names itself `runc:[2:INIT]`, calls
 * unshare(CLONE_NEWUSER) or mount and is gone before the agent looks is
 * still reported. Also: a workload first seen with defaultMode `monitor`
 * starts in monitor with modeSource `initial`.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startRuncContainer, type RuncContainer } from '../../testing/runc.js';
import type { Alert } from '../model/index.js';
import { startSensorAgent, type SensorAgent } from './index.js';

const skip = process.getuid?.() === 0 ? false : 'needs root (bpftrace, runc)';

async function until<T>(what: string, fn: () => T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A forked child (no exec of its own) renames itself like runc's init, does `call`, and exits at once. */
const renamed = (call: string): string => `
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
pid = os.fork()
if pid == 0:
    libc.prctl(15, b"runc:[2:INIT]", 0, 0, 0)
    ${call}
    os._exit(0)
os.waitpid(pid, 0)
`;

const ESCAPE_RULES = new Set(['MR011', 'MR012', 'MR013', 'MR014', 'MR015', 'MR016']);

describe('runtime setup with real runc', { skip, timeout: 180_000 }, () => {
  let tmp: string;
  let runcRoot: string;
  let agent: SensorAgent;
  const alerts: Alert[] = [];
  const containers: RuncContainer[] = [];

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'mamori-setup-'));
    runcRoot = await mkdtemp(join(tmp, 'runc-'));
    agent = await startSensorAgent({
      dataDir: join(tmp, 'data'),
      runtimeRoots: [runcRoot],
      defaultMode: 'monitor',
      driftCacheDir: false,
      onAlert: (a) => alerts.push(a),
    });
  });
  after(async () => {
    await agent?.stop();
    for (const c of containers) await c.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  const of = (c: RuncContainer, rule?: string): Alert[] =>
    alerts.filter((a) => a.container?.id === c.id && (rule === undefined || a.rule === rule));

  it("reports a process renamed runc:[2:INIT] that unshares or mounts, not runc's own setup", async () => {
    const c = await startRuncContainer({ args: ['sleep', '60'], root: runcRoot });
    containers.push(c);
    // runc exec: the runtime joins the container (setns) and sets the process up.
    const plain = await c.exec(['/bin/true']);
    assert.equal(plain.code, 0, plain.stderr);
    const user = await c.exec(['python3', '-c', renamed('libc.unshare(0x10000000)')]);
    assert.equal(user.code, 0, user.stderr);
    await until('MR013 of the renamed process', () =>
      of(c, 'MR013').find((a) => a.evidence.flags === 'CLONE_NEWUSER'),
    );
    const mnt = await c.exec([
      'python3',
      '-c',
      renamed('libc.mount(b"none", b"/tmp/renamed", b"tmpfs", 0, None)'),
    ]);
    assert.equal(mnt.code, 0, mnt.stderr);
    await until('MR012 of the renamed process', () =>
      of(c, 'MR012').find((a) => Object.values(a.evidence).includes('/tmp/renamed')),
    );
    // The two renamed processes' alerts are the container's only escape alerts: its start and
    // the runc execs (runc:[0:PARENT], [1:CHILD], [2:INIT] mounting, unsharing, joining
    // namespaces) raised none.
    assert.deepEqual(
      of(c)
        .filter((a) => ESCAPE_RULES.has(a.rule))
        .map((a) => a.rule)
        .sort(),
      ['MR012', 'MR013'],
    );
  });

  it('starts a workload first seen with defaultMode monitor in monitor, modeSource initial', async () => {
    const c = await startRuncContainer({ args: ['sleep', '59'], root: runcRoot });
    containers.push(c);
    const r = await c.exec(['/bin/true']);
    assert.equal(r.code, 0, r.stderr);
    const p = await until('the workload', () =>
      agent.profiles().find((x) => x.command.join(' ') === 'sleep 59'),
    );
    assert.equal(p.mode, 'monitor');
    assert.equal(p.modeSource, 'initial');
    // Monitor from the first event: nothing was learned, what the workload never did is an alert.
    await until('MP001 for /bin/true', () => of(c, 'MP001')[0]);
    assert.deepEqual(agent.profiles().find((x) => x.id === p.id)?.executables, []);
  });
});
