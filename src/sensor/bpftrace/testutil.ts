/** Helpers for this module's tests: throwaway cgroups and processes run inside them. */
import { spawn } from 'node:child_process';
import { makeTestCgroup, type TestCgroup } from '../../testing/cgroup.js';

export type { TestCgroup };

export function makeCgroup(): Promise<TestCgroup> {
  return makeTestCgroup('mamori-test');
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly exitedAt: number;
}

/** Runs `sh -c script` after moving the shell into the cgroup (the shell's own exec is not inside it). */
export function runIn(cg: TestCgroup, script: string, args: readonly string[] = []): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'sh',
      ['-c', `echo $$ > ${cg.dir}/cgroup.procs || exit 99\n${script}`, 'sh', ...args],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, exitedAt: Date.now() }));
  });
}

/** Waits until `pred` holds, polling; false after `ms`. */
export async function waitFor(pred: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return pred();
}
