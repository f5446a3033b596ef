import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const BIN = join(import.meta.dirname, 'bin.ts');

interface Child {
  readonly stderr: () => string;
  readonly exit: Promise<number | null>;
  readonly kill: (sig: NodeJS.Signals) => void;
  /** Resolves with the URL once the "listening on" line is printed. */
  readonly listening: Promise<string>;
}

function mamori(args: string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MAMORI_LISTEN: '', MAMORI_DATA: '' },
  });
  let err = '';
  let onLine: ((url: string) => void) | undefined;
  const listening = new Promise<string>((resolve) => (onLine = resolve));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c: string) => {
    err += c;
    const m = /registry listening on (\S+) /.exec(err);
    if (m?.[1]) onLine?.(m[1]);
  });
  child.stdout.resume();
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { stderr: () => err, exit, kill: (s) => child.kill(s), listening };
}

let work: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'mamori-cli-server-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('mamori server', () => {
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    it(`serves until ${sig}, then exits 0`, async () => {
      const data = join(work, `data-${sig}`);
      const child = mamori(['server', '--listen', '127.0.0.1:0', '--data', data]);
      const url = await Promise.race([
        child.listening,
        child.exit.then((c) => {
          throw new Error(`exited ${c}: ${child.stderr()}`);
        }),
      ]);
      assert.match(url, /^http:\/\/127\.0\.0\.1:[0-9]+$/);
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
      // Signed out, /v2/ challenges; the generated admin password printed once signs in.
      assert.equal((await fetch(`${url}/v2/`)).status, 401);
      const notice = /created the administrator "admin" with the password (\S+) /.exec(child.stderr());
      assert.ok(notice?.[1], child.stderr());
      const auth = `Basic ${Buffer.from(`admin:${notice[1]}`).toString('base64')}`;
      assert.equal((await fetch(`${url}/v2/`, { headers: { authorization: auth } })).status, 200);
      assert.ok((await stat(join(data, 'state.db'))).isFile());
      child.kill(sig);
      assert.equal(await child.exit, 0);
      // Only mamori's own lines: the runtime may add its warnings to stderr.
      const ours = child
        .stderr()
        .split('\n')
        .filter((l) => l.startsWith('mamori:'));
      assert.equal(ours.length, 2, child.stderr());
      assert.match(
        ours[0] ?? '',
        /^mamori: created the administrator "admin" with the password \S+ \(shown once/,
      );
      assert.equal(ours[1], `mamori: registry listening on ${url} (data ${data})`);
    });
  }

  it('takes the address and data directory from the environment', async () => {
    const data = join(work, 'env-data');
    const child = spawn(process.execPath, ['--import', 'tsx', BIN, 'server'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, MAMORI_LISTEN: '127.0.0.1:0', MAMORI_DATA: data },
    });
    let err = '';
    child.stderr.setEncoding('utf8');
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (c: string) => {
        err += c;
        const m = /listening on (\S+) /.exec(err);
        if (m?.[1]) resolve(m[1]);
      });
      child.on('exit', (c) => reject(new Error(`exited ${c}: ${err}`)));
    });
    assert.ok(err.includes(`(data ${data})`));
    assert.equal((await fetch(`${url}/readyz`)).status, 200);
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exit, 0);
  });

  for (const bad of ['127.0.0.1:70000', 'nohost', '127.0.0.1:x']) {
    it(`rejects --listen ${bad} with exit 2 and one line`, async () => {
      const data = join(work, 'bad');
      const child = mamori(['server', '--listen', bad, '--data', data]);
      assert.equal(await child.exit, 2);
      const lines = child.stderr().trimEnd().split('\n');
      assert.equal(lines.length, 1, child.stderr());
      assert.match(lines[0] ?? '', /^mamori: error: --listen \(server\.listen\): invalid listen address/);
      await assert.rejects(stat(data), { code: 'ENOENT' });
    });
  }

  it('prints help with a skopeo example', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', BIN, 'server', '--help'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c: string) => (out += c));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0);
    assert.ok(out.includes('--listen <host:port>'));
    assert.ok(out.includes('--config <file>'));
    assert.ok(out.includes('MAMORI_ADMIN_PASSWORD'));
    assert.ok(out.includes('--dest-creds admin:… oci:./layout:app docker://127.0.0.1:5000/team/app:1'));
  });
});
