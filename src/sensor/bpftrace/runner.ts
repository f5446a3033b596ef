/**
 * Runs bpftrace with a generated script and streams its JSON output into
 * sensor events through a bounded queue.
 */
import type { ChildProcess } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';
import { constants, existsSync, readdirSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MamoriError } from '../../core/errors.js';
import { decodeLine } from './jsonline.js';
import { openOutputPipe } from './output.js';
import { normalizeOptions } from './options.js';
import type { InodeCtime, SensorScriptOptions } from './options.js';
import { openCompaction, type ExecCompaction } from './compact.js';
import { BoundedQueue } from './queue.js';
import type { DropSource } from './queue.js';
import { RecordAssembler } from './records.js';
import { generateSensorScript } from './script.js';
import { syscallSets } from './syscallsets.js';
import type { SensorOutput } from './types.js';

const TRACEFS = '/sys/kernel/tracing';
const READY = '@mamori-ready\n';
const READY_PROBE = `BEGIN\n{\n  printf("@mamori-ready\\n");\n}\n`;

export interface StartSensorOptions extends SensorScriptOptions {
  /** A ready-made script (e.g. from generateEnforcerScript) instead of a generated sensor script. */
  readonly script?: string;
  /** Pass --unsafe (needed by scripts that call signal()). */
  readonly unsafe?: boolean;
  /** Bounded queue size (events); default 10000. */
  readonly queueCapacity?: number;
  /** Longest output line accepted (bytes); default 8 MiB. Longer lines are parse drops. */
  readonly maxLineBytes?: number;
  /** Perf ring buffer pages per CPU (BPFTRACE_PERF_RB_PAGES); default 1024. */
  readonly perfRbPages?: number;
  /** Map size limit (BPFTRACE_MAP_KEYS_MAX); default 65536. */
  readonly mapKeysMax?: number;
  /** bpftrace executable; default `bpftrace` from PATH. */
  readonly bpftrace?: string;
  /** Milliseconds between SIGINT and SIGKILL in stop(); default 5000. */
  readonly stopTimeoutMs?: number;
  /**
   * Once the sensor has caught up with bpftrace's output it waits this long
   * (ms, 0..100) before reading again, so records are read in batches
   * rather than one wake-up per record; default 5. Under load reads are full
   * and follow each other at once.
   */
  readonly readIntervalMs?: number;
  /**
   * Exec compaction (compact.ts): repeats of execs the consumer names
   * through Sensor.compaction arrive as `exec-repeat` events. Only for the
   * generated script with the exec family, on a kernel whose inode ctime
   * bpftrace can read; Sensor.compaction is undefined otherwise.
   */
  readonly compactExecs?: boolean;
}

export interface SensorStats {
  readonly delivered: number;
  readonly dropped: Readonly<Record<DropSource, number>>;
  readonly pid: number | undefined;
  readonly uptimeMs: number;
  /** Probes bpftrace attached (after ready). */
  readonly probes: number;
}

/**
 * A running sensor. Consume it with `for await (const ev of sensor)` (one
 * consumer); the iteration ends after stop() or when bpftrace exits.
 */
export interface Sensor extends AsyncIterable<SensorOutput> {
  /** Resolves when bpftrace has attached its probes; rejects with a MamoriError if it fails to load. */
  readonly ready: Promise<void>;
  /** Resolves when bpftrace has exited. */
  readonly done: Promise<void>;
  stats(): SensorStats;
  /** Present when exec compaction is on (StartSensorOptions.compactExecs). */
  readonly compaction?: ExecCompaction;
  /** SIGINT, then SIGKILL after stopTimeoutMs; resolves when bpftrace has exited. */
  stop(): Promise<void>;
}

async function ensureTracefs(): Promise<void> {
  if (existsSync(`${TRACEFS}/events`)) return;
  try {
    await promisify(execFile)('mount', ['-t', 'tracefs', 'nodev', TRACEFS]);
  } catch (e) {
    throw new MamoriError('IO', `tracefs is not mounted at ${TRACEFS} and mounting it failed`, { cause: e });
  }
  if (!existsSync(`${TRACEFS}/events`)) throw new MamoriError('IO', `tracefs is not available at ${TRACEFS}`);
}

/** The tracepoints this kernel offers (`category:name`), for SensorScriptOptions.tracepoints. */
export function availableTracepoints(): ReadonlySet<string> {
  const out = new Set<string>();
  for (const cat of ['syscalls', 'sched', 'raw_syscalls']) {
    try {
      for (const n of readdirSync(`${TRACEFS}/events/${cat}`)) out.add(`${cat}:${n}`);
    } catch {
      // category missing: its probes are left out
    }
  }
  return out;
}

function intOpt(v: number | undefined, def: number, lo: number, hi: number, name: string): number {
  if (v === undefined) return def;
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw new MamoriError('INVALID_ARGUMENT', `${name} must be an integer in ${lo}..${hi}`);
  }
  return v;
}

/** Whether `cmd` (a path, or a name looked up in PATH) is an executable file. */
async function onPath(cmd: string): Promise<boolean> {
  const dirs = cmd.includes('/') ? [''] : (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':');
  for (const d of dirs) {
    try {
      await access(d === '' ? cmd : join(d, cmd), constants.X_OK);
      return true;
    } catch {
      // next
    }
  }
  return false;
}

function stderrHead(text: string): string {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.includes('RLIMIT_MEMLOCK'))
    .slice(0, 15)
    .join('\n');
}

/**
 * How this kernel's struct inode names its ctime, from bpftrace's view of
 * the kernel's BTF (the fields were renamed in 6.6 and split in 6.11);
 * undefined when bpftrace cannot tell.
 */
export async function inodeCtimeFields(bpftrace = 'bpftrace'): Promise<InodeCtime | undefined> {
  const out = await promisify(execFile)(bpftrace, ['-lv', 'struct inode'], { timeout: 20_000 }).then(
    (r) => r.stdout,
    () => '',
  );
  if (/\bi_ctime_sec;/.test(out) && /\bi_ctime_nsec;/.test(out))
    return { sec: 'i_ctime_sec', nsec: 'i_ctime_nsec' };
  for (const name of ['__i_ctime', 'i_ctime']) {
    if (new RegExp(`struct timespec64 ${name};`).test(out))
      return { sec: `${name}.tv_sec`, nsec: `${name}.tv_nsec` };
  }
  return undefined;
}

/** Starts bpftrace with the sensor (or the given) script; see Sensor. */
export async function startSensor(options: StartSensorOptions = {}): Promise<Sensor> {
  const capacity = intOpt(options.queueCapacity, 10000, 1, 10_000_000, 'queueCapacity');
  const maxLine = intOpt(options.maxLineBytes, 8 << 20, 1024, 256 << 20, 'maxLineBytes');
  const pages = intOpt(options.perfRbPages, 1024, 1, 65536, 'perfRbPages');
  const keys = intOpt(options.mapKeysMax, 65536, 1024, 1 << 22, 'mapKeysMax');
  const stopTimeout = intOpt(options.stopTimeoutMs, 5000, 0, 600000, 'stopTimeoutMs');
  const readInterval = intOpt(options.readIntervalMs, 5, 0, 100, 'readIntervalMs');
  const norm = normalizeOptions(options);
  const strlen = norm.strlen;
  if (process.getuid?.() !== 0) throw new MamoriError('DENIED', 'the sensor needs root to load BPF programs');
  await ensureTracefs();
  const bpftrace = options.bpftrace ?? 'bpftrace';
  if (!(await onPath(bpftrace))) {
    throw new MamoriError('NOT_FOUND', 'bpftrace is not installed (Debian: apt-get install bpftrace)');
  }
  const ctime =
    options.script === undefined && options.inodeCtime === undefined
      ? await inodeCtimeFields(bpftrace)
      : options.inodeCtime;
  const compact =
    options.compactExecs === true && options.script === undefined && norm.families.has('exec') && ctime
      ? openCompaction()
      : undefined;
  // bpftrace 0.17 prints attached_probes before the probes are live; BEGIN
  // runs once they are, so its record is the readiness signal.
  let script: string;
  try {
    script =
      READY_PROBE +
      (options.script ??
        generateSensorScript({
          ...options,
          tracepoints: options.tracepoints ?? availableTracepoints(),
          ...(ctime !== undefined ? { inodeCtime: ctime } : {}),
          ...(compact ? { compaction: compact.spec } : {}),
        }));
  } catch (e) {
    compact?.close();
    throw e;
  }

  // bpftrace's nsecs is CLOCK_MONOTONIC, as process.hrtime; the wall clock with sub-millisecond
  // resolution (Date.now() alone would put events up to a millisecond early).
  const clockOffsetMs = performance.timeOrigin + performance.now() - Number(process.hrtime.bigint()) / 1e6;
  const queue = new BoundedQueue(capacity);
  const asm = new RecordAssembler({
    clockOffsetMs,
    strlen,
    maxArgs: norm.maxArgs,
  });
  const started = Date.now();
  let probes = 0;
  let stderr = '';
  let attached = false;

  const drop = (source: DropSource, n: number): void => queue.drop(source, n);
  const out = await openOutputPipe({
    maxLineBytes: maxLine,
    readIntervalMs: readInterval,
    onLine: (line) => handleLine(line),
    onOverlong: () => drop('parse', 1),
  }).catch((e: unknown) => {
    compact?.close();
    throw e;
  });
  const args = ['-f', 'json', '-o', out.path, ...(options.unsafe === true ? ['--unsafe'] : []), '-e', script];
  // bpftrace must not outlive the sensor (an enforcer left behind would go on
  // killing): setpriv (util-linux) makes the kernel kill it when its parent dies.
  const wrapped = (await onPath('setpriv'))
    ? (['setpriv', ['--pdeathsig', 'KILL', '--', bpftrace, ...args]] as const)
    : ([bpftrace, args] as const);
  const child: ChildProcess = spawn(wrapped[0], [...wrapped[1]], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      BPFTRACE_STRLEN: String(strlen),
      BPFTRACE_PERF_RB_PAGES: String(pages),
      BPFTRACE_MAP_KEYS_MAX: String(keys),
    },
  });

  let resolveReady!: () => void;
  let rejectReady!: (e: unknown) => void;
  const ready = new Promise<void>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  ready.catch(() => undefined);

  const handleLine = (line: Buffer): void => {
    const d = decodeLine(line);
    if (d === undefined) return drop('parse', 1);
    if (d.type === 'printf' && !attached && d.data.toString('latin1') === READY) {
      attached = true;
      // bpftrace has the FIFO open: from now on its exit ends the stream.
      out.releaseWriter();
      resolveReady();
    } else if (d.type === 'printf') {
      const before = asm.drops;
      for (const ev of asm.push(d.data)) queue.push(ev);
      drop('parse', asm.drops - before);
    } else if (d.type === 'lost') {
      drop('kernel', d.count);
    } else if (d.type === 'attached') {
      probes = d.probes;
    } else if (d.type === 'map') {
      const { events, bad } = syscallSets(d.maps, Date.now());
      for (const ev of events) queue.push(ev);
      drop('parse', bad);
    }
  };

  child.stderr?.on('data', (c: Buffer) => {
    if (stderr.length < 65536) stderr += c.toString('utf8');
  });

  const done = new Promise<void>((resolve) => {
    const finish = async (failure: MamoriError | undefined): Promise<void> => {
      // Without bpftrace's writer (it has exited) the stream ends once drained.
      out.releaseWriter();
      await out.ended;
      const before = asm.drops;
      for (const ev of asm.flush()) queue.push(ev);
      drop('parse', asm.drops - before);
      if (failure !== undefined) rejectReady(failure);
      queue.close();
      await out.dispose();
      compact?.close();
      resolve();
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      void finish(
        e.code === 'ENOENT'
          ? new MamoriError('NOT_FOUND', 'bpftrace is not installed (Debian: apt-get install bpftrace)', {
              cause: e,
            })
          : new MamoriError('INTERNAL', `cannot start bpftrace: ${e.message}`, { cause: e }),
      );
    });
    child.on('close', (code, signal) => {
      void finish(
        attached
          ? undefined
          : new MamoriError(
              'INTERNAL',
              `bpftrace failed to load the script (exit ${code ?? signal}):\n${stderrHead(stderr)}`,
            ),
      );
    });
  });

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeout);
      await done;
      clearTimeout(timer);
    }
    await done;
  };

  return {
    ready,
    done,
    stop,
    ...(compact ? { compaction: compact.channel } : {}),
    stats: () => ({
      delivered: queue.delivered,
      dropped: { ...queue.dropped },
      pid: child.pid,
      uptimeMs: Date.now() - started,
      probes,
    }),
    [Symbol.asyncIterator]: () => queue[Symbol.asyncIterator](),
  };
}
