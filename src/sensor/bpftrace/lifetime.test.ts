// bpftrace never outlives the process that started it: a sensor killed with
// SIGKILL (no chance to stop bpftrace) takes its bpftrace with it — an
// enforcer left behind would go on killing processes. The sensor here sees
// no events (a cgroup that does not exist), so bpftrace never writes to its
// closed pipe and only the parent-death signal can end it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSensor } from './index.js';

const root = process.getuid?.() === 0;
const skip = root ? false : 'needs root to run bpftrace';

const CHILD = `
import { startSensor } from './src/sensor/bpftrace/index.ts';
const s = await startSensor({ cgroups: { include: ['999999999'] }, families: ['exec'] });
await s.ready;
process.stdout.write(String(s.stats().pid) + '\\n');
setInterval(() => {}, 1000);
`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('bpftrace lifetime', () => {
  it('a missing bpftrace is a clear error', { skip }, async () => {
    await assert.rejects(startSensor({ bpftrace: '/nonexistent/bpftrace' }), /bpftrace is not installed/);
  });

  it('dies with a sensor process that is SIGKILLed', { skip, timeout: 60_000 }, async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    const pid = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /^(\d+)\n/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', (code) => reject(new Error(`the sensor process exited early (${code})`)));
    });
    assert.ok(alive(pid), 'bpftrace runs');
    child.kill('SIGKILL');
    let gone = false;
    for (let i = 0; i < 100 && !gone; i++) {
      await sleep(100);
      gone = !alive(pid);
    }
    assert.ok(gone, `bpftrace ${pid} outlived its sensor`);
  });
});
