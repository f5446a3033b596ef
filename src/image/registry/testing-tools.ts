/** Small helpers for registry tests: run a tool, make a certificate, find a free port. */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';

export interface RunResult {
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Runs a program (no shell) and resolves with its output; rejects with stderr on a non-zero exit. */
export function run(
  program: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      program,
      [...args],
      { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, env: opts.env ?? process.env, cwd: opts.cwd },
      (err, stdout, stderr) => {
        if (err) {
          reject(
            new Error(
              `${program} ${args.join(' ')} failed: ${stderr.toString('utf8').trim() || err.message}`,
            ),
          );
          return;
        }
        resolve({ stdout, stderr: stderr.toString('utf8') });
      },
    );
  });
}

/** Writes a self-signed P-256 certificate and key with `openssl req -x509`. */
export async function selfSignedCert(
  keyPath: string,
  certPath: string,
  commonName: string,
  subjectAltNames: readonly string[] = [],
): Promise<void> {
  const args = [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${commonName}`,
    '-keyout',
    keyPath,
    '-out',
    certPath,
  ];
  if (subjectAltNames.length > 0) args.push('-addext', `subjectAltName=${subjectAltNames.join(',')}`);
  await run('openssl', args);
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => {
        if (typeof addr === 'object' && addr !== null) resolve(addr.port);
        else reject(new Error('could not find a free port'));
      });
    });
  });
}
