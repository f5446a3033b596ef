// Restricted controls, each allowed and denied, as the "Restricted" table of
// https://kubernetes.io/docs/concepts/security/pod-security-standards/ defines them,
// with the version ranges of the reference checks (k8s.io/pod-security-admission/policy).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JsonObject } from './context.js';
import { PSS_CONTROLS, RESTRICTED_VOLUME_TYPES, evaluatePodSecurity } from './index.js';
import type { Violation } from './index.js';
import { LISTS, podSc, restrictedSpec, scOf } from './testing.js';

function restricted(spec: JsonObject, version = 'latest'): Violation[] {
  return evaluatePodSecurity({ spec }, { level: 'restricted', version });
}

const paths = (vs: Violation[]): string[] => vs.map((v) => `${v.control} ${v.path}`);

const PATH: Record<string, string> = {
  containers: 'spec.containers[0]',
  initContainers: 'spec.initContainers[0]',
  ephemeralContainers: 'spec.ephemeralContainers[0]',
};

test('the restricted example passes at every version from v1.0 to latest', () => {
  for (let n = 0; n <= 40; n++) assert.deepEqual(restricted(restrictedSpec(), `v1.${n}`), [], `v1.${n}`);
  assert.deepEqual(restricted(restrictedSpec()), []);
});

test('restricted includes every baseline control', () => {
  const spec = restrictedSpec();
  spec.hostPID = true;
  scOf(spec, 'initContainers').privileged = true;
  assert.deepEqual(paths(restricted(spec)), [
    'hostNamespaces spec.hostPID',
    'privileged spec.initContainers[0].securityContext.privileged',
  ]);
  assert.ok(restricted(spec).every((v) => v.level === 'baseline'));
});

describe('Volume Types', () => {
  test('every allowed type passes', () => {
    const spec = restrictedSpec();
    spec.volumes = RESTRICTED_VOLUME_TYPES.map((t, i) => ({ name: `v${i}`, [t]: {} }));
    assert.deepEqual(restricted(spec), []);
  });
  test('nfs, hostPath and unknown sources are denied; hostPath once, as restrictedVolumes', () => {
    const spec = restrictedSpec();
    spec.volumes = [
      { name: 'ok', secret: { secretName: 's' } },
      { name: 'n', nfs: { server: 'x', path: '/' } },
      { name: 'h', hostPath: { path: '/' } },
      { name: 'f', flexVolume: { driver: 'd' } },
    ];
    assert.deepEqual(paths(restricted(spec)), [
      'restrictedVolumes spec.volumes[1].nfs',
      'restrictedVolumes spec.volumes[2].hostPath',
      'restrictedVolumes spec.volumes[3].flexVolume',
    ]);
  });
});

describe('Privilege Escalation (v1.8+)', () => {
  for (const list of LISTS) {
    test(`${list}: unset or true denied, false allowed`, () => {
      const spec = restrictedSpec();
      delete scOf(spec, list).allowPrivilegeEscalation;
      assert.deepEqual(paths(restricted(spec)), [
        `allowPrivilegeEscalation ${PATH[list]}.securityContext.allowPrivilegeEscalation`,
      ]);
      scOf(spec, list).allowPrivilegeEscalation = true;
      assert.equal(restricted(spec).length, 1);
    });
  }
  test('not checked before v1.8', () => {
    const spec = restrictedSpec();
    delete scOf(spec, 'containers').allowPrivilegeEscalation;
    assert.deepEqual(restricted(spec, 'v1.7'), []);
    assert.equal(restricted(spec, 'v1.8').length, 1);
  });
});

describe('Running as Non-root', () => {
  test('pod-level true covers containers that leave it unset', () => {
    assert.deepEqual(restricted(restrictedSpec()), []);
  });
  test('without pod-level true, every container must set it; each unset one is named', () => {
    const spec = restrictedSpec();
    delete podSc(spec).runAsNonRoot;
    scOf(spec, 'containers').runAsNonRoot = true;
    assert.deepEqual(paths(restricted(spec)), [
      'runAsNonRoot spec.initContainers[0].securityContext.runAsNonRoot',
      'runAsNonRoot spec.ephemeralContainers[0].securityContext.runAsNonRoot',
    ]);
    scOf(spec, 'initContainers').runAsNonRoot = true;
    scOf(spec, 'ephemeralContainers').runAsNonRoot = true;
    assert.deepEqual(restricted(spec), []);
  });
  for (const list of LISTS) {
    test(`${list}: an explicit false overrides a pod-level true and is denied`, () => {
      const spec = restrictedSpec();
      scOf(spec, list).runAsNonRoot = false;
      const [v, ...rest] = restricted(spec);
      assert.equal(rest.length, 0);
      assert.equal(v?.path, `${PATH[list]}.securityContext.runAsNonRoot`);
      assert.match(
        v?.message ?? '',
        /^runAsNonRoot \(\w+ "\w+" must not set securityContext.runAsNonRoot=false\)$/,
      );
    });
  }
  test('pod-level false is denied even when every container sets true', () => {
    const spec = restrictedSpec();
    podSc(spec).runAsNonRoot = false;
    for (const l of LISTS) scOf(spec, l).runAsNonRoot = true;
    assert.deepEqual(paths(restricted(spec)), ['runAsNonRoot spec.securityContext.runAsNonRoot']);
  });
  test('from v1.35 not checked for a pod with hostUsers: false', () => {
    const spec = restrictedSpec();
    delete podSc(spec).runAsNonRoot;
    spec.hostUsers = false;
    assert.equal(restricted(spec, 'v1.34').length, 3);
    assert.deepEqual(restricted(spec, 'v1.35'), []);
  });
});

describe('Running as Non-root user (v1.23+)', () => {
  test('runAsUser 0 at pod level denied; non-zero allowed', () => {
    const spec = restrictedSpec();
    podSc(spec).runAsUser = 1000;
    assert.deepEqual(restricted(spec), []);
    podSc(spec).runAsUser = 0;
    assert.deepEqual(paths(restricted(spec)), ['runAsUser spec.securityContext.runAsUser']);
    assert.deepEqual(restricted(spec, 'v1.22'), []);
  });
  for (const list of LISTS) {
    test(`${list}: runAsUser 0 denied`, () => {
      const spec = restrictedSpec();
      scOf(spec, list).runAsUser = 0;
      assert.deepEqual(paths(restricted(spec)), [`runAsUser ${PATH[list]}.securityContext.runAsUser`]);
    });
  }
  test('from v1.35 not checked for a pod with hostUsers: false', () => {
    const spec = restrictedSpec();
    spec.hostUsers = false;
    podSc(spec).runAsUser = 0;
    assert.equal(restricted(spec, 'v1.34').length, 1);
    assert.deepEqual(restricted(spec, 'v1.35'), []);
  });
});

describe('Seccomp (restricted, v1.19+)', () => {
  test('pod-level RuntimeDefault or Localhost covers every container', () => {
    const spec = restrictedSpec();
    podSc(spec).seccompProfile = { type: 'Localhost', localhostProfile: 'p.json' };
    assert.deepEqual(restricted(spec), []);
  });
  test('without a pod-level profile every container must set one', () => {
    const spec = restrictedSpec();
    delete podSc(spec).seccompProfile;
    scOf(spec, 'containers').seccompProfile = { type: 'RuntimeDefault' };
    scOf(spec, 'initContainers').seccompProfile = { type: 'Localhost', localhostProfile: 'p' };
    const vs = restricted(spec);
    assert.deepEqual(paths(vs), [
      'seccompProfile.restricted spec.ephemeralContainers[0].securityContext.seccompProfile.type',
    ]);
    assert.equal(
      vs[0]?.message,
      'seccompProfile.restricted (pod or ephemeralContainer "debug" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
  });
  for (const list of LISTS) {
    test(`${list}: Unconfined is denied even when the pod sets RuntimeDefault`, () => {
      const spec = restrictedSpec();
      scOf(spec, list).seccompProfile = { type: 'Unconfined' };
      assert.deepEqual(paths(restricted(spec)), [
        `seccompProfile.restricted ${PATH[list]}.securityContext.seccompProfile.type`,
      ]);
    });
  }
  test('pod-level Unconfined is denied and does not cover unset containers', () => {
    const spec = restrictedSpec();
    podSc(spec).seccompProfile = { type: 'Unconfined' };
    assert.equal(restricted(spec).length, 4);
  });
  test('before v1.19 a profile is not required (the baseline annotation check applies)', () => {
    const spec = restrictedSpec();
    delete podSc(spec).seccompProfile;
    assert.deepEqual(restricted(spec, 'v1.18'), []);
    assert.equal(restricted(spec, 'v1.19').length, 3);
  });
});

describe('Capabilities (restricted, v1.22+)', () => {
  for (const list of LISTS) {
    test(`${list}: must drop ALL; may add only NET_BIND_SERVICE`, () => {
      const spec = restrictedSpec();
      scOf(spec, list).capabilities = { drop: ['ALL'], add: ['NET_BIND_SERVICE'] };
      assert.deepEqual(restricted(spec), []);
      scOf(spec, list).capabilities = { drop: ['NET_RAW'], add: ['NET_BIND_SERVICE', 'CHOWN'] };
      assert.deepEqual(paths(restricted(spec)), [
        `capabilities.restricted ${PATH[list]}.securityContext.capabilities.drop`,
        `capabilities.restricted ${PATH[list]}.securityContext.capabilities.add[1]`,
      ]);
    });
  }
  test('before v1.22 only the baseline capability list applies', () => {
    const spec = restrictedSpec();
    scOf(spec, 'containers').capabilities = { add: ['CHOWN', 'SYS_ADMIN'] };
    assert.deepEqual(paths(restricted(spec, 'v1.21')), [
      'capabilities.baseline spec.containers[0].securityContext.capabilities.add[1]',
    ]);
    assert.equal(restricted(spec, 'v1.22').length, 3);
  });
});

describe('/proc Mount Type (restricted, v1.35+)', () => {
  test('restricted keeps the default /proc for user-namespace pods', () => {
    const spec = restrictedSpec();
    spec.hostUsers = false;
    scOf(spec, 'initContainers').procMount = 'Unmasked';
    assert.deepEqual(paths(restricted(spec, 'v1.35')), [
      'procMount.restricted spec.initContainers[0].securityContext.procMount',
    ]);
    assert.deepEqual(paths(restricted(spec, 'v1.34')), [
      'procMount spec.initContainers[0].securityContext.procMount',
    ]);
  });
});

describe('Windows pods (v1.25+)', () => {
  test('Linux-only controls are skipped for spec.os.name windows from v1.25', () => {
    const spec: JsonObject = {
      os: { name: 'windows' },
      securityContext: { runAsNonRoot: true },
      containers: [{ name: 'win', image: 'w:1' }],
    };
    assert.deepEqual(restricted(spec, 'v1.25'), []);
    assert.deepEqual(
      restricted(spec, 'v1.24').map((v) => v.control),
      ['allowPrivilegeEscalation', 'seccompProfile.restricted', 'capabilities.restricted'],
    );
  });
});

test('control ids are unique and stable', () => {
  const ids = PSS_CONTROLS.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual(ids, [
    'windowsHostProcess',
    'hostNamespaces',
    'privileged',
    'capabilities.baseline',
    'hostPathVolumes',
    'hostPorts',
    'hostProbesAndHostLifecycle',
    'appArmorProfile',
    'seLinuxOptions',
    'procMount',
    'seccompProfile.baseline',
    'sysctls',
    'restrictedVolumes',
    'allowPrivilegeEscalation',
    'runAsNonRoot',
    'runAsUser',
    'seccompProfile.restricted',
    'capabilities.restricted',
    'procMount.restricted',
  ]);
});
