import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { appendFile, copyFile, mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { startRuncContainer, unifiedCgroupRoot, type RuncContainer } from '../../testing/runc.js';
import { createExecutableHasher } from './digest.js';
import { fdKind, parseStat, processTree, readProcess, stdioKinds } from './proc.js';

const run = promisify(execFile);
const skip = process.getuid?.() !== 0 ? 'needs root (runc)' : false;

async function sha256sum(path: string): Promise<string> {
  const { stdout } = await run('sha256sum', [path]);
  return `sha256:${stdout.split(' ')[0]}`;
}

/** Host pids in a cgroup whose argv is `argv`. */
async function findIn(c: RuncContainer, ...argv: string[]): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const procs = await readFile(join(unifiedCgroupRoot(), c.cgroupPath, 'cgroup.procs'), 'utf8');
    for (const p of procs.split('\n').filter(Boolean)) {
      const cmd = await readFile(`/proc/${p}/cmdline`, 'utf8').catch(() => '');
      if (cmd === `${argv.join('\0')}\0`) return Number(p);
    }
    await sleep(50);
  }
  throw new Error(`no process "${argv.join(' ')}" in ${c.id}`);
}

describe('pure parsers', () => {
  it('parses /proc/PID/stat with a hostile command name', () => {
    const text = '42 (a) b) (c) S 7 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 12345 1000 10\n';
    assert.deepEqual(parseStat(text), { comm: 'a) b) (c', state: 'S', ppid: 7, start: '12345' });
    assert.equal(parseStat('garbage'), undefined);
    assert.equal(parseStat('1 (x) S notanumber'), undefined);
  });
  it('classifies fd targets', () => {
    assert.equal(fdKind('socket:[123]'), 'socket');
    assert.equal(fdKind('pipe:[9]'), 'pipe');
    assert.equal(fdKind('/dev/pts/3'), 'tty');
    assert.equal(fdKind('/dev/null'), 'other');
    assert.equal(fdKind('anon_inode:[eventfd]'), 'other');
    assert.equal(fdKind('/var/log/x.log'), 'file');
    assert.equal(fdKind(undefined), 'unknown');
  });
});

describe('/proc readers on real processes', { skip }, () => {
  let c: RuncContainer;
  let py: ChildProcess;
  before(async () => {
    c = await startRuncContainer({ args: ['sh', '-c', 'sleep 300 & wait'] });
    // Node's 'pipe' stdio is a socketpair: python makes its own pipe for stdout.
    const code = [
      'import socket,os,sys,time',
      'a,b=socket.socketpair()',
      'os.dup2(a.fileno(),0)',
      'r,w=os.pipe()',
      'os.dup2(w,1)',
      'sys.stderr.write("ready\\n"); sys.stderr.flush()',
      'time.sleep(300)',
    ].join('\n');
    py = spawn('/usr/bin/python3', ['-c', code], { stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise((r) => py.stderr?.once('data', r));
  });
  after(async () => {
    py?.kill('SIGKILL');
    await c?.stop();
  });

  it('reads a container process as it sees itself', async () => {
    const init = await readProcess(c.pid);
    assert.ok(init);
    assert.deepEqual(init.argv, ['sh', '-c', 'sleep 300 & wait']);
    assert.equal(init.exe, '/usr/bin/dash');
    assert.equal(init.comm, 'sh');
    assert.equal(init.uid, 0);
  });

  it('walks a forked process up to the container init', async () => {
    const pid = await findIn(c, 'sleep', '300');
    const tree = await processTree(pid, { init: c.pid });
    assert.deepEqual(
      tree.map((p) => [p.pid, p.comm]),
      [
        [pid, 'sleep'],
        [c.pid, 'sh'],
      ],
    );
  });

  it('walks a runc exec’d process to the container border, then names the init', async () => {
    const child = c.spawnExec(['sh', '-c', 'sleep 5; echo done']);
    try {
      const pid = await findIn(c, 'sleep', '5');
      const sh = await findIn(c, 'sh', '-c', 'sleep 5; echo done');
      const tree = await processTree(pid, { init: c.pid });
      assert.deepEqual(
        tree.map((p) => p.pid),
        [pid, sh, c.pid],
      );
      // Without init the chain ends at the border: the runtime on the host is never included.
      assert.deepEqual(
        (await processTree(pid)).map((p) => p.pid),
        [pid, sh],
      );
      assert.deepEqual(
        (await processTree(pid, { maxDepth: 1 })).map((p) => p.pid),
        [pid],
      );
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('walks a host process to pid 1', async () => {
    const tree = await processTree(process.pid);
    assert.equal(tree[0]?.pid, process.pid);
    assert.equal(tree.at(-1)?.pid, 1);
  });

  it('tells a socket stdin from a pipe stdout', async () => {
    assert.deepEqual(await stdioKinds(py.pid ?? 0), { stdin: 'socket', stdout: 'pipe' });
    // Inside a container: stdin /dev/null, stdout a pipe made by the shell.
    const child = c.spawnExec(['sh', '-c', 'sleep 7 </dev/null | cat']);
    try {
      const pid = await findIn(c, 'sleep', '7');
      assert.deepEqual(await stdioKinds(pid), { stdin: 'other', stdout: 'pipe' });
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('hashes the executable a process runs, host and container, with a size cap', async () => {
    const h = createExecutableHasher();
    assert.equal(await h.digest(py.pid ?? 0), await sha256sum(await realpath('/usr/bin/python3')));
    const want = await sha256sum(join(c.rootfs, 'usr/bin/dash'));
    assert.equal(await h.digest(c.pid), want);
    assert.equal(await h.digest(c.pid), want, 'cached');
    const { ino } = await import('node:fs').then((fs) =>
      fs.statSync(join(c.rootfs, 'usr/bin/dash'), { bigint: true }),
    );
    assert.equal(await h.digest(c.pid, ino.toString()), want);
    assert.equal(await h.digest(c.pid, '1'), undefined, 'another file than the one exec’d');
    assert.equal(await createExecutableHasher({ maxBytes: 1000 }).digest(c.pid), undefined);
  });

  it('answers for the kernel identity of a file exec’d without /proc, until the file is written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mamori-digest-'));
    try {
      const bin = join(dir, 'sleepy');
      await copyFile(await realpath('/usr/bin/sleep'), bin);
      const idOf = (): string => {
        const st = statSync(bin, { bigint: true });
        return `${st.dev}:${st.ino}:${st.ctimeNs / 1_000_000_000n}.${st.ctimeNs % 1_000_000_000n}`;
      };
      const h = createExecutableHasher();
      const p = spawn(bin, ['30']);
      await sleep(100);
      const id = idOf();
      const first = await h.digest(p.pid ?? 0, undefined, id);
      assert.equal(first, await sha256sum(bin));
      p.kill();
      await new Promise((r) => p.on('close', r));
      // The process is gone: only the identity can answer now.
      assert.equal(await h.digest(p.pid ?? 0, undefined, id), first);
      // Written in place (same inode): a new ctime, so the old answer no longer applies.
      await appendFile(bin, Buffer.from([0]));
      const q = spawn(bin, ['30']);
      await sleep(100);
      const changed = idOf();
      assert.notEqual(changed, id);
      const second = await h.digest(q.pid ?? 0, undefined, changed);
      assert.equal(second, await sha256sum(bin));
      assert.notEqual(second, first);
      assert.equal(await h.digest(q.pid ?? 0, undefined, id), first, 'the old identity keeps its own answer');
      assert.equal(
        await h.digest(q.pid ?? 0, undefined, '1:2:3.4'),
        undefined,
        'another inode than the one exec’d',
      );
      q.kill();
      await new Promise((r) => q.on('close', r));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('returns undefined, never throws, for a process that is gone', async () => {
    const gone = spawn('true');
    const pid = gone.pid ?? 0;
    await new Promise((r) => gone.on('close', r));
    assert.equal(await readProcess(pid), undefined);
    assert.equal(await stdioKinds(pid), undefined);
    assert.deepEqual(await processTree(pid), []);
    assert.equal(await createExecutableHasher().digest(pid), undefined);
    assert.equal(await readProcess(-1), undefined);
    assert.equal(await readProcess(2 ** 40), undefined);
  });
});

describe('executable hasher, process gone', () => {
  it('hashes the file at the fallback path only when it is the very file exec’d, and never opens anything else', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mamori-fallback-'));
    try {
      const file = join(dir, 'prog');
      await copyFile('/bin/true', file);
      const st = statSync(file, { bigint: true });
      const id = (s: typeof st): string =>
        `${s.dev}:${s.ino}:${s.ctimeNs / 1_000_000_000n}.${s.ctimeNs % 1_000_000_000n}`;
      const gone = 0x3ffffff0;
      const want = `sha256:${createHash('sha256')
        .update(await readFile(file))
        .digest('hex')}`;
      assert.equal(await createExecutableHasher().digest(gone, undefined, id(st), file), want);
      // Not that file any more (rewritten: new ctime), not a file, or no identity to check: no hash.
      await sleep(10);
      await appendFile(file, 'x');
      assert.equal(await createExecutableHasher().digest(gone, undefined, id(st), file), undefined);
      const fifo = join(dir, 'fifo');
      await promisify(execFile)('mkfifo', [fifo]);
      const fst = statSync(fifo, { bigint: true });
      // A FIFO would block an open for reading: it is named (O_PATH), never opened.
      assert.equal(await createExecutableHasher().digest(gone, undefined, id(fst), fifo), undefined);
      assert.equal(await createExecutableHasher().digest(gone, undefined, undefined, file), undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
