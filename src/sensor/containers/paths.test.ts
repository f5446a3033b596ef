import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fieldsOf, runtimeOf } from './annotations.js';
import { candidateIds, isContainerId, matchCgroupPath } from './paths.js';

const A = 'a'.repeat(8) + '0123456789abcdef'.repeat(3) + 'b'.repeat(8);
const B = 'fedcba9876543210'.repeat(4);
const UID = '3d6c8f0e-9f1e-4b8e-a1c2-0f5a1d2e3b4c';
const UID_ = UID.replaceAll('-', '_');

describe('matchCgroupPath', () => {
  it('reads the runtimes’ layouts', () => {
    const cases: [string, object][] = [
      [
        `/system.slice/docker-${A}.scope`,
        { id: A, runtime: 'docker', cgroup: `/system.slice/docker-${A}.scope` },
      ],
      [`/docker/${A}`, { id: A, runtime: 'docker', cgroup: `/docker/${A}` }],
      [
        `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/cri-containerd-${A}.scope`,
        {
          id: A,
          runtime: 'containerd',
          cgroup: `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/cri-containerd-${A}.scope`,
          podUid: UID,
        },
      ],
      [
        `/kubepods.slice/kubepods-pod${UID_}.slice/crio-${A}.scope`,
        {
          id: A,
          runtime: 'cri-o',
          cgroup: `/kubepods.slice/kubepods-pod${UID_}.slice/crio-${A}.scope`,
          podUid: UID,
        },
      ],
      [
        `/kubepods/burstable/pod${UID}/${A}`,
        { id: A, runtime: 'unknown', cgroup: `/kubepods/burstable/pod${UID}/${A}`, podUid: UID },
      ],
      [
        `/machine.slice/libpod-${A}.scope`,
        { id: A, runtime: 'unknown', cgroup: `/machine.slice/libpod-${A}.scope` },
      ],
      // A container's own sub-cgroup belongs to it.
      [
        `/system.slice/docker-${A}.scope/init.scope`,
        { id: A, runtime: 'docker', cgroup: `/system.slice/docker-${A}.scope` },
      ],
      // Kubernetes in Docker (kind): the innermost container wins.
      [
        `/system.slice/docker-${B}.scope/kubepods/besteffort/pod${UID}/${A}`,
        {
          id: A,
          runtime: 'unknown',
          cgroup: `/system.slice/docker-${B}.scope/kubepods/besteffort/pod${UID}/${A}`,
          podUid: UID,
        },
      ],
    ];
    for (const [path, want] of cases) assert.deepEqual(matchCgroupPath(path), want, path);
  });

  it('does not take host cgroups or runtime helpers for containers', () => {
    for (const p of [
      '/',
      '/system.slice/ssh.service',
      '/user.slice/user-1000.slice/session-3.scope',
      `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/crio-conmon-${A}.scope`,
      `/kubepods/burstable/pod${UID}`,
      `/system.slice/docker-${A.slice(1)}.scope`,
      `/other/${A}`,
      'relative/path',
      `/${'x/'.repeat(3000)}`,
    ])
      assert.equal(matchCgroupPath(p), undefined, p);
  });

  it('lists plain runc candidates deepest first, only valid ids', () => {
    assert.deepEqual(candidateIds('/mamori-test/mamori-test-0a1b'), [
      { id: 'mamori-test-0a1b', cgroup: '/mamori-test/mamori-test-0a1b' },
      { id: 'mamori-test', cgroup: '/mamori-test' },
    ]);
    assert.deepEqual(
      candidateIds('/a/b/c/d', 2).map((c) => c.id),
      ['d', 'c'],
    );
    assert.equal(isContainerId('..'), false);
    assert.equal(isContainerId('a/b'), false);
    assert.equal(isContainerId('-x'), false);
  });
});

describe('annotations', () => {
  it('reads containerd CRI annotations', () => {
    const a = {
      'io.kubernetes.cri.sandbox-name': 'web-0',
      'io.kubernetes.cri.sandbox-namespace': 'shop',
      'io.kubernetes.cri.sandbox-uid': UID,
      'io.kubernetes.cri.container-name': 'nginx',
      'io.kubernetes.cri.image-name': 'docker.io/library/nginx:1.27',
    };
    assert.equal(runtimeOf(a), 'containerd');
    assert.deepEqual(fieldsOf(a), {
      pod: { name: 'web-0', namespace: 'shop', uid: UID },
      name: 'nginx',
      image: 'docker.io/library/nginx:1.27',
    });
  });

  it('reads CRI-O annotations, taking the digest from ImageRef', () => {
    const a = {
      'io.kubernetes.pod.name': 'api',
      'io.kubernetes.pod.namespace': 'default',
      'io.kubernetes.container.name': 'app',
      'io.kubernetes.cri-o.ImageName': 'quay.io/x/app:2',
      'io.kubernetes.cri-o.ImageRef': `quay.io/x/app@sha256:${B}`,
    };
    assert.equal(runtimeOf(a), 'cri-o');
    assert.deepEqual(fieldsOf(a), {
      pod: { name: 'api', namespace: 'default' },
      name: 'app',
      image: 'quay.io/x/app:2',
      imageDigest: `sha256:${B}`,
    });
  });

  it('prefers the configuration, then mamori’s annotations; drops malformed values', () => {
    const a = {
      'dev.mamori.image': 'reg.example/app:1',
      'dev.mamori.image-digest': `sha256:${A}`,
      'io.kubernetes.cri.image-name': 'other:1',
      'io.kubernetes.pod.name': 'no-namespace',
    };
    assert.deepEqual(fieldsOf(a), { image: 'reg.example/app:1', imageDigest: `sha256:${A}` });
    assert.deepEqual(fieldsOf(a, `conf/app@sha256:${B}`), {
      image: `conf/app@sha256:${B}`,
      imageDigest: `sha256:${B}`,
    });
    assert.deepEqual(fieldsOf(a, 'conf/app:3'), { image: 'conf/app:3' });
    assert.deepEqual(
      fieldsOf({ 'dev.mamori.image': 'has space', 'dev.mamori.image-digest': 'sha256:xyz' }),
      {},
    );
    assert.deepEqual(fieldsOf({ 'org.opencontainers.image.ref.name': 'repo:tag' }), { image: 'repo:tag' });
  });
});
