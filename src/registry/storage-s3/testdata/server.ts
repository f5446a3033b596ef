// Starts s3rver-main.mjs in a child process for one test and reads its
// request log. See that file for why this server.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface LoggedRequest {
  readonly method: string;
  readonly url: string;
}

export interface TestS3 {
  readonly endpoint: string;
  readonly bucket: string;
  /** s3rver's data directory. */
  readonly dir: string;
  /** Every request received since the last call (waits until the log is complete). */
  requests(): Promise<LoggedRequest[]>;
  /** Resolves when a request matching `pred` arrives (from now on). */
  waitFor(pred: (r: LoggedRequest) => boolean): Promise<void>;
  /** Kills the server at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
}

interface Ctx {
  after(fn: () => Promise<void> | void): void;
}

const MAIN = fileURLToPath(new URL('./s3rver-main.mjs', import.meta.url));

/**
 * Starts a server with `bucket` (none when undefined). `unpatched` keeps
 * s3rver's wrong answer to `Range: bytes=0-0` (the whole object).
 */
export async function startS3(
  t: Ctx,
  bucket: string | undefined = 'mamori-test',
  opts: { unpatched?: boolean; dir?: string } = {},
): Promise<TestS3> {
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'mamori-s3rver-')));
  const args = ['--openssl-legacy-provider', MAIN, dir, bucket ?? '', opts.unpatched ? 'unpatched' : ''];
  const child = spawn(process.execPath, args, {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  t.after(async () => {
    child.stdin.end();
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise((resolve) => child.once('exit', resolve));
    }
    if (!opts.dir) await rm(dir, { recursive: true, force: true });
  });
  let log: LoggedRequest[] = [];
  const marks = new Map<number, () => void>();
  const watchers = new Set<(r: LoggedRequest) => void>();
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`s3rver exited early (${code})`)));
    createInterface({ input: child.stdout }).on('line', (text) => {
      const msg = JSON.parse(text) as { port?: number; mark?: number } & Partial<LoggedRequest>;
      if (msg.port !== undefined) resolve(msg.port);
      else if (msg.mark !== undefined) marks.get(msg.mark)?.();
      else if (msg.method && msg.url) {
        const r = { method: msg.method, url: msg.url };
        log.push(r);
        for (const w of watchers) w(r);
      }
    });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  let next = 0;
  return {
    endpoint,
    bucket: bucket ?? '',
    dir,
    waitFor: (pred) =>
      new Promise<void>((resolve) => {
        const w = (r: LoggedRequest): void => {
          if (!pred(r)) return;
          watchers.delete(w);
          resolve();
        };
        watchers.add(w);
      }),
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
    requests: async () => {
      const n = next++;
      const seen = new Promise<void>((resolve) => marks.set(n, resolve));
      await new Promise<void>((resolve, reject) => {
        get(`${endpoint}/__mark__/${n}`, (res) => res.resume().on('end', resolve)).on('error', reject);
      });
      await seen;
      marks.delete(n);
      const out = log;
      log = [];
      return out;
    },
  };
}
