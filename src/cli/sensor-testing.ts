/**
 * Shared by the `mamori sensor` end-to-end tests: the CLI as a child
 * process (stopped with SIGTERM), polling, and reading the --events-out
 * stream back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';

const BIN = new URL('./bin.ts', import.meta.url).pathname;

/** Polls `fn` until it returns something other than undefined or false. */
export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  ms = 60_000,
  every = 100,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** The real `mamori` binary as a child process; `log` is what it wrote to stderr so far. */
export interface CliProc {
  readonly child: ChildProcess;
  log(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `mamori ARGS…` (stdout ignored, stderr collected). */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = process.env): CliProc {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env,
  });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal })),
  );
  return { child, log: () => err, exited };
}

/** `mamori sensor ARGS…`, resolved once it reports ready. */
export async function startSensorCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<CliProc> {
  const proc = runCli(['sensor', '--status-interval', '0', ...args], env);
  await until('the sensor to be ready', () => {
    if (proc.child.exitCode !== null) throw new Error(`sensor exited: ${proc.log()}`);
    return proc.log().includes('ready:') || undefined;
  });
  return proc;
}

/** SIGTERM lets a sensor stop its bpftrace processes; SIGKILL only if it hangs. */
export async function stopAll(procs: readonly CliProc[]): Promise<void> {
  for (const s of procs) {
    if (s.child.exitCode !== null || s.child.signalCode !== null) continue;
    s.child.kill('SIGTERM');
    const timer = setTimeout(() => s.child.kill('SIGKILL'), 15_000);
    await s.exited;
    clearTimeout(timer);
  }
}

/** The JSON lines of an events file (none while it does not exist). */
export async function streamLines(file: string): Promise<unknown[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);
}
