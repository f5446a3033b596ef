import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startRuncContainer, unifiedCgroupRoot, type RuncContainer } from '../../testing/runc.js';
import { createContainerResolver } from './resolver.js';

const skip = process.getuid?.() !== 0 ? 'needs root (runc)' : false;
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const UID = '3d6c8f0e-9f1e-4b8e-a1c2-0f5a1d2e3b4c';

describe('createContainerResolver with real runc containers', { skip }, () => {
  let plain: RuncContainer;
  let cri: RuncContainer;
  const temps: string[] = [];
  before(async () => {
    [plain, cri] = await Promise.all([
      startRuncContainer({
        args: ['sleep', '300'],
        annotations: { 'dev.mamori.image': 'reg.example/debian:12', 'dev.mamori.image-digest': DIGEST },
      }),
      startRuncContainer({
        args: ['sleep', '300'],
        annotations: {
          'io.kubernetes.cri.sandbox-name': 'web-0',
          'io.kubernetes.cri.sandbox-namespace': 'shop',
          'io.kubernetes.cri.sandbox-uid': UID,
          'io.kubernetes.cri.container-name': 'app',
          'io.kubernetes.cri.image-name': 'docker.io/library/debian:bookworm',
        },
      }),
    ]);
  });
  after(async () => {
    await Promise.all([plain?.stop(), cri?.stop()]);
    for (const t of temps) await rm(t, { recursive: true, force: true });
  });

  it('names the container, its state and its mamori image annotations', async () => {
    const r = createContainerResolver({ runtimeRoots: ['/run/runc', plain.root] });
    const want = {
      id: plain.id,
      runtime: 'runc',
      cgroup: plain.cgroupPath,
      bundle: plain.bundle,
      rootfs: plain.rootfs,
      pid: plain.pid,
      image: 'reg.example/debian:12',
      imageDigest: DIGEST,
    };
    assert.deepEqual(await r.resolve(plain.cgroupId), want);
    // Through the pid as well, from a fresh resolver (no cache).
    const r2 = createContainerResolver({ runtimeRoots: [plain.root] });
    assert.deepEqual(await r2.resolve(plain.cgroupId, plain.pid), want);
  });

  it('finds a container in the default runc root with the default settings', async () => {
    const c = await startRuncContainer({ args: ['sleep', '300'], root: '/run/runc' });
    try {
      const ref = await createContainerResolver().resolve(c.cgroupId);
      assert.deepEqual(ref, {
        id: c.id,
        runtime: 'runc',
        cgroup: c.cgroupPath,
        bundle: c.bundle,
        rootfs: c.rootfs,
        pid: c.pid,
      });
    } finally {
      await c.stop();
    }
    assert.ok(existsSync('/run/runc'), 'stop() leaves a shared root in place');
  });

  it('reads pod, name and image from CRI annotations; configuration beats them', async () => {
    const r = createContainerResolver({ runtimeRoots: [plain.root, { path: cri.root, runtime: 'runc' }] });
    assert.deepEqual(await r.resolve(cri.cgroupId, cri.pid), {
      id: cri.id,
      runtime: 'runc',
      cgroup: cri.cgroupPath,
      bundle: cri.bundle,
      rootfs: cri.rootfs,
      pid: cri.pid,
      pod: { name: 'web-0', namespace: 'shop', uid: UID },
      name: 'app',
      image: 'docker.io/library/debian:bookworm',
    });
    const conf = createContainerResolver({
      runtimeRoots: [cri.root],
      images: { [cri.id]: `conf/app@${DIGEST}` },
    });
    const ref = await conf.resolve(cri.cgroupId);
    assert.equal(ref?.image, `conf/app@${DIGEST}`);
    assert.equal(ref?.imageDigest, DIGEST);
  });

  it('gives undefined for host processes and for host cgroups named like ids', async () => {
    const r = createContainerResolver({ runtimeRoots: [plain.root] });
    const self = (await stat(unifiedCgroupRoot(), { bigint: true })).ino.toString();
    assert.equal(await r.resolve(self, process.pid), undefined);
    const dir = join(unifiedCgroupRoot(), `mamori-host-${process.pid}-${Date.now()}`);
    await mkdir(dir);
    try {
      const id = (await stat(dir, { bigint: true })).ino.toString();
      assert.equal(await r.resolve(id), undefined);
    } finally {
      await rmdir(dir);
    }
    assert.equal(await r.resolve('99999999999999'), undefined);
    assert.equal(await r.resolve('not-a-number'), undefined);
    // The container's cgroup id with an unrelated pid still finds the container (the pid is checked, not trusted).
    assert.equal((await r.resolve(plain.cgroupId, process.pid))?.id, plain.id);
  });

  it('does not let a cgroup named after another container take its identity', async () => {
    // What a container with a writable cgroupfs could do: make a sub-cgroup named like its neighbour.
    const dir = join(unifiedCgroupRoot(), plain.cgroupPath, cri.id);
    await mkdir(dir);
    try {
      const id = (await stat(dir, { bigint: true })).ino.toString();
      const problems: string[] = [];
      const r = createContainerResolver({
        runtimeRoots: [plain.root, cri.root],
        onProblem: (m) => problems.push(m),
      });
      const ref = await r.resolve(id);
      assert.equal(ref?.id, plain.id);
      assert.equal(ref?.cgroup, plain.cgroupPath);
      assert.match(problems.join(), /is named after container/);
    } finally {
      await rmdir(dir);
    }
  });

  it('reports unusable state.json and still names the container', async () => {
    const root = await mkdtemp(join(tmpdir(), 'mamori-hostile-root-'));
    temps.push(root);
    await mkdir(join(root, plain.id));
    await writeFile(
      join(root, plain.id, 'state.json'),
      '{"config": {"labels": "bundle=/etc"}, "init_process_pid": "1"',
    );
    const problems: string[] = [];
    const r = createContainerResolver({ runtimeRoots: [root], onProblem: (m) => problems.push(m) });
    assert.deepEqual(await r.resolve(plain.cgroupId), {
      id: plain.id,
      runtime: 'runc',
      cgroup: plain.cgroupPath,
    });
    assert.match(problems.join(), /state\.json is not JSON/);
  });

  it('follows a container that exits and is deleted', async () => {
    const c = await startRuncContainer({ args: ['true'] });
    try {
      const r = createContainerResolver({ runtimeRoots: [c.root], retryMs: 0 });
      for (let i = 0; i < 100 && existsSync(`/proc/${c.pid}/exe`); i++) await sleep(50);
      const ref = await r.resolve(c.cgroupId);
      assert.equal(ref?.id, c.id);
      assert.equal(ref?.pid, undefined, 'the exited init is not reported');
      await c.stop();
      r.forget(c.cgroupId);
      assert.equal(await r.resolve(c.cgroupId), undefined);
      assert.equal(await r.resolve(c.cgroupId, c.pid), undefined);
    } finally {
      await c.stop();
    }
  });
});

// The Kubernetes layouts of containerd and CRI-O, laid out in temp dirs (cgroup tree, runc root, bundle).
describe('createContainerResolver on Kubernetes layouts', () => {
  const ID = 'c0ffee'.repeat(10) + 'beef';
  const UID_ = UID.replaceAll('-', '_');
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mamori-k8s-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function layout(name: string, cgroup: string, annotations: Record<string, string>): Promise<string> {
    const base = join(dir, name);
    await mkdir(join(base, 'cgroup', cgroup), { recursive: true });
    await mkdir(join(base, 'bundle'), { recursive: true });
    await mkdir(join(base, 'root', ID), { recursive: true });
    await writeFile(join(base, 'bundle', 'config.json'), JSON.stringify({ annotations }));
    const state = {
      id: ID,
      init_process_pid: 1,
      config: { rootfs: '/r', labels: [`bundle=${join(base, 'bundle')}`] },
    };
    await writeFile(join(base, 'root', ID, 'state.json'), JSON.stringify(state));
    return (await stat(join(base, 'cgroup', cgroup), { bigint: true })).ino.toString();
  }

  it('containerd, systemd driver', async () => {
    const cgroup = `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/cri-containerd-${ID}.scope`;
    const id = await layout('containerd', cgroup, {
      'io.kubernetes.cri.sandbox-name': 'web-0',
      'io.kubernetes.cri.sandbox-namespace': 'shop',
      'io.kubernetes.cri.container-name': 'nginx',
      'io.kubernetes.cri.image-name': 'docker.io/library/nginx:1.27',
    });
    const r = createContainerResolver({
      cgroupRoot: join(dir, 'containerd', 'cgroup'),
      runtimeRoots: [{ path: join(dir, 'containerd', 'root'), runtime: 'containerd' }],
    });
    const ref = await r.resolve(id);
    assert.deepEqual(
      { ...ref, pid: undefined },
      {
        id: ID,
        runtime: 'containerd',
        cgroup,
        bundle: join(dir, 'containerd', 'bundle'),
        rootfs: '/r',
        pid: undefined,
        pod: { name: 'web-0', namespace: 'shop' },
        name: 'nginx',
        image: 'docker.io/library/nginx:1.27',
      },
    );
  });

  it('CRI-O in /run/runc, cgroupfs driver: the annotations name the runtime', async () => {
    const cgroup = `/kubepods/burstable/pod${UID}/${ID}`;
    const id = await layout('crio', cgroup, {
      'io.kubernetes.pod.name': 'api',
      'io.kubernetes.pod.namespace': 'default',
      'io.kubernetes.pod.uid': UID,
      'io.kubernetes.container.name': 'app',
      'io.kubernetes.cri-o.ImageName': 'quay.io/x/app:2',
      'io.kubernetes.cri-o.ImageRef': `quay.io/x/app@${DIGEST}`,
    });
    const r = createContainerResolver({
      cgroupRoot: join(dir, 'crio', 'cgroup'),
      runtimeRoots: [join(dir, 'crio', 'root')],
    });
    const ref = await r.resolve(id);
    assert.equal(ref?.runtime, 'cri-o');
    assert.deepEqual(ref?.pod, { name: 'api', namespace: 'default', uid: UID });
    assert.equal(ref?.imageDigest, DIGEST);
    assert.equal(ref?.name, 'app');
  });

  it('Docker, systemd driver, without runtime state', async () => {
    const cgroup = `/system.slice/docker-${ID}.scope`;
    await mkdir(join(dir, 'docker', cgroup), { recursive: true });
    const id = (await stat(join(dir, 'docker', cgroup), { bigint: true })).ino.toString();
    const r = createContainerResolver({ cgroupRoot: join(dir, 'docker'), runtimeRoots: [] });
    assert.deepEqual(await r.resolve(id), { id: ID, runtime: 'docker', cgroup });
  });
});
