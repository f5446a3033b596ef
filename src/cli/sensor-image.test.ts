/**
 * `mamori sensor --image CONTAINER_ID=IMAGE_REF` end to end: the sensor is a
 * child process watching a real runc container (Debian test rootfs); the
 * reference given on the command line is the container's image in its
 * events and alerts, and drift checks the container's executables against
 * that image's layers (an OCI layout written for the test) rather than its
 * root filesystem. Bad values are usage errors (exit code 2), never a stack trace.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Alert, ContainerEvent } from '../sensor/model/index.js';
import { debianRootfs } from '../testing/debian.js';
import { writeOciImage } from '../testing/oci-writer.js';
import { startRuncContainer, type RuncContainer } from '../testing/runc.js';
import { main } from './main.js';
import { capture } from './testing.js';

const skip = process.getuid?.() === 0 ? false : 'needs root (bpftrace, runc)';
const BIN = new URL('./bin.ts', import.meta.url).pathname;

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const c = capture();
  const code = await main(argv, c.io);
  return { code, ...c.text() };
}

/** The real binary: its exit code and stderr. */
function bin(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env,
  });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, stderr: () => err, exited };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

type StreamLine = ContainerEvent | Alert;

/** The container's events and alerts in the stream. */
async function records(file: string, id: string): Promise<StreamLine[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as StreamLine)
    .filter((r) => r.container?.id === id);
}

const isAlert = (r: StreamLine): r is Alert => r.kind === 'alert';

describe('mamori sensor --image with a real container', { skip, timeout: 240_000 }, () => {
  let tmp: string;
  const sensors: ReturnType<typeof bin>[] = [];
  const containers: RuncContainer[] = [];

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'mamori-sensor-image-'));
  });
  after(async () => {
    for (const s of sensors) {
      if (s.child.exitCode !== null || s.child.signalCode !== null) continue;
      s.child.kill('SIGTERM');
      const timer = setTimeout(() => s.child.kill('SIGKILL'), 15_000);
      await s.exited;
      clearTimeout(timer);
    }
    for (const c of containers) await c.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  it("names the container's image and checks drift against the image's layers", async () => {
    const rootfs = await debianRootfs();
    const sleep = await readFile(join(rootfs, 'usr/bin/sleep'));
    // The image holds sleep (also as /tmp/tool) but not true, which the root filesystem has.
    const image = await writeOciImage(join(tmp, 'layout'), 'v1', [
      {
        members: [
          { name: 'usr/' },
          { name: 'usr/bin/' },
          { name: 'usr/bin/sleep', content: sleep, mode: 0o755 },
          { name: 'bin', type: 'symlink', linkname: 'usr/bin' },
          { name: 'tmp/', mode: 0o1777 },
          { name: 'tmp/tool', content: sleep, mode: 0o755 },
        ],
      },
    ]);
    const runcRoot = await mkdtemp(join(tmp, 'runc-'));
    const c = await startRuncContainer({ args: ['/usr/bin/sleep', '120'], root: runcRoot });
    containers.push(c);
    const data = join(tmp, 'data');
    const events = join(tmp, 'events.jsonl');
    const sensor = bin(
      [
        'sensor',
        '--status-interval',
        '0',
        '--data',
        data,
        '--events-out',
        events,
        '--events',
        'all',
        '--runtime-root',
        runcRoot,
        '--image',
        `${c.id}=${image.ref}`,
      ],
      { ...process.env, MAMORI_CACHE_DIR: join(tmp, 'cache') },
    );
    sensors.push(sensor);
    await until('the sensor to be ready', async () => {
      if (sensor.child.exitCode !== null) throw new Error(`sensor exited: ${sensor.stderr()}`);
      return sensor.stderr().includes('ready:') || undefined;
    });

    // The container's /tmp is a tmpfs: copies of sleep made there, run long enough to be hashed.
    const tmpOf = (name: string): string => join(`/proc/${c.pid}/root/tmp`, name);
    for (const name of ['tool', 'evil']) {
      await copyFile(join(rootfs, 'usr/bin/sleep'), tmpOf(name));
      await chmod(tmpOf(name), 0o755);
    }
    for (const argv of [
      ['/usr/bin/sleep', '0.3'],
      ['/tmp/tool', '0.3'],
      ['/usr/bin/true'],
      ['/tmp/evil', '0.3'],
    ]) {
      const r = await c.exec(argv);
      assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
    }
    // /tmp/evil ran last: once its alert is in, every earlier exec has been checked.
    const all = await until('MD001 of /tmp/evil', async () => {
      const r = await records(events, c.id);
      return r.some((a) => isAlert(a) && a.rule === 'MD001' && a.evidence.path === '/tmp/evil')
        ? r
        : undefined;
    });
    const drift = all.filter(isAlert).filter((a) => a.rule === 'MD001' || a.rule === 'MD002');
    assert.deepEqual(
      drift.map((a) => `${a.rule} ${String(a.evidence.path)}`).sort(),
      // /usr/bin/true is in the root filesystem but not in the image: the image's view was used.
      ['MD001 /tmp/evil', 'MD001 /usr/bin/true'],
      sensor.stderr(),
    );
    // The execs without drift alerts were seen, hashed and checked.
    const execs = all.filter((e) => e.kind === 'exec');
    for (const exe of ['/usr/bin/sleep', '/tmp/tool'])
      assert.ok(
        execs.some((e) => e.kind === 'exec' && e.exe === exe && e.sha256 !== undefined),
        `the exec of ${exe} is in the stream, hashed`,
      );
    // Every event and alert of the container carries the image given on the command line.
    assert.ok(all.length > 0);
    for (const r of all) assert.equal(r.container?.image, image.ref, JSON.stringify(r));
    assert.doesNotMatch(sensor.stderr(), /not indexed/);

    sensor.child.kill('SIGTERM');
    assert.equal(await sensor.exited, 0, sensor.stderr());
  });

  it('rejects bad --image values with a clear message and exit code 2', async () => {
    const bad: [string, RegExp][] = [
      ['nope', /--image must be CONTAINER_ID=IMAGE_REF/],
      ['abc=', /--image must be CONTAINER_ID=IMAGE_REF/],
      ['abc=  ', /--image must be CONTAINER_ID=IMAGE_REF/],
      ['=oci:/tmp/x:1', /--image must be CONTAINER_ID=IMAGE_REF/],
      ['abc=oci:', /--image abc: .*oci: needs a path/],
      ['abc=bogus:/x', /--image abc: .*unknown transport "bogus"/],
    ];
    for (const [value, message] of bad) {
      const r = await cli('sensor', '--data', join(tmp, 'never'), '--image', value);
      assert.equal(r.code, 2, `${value}: ${r.stderr}`);
      assert.match(r.stderr, message, value);
      assert.doesNotMatch(r.stderr, /^\s+at /m, `${value}: no stack trace`);
    }
    // The real binary: the same message and exit status 2, and nothing started.
    const p = bin(['sensor', '--data', join(tmp, 'never'), '--image', 'nope']);
    assert.equal(await p.exited, 2, p.stderr());
    assert.match(p.stderr(), /--image must be CONTAINER_ID=IMAGE_REF/);
    assert.doesNotMatch(p.stderr(), /^\s+at /m);
    await assert.rejects(readFile(join(tmp, 'never', 'events.jsonl')), { code: 'ENOENT' });
  });
});
