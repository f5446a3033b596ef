/**
 * Load tools of the sensor's end-to-end tests and benchmark: the C load
 * generator and the no-op program (testdata/), built with gcc into a
 * directory the caller owns; throwaway cgroups; processes run inside them.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { makeTestCgroup, type TestCgroup } from '../../testing/cgroup.js';
import { join } from 'node:path';
import { promisify } from 'node:util';

const TESTDATA = new URL('./testdata/', import.meta.url).pathname;

export interface LoadTools {
  /** testdata/loadgen.c: `listen SECONDS`, `exec RATE SECONDS PROGRAM`, `connect RATE SECONDS PORT`, `udp RATE SECONDS PORT`. */
  readonly loadgen: string;
  /** A static program without libc that exits 0 at once (the cheapest exec). */
  readonly noop: string;
}

/** Compiles the load generator and the no-op program into `dir` (gcc; Debian: gcc, libc6-dev). */
export async function buildLoadTools(dir: string): Promise<LoadTools> {
  const gcc = promisify(execFile);
  const loadgen = join(dir, 'loadgen');
  const noop = join(dir, 'noop');
  await gcc('gcc', ['-O2', '-Wall', '-o', loadgen, join(TESTDATA, 'loadgen.c')]);
  await gcc('gcc', ['-O2', '-static', '-nostdlib', '-o', noop, join(TESTDATA, 'noop.c')]);
  return { loadgen, noop };
}

export type { TestCgroup };

/** A fresh cgroup v2 directory `mamori-e2e-<hex>` under the unified root. */
export function makeCgroup(): Promise<TestCgroup> {
  return makeTestCgroup('mamori-e2e');
}

export interface LoadResult {
  readonly mode: 'exec' | 'connect' | 'udp';
  readonly rate: number;
  readonly produced: number;
  readonly failed: number;
  readonly seconds: number;
  /** The generator's own CPU seconds (BPF programs on its syscalls run in its context). */
  readonly cpu?: number;
}

function isLoadResult(v: unknown): v is LoadResult {
  const r = v as Partial<LoadResult> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    (r.mode === 'exec' || r.mode === 'connect' || r.mode === 'udp') &&
    [r.rate, r.produced, r.failed, r.seconds].every((n) => typeof n === 'number' && Number.isFinite(n))
  );
}

/**
 * Runs the given load generator command lines concurrently inside the cgroup
 * (a shell moves itself into it first, so only the generators and their
 * children are inside) and returns their results. Rejects when one fails.
 */
export function runInCgroup(
  cg: TestCgroup,
  commands: readonly (readonly string[])[],
  track?: (child: ChildProcess) => void,
): Promise<LoadResult[]> {
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = [
    `echo $$ > ${q(join(cg.dir, 'cgroup.procs'))} || exit 99`,
    ...commands.map((c) => `${c.map(q).join(' ')} &`),
    'wait',
  ].join('\n');
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    track?.(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const results = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as unknown)
        .filter(isLoadResult);
      if (code !== 0 || results.length !== commands.length) {
        reject(new Error(`load generators failed (exit ${code}): ${err.trim()} ${out.trim()}`));
      } else resolve(results);
    });
  });
}

export interface Listener {
  readonly port: number;
  readonly child: ChildProcess;
}

/** Starts `loadgen listen SECONDS` (outside any test cgroup) and waits for its port. */
export function startListener(tools: LoadTools, seconds: number): Promise<Listener> {
  return new Promise((resolve, reject) => {
    const child = spawn(tools.loadgen, ['listen', String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`listener exited (${code}) before it printed its port`)));
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /^(\d+)\n/.exec(out);
      if (m) resolve({ port: Number(m[1]), child });
    });
  });
}
