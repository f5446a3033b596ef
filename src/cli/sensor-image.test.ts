/**
 * `mamori sensor --image CONTAINER_ID=IMAGE_REF` end to end: the sensor is a
 * child process watching a real runc container (Debian test rootfs); the
 * reference given on the command line is the container's image in its
 * events and alerts, and drift checks the container's executables against
 * that image's layers (an OCI layout written for the test) rather than its
 * root filesystem. Bad values are usage errors (exit code 2), never a stack trace.
 */
import assert from 'node:assert/strict';
import { chmod, copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Alert, ContainerEvent } from '../sensor/model/index.js';
import { debianRootfs } from '../testing/debian.js';
import { writeOciImage } from '../testing/oci-writer.js';
import { startRuncContainer, type RuncContainer } from '../testing/runc.js';
import { main } from './main.js';
import { type CliProc, runCli, startSensorCli, stopAll, streamLines, until } from './sensor-testing.js';
import { capture } from './testing.js';

const skip = process.getuid?.() === 0 ? false : 'needs root (bpftrace, runc)';

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const c = capture();
  const code = await main(argv, c.io);
  return { code, ...c.text() };
}

type StreamLine = ContainerEvent | Alert;

/** The container's events and alerts in the stream. */
async function records(file: string, id: string): Promise<StreamLine[]> {
  return ((await streamLines(file)) as StreamLine[]).filter((r) => r.container?.id === id);
}

const isAlert = (r: StreamLine): r is Alert => r.kind === 'alert';

describe('mamori sensor --image with a real container', { skip, timeout: 240_000 }, () => {
  let tmp: string;
  const sensors: CliProc[] = [];
  const containers: RuncContainer[] = [];

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'mamori-sensor-image-'));
  });
  after(async () => {
    await stopAll(sensors);
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
    const sensor = await startSensorCli(
      [
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
      sensor.log(),
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
    assert.doesNotMatch(sensor.log(), /not indexed/);

    sensor.child.kill('SIGTERM');
    assert.equal((await sensor.exited).code, 0, sensor.log());
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
    const p = runCli(['sensor', '--data', join(tmp, 'never'), '--image', 'nope']);
    assert.equal((await p.exited).code, 2, p.log());
    assert.match(p.log(), /--image must be CONTAINER_ID=IMAGE_REF/);
    assert.doesNotMatch(p.log(), /^\s+at /m);
    await assert.rejects(readFile(join(tmp, 'never', 'events.jsonl')), { code: 'ENOENT' });
  });
});
