// Baseline controls, each allowed and denied, as the "Baseline" table of
// https://kubernetes.io/docs/concepts/security/pod-security-standards/ defines them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JsonObject } from './context.js';
import { evaluatePodSecurity } from './index.js';
import type { Violation } from './index.js';
import { LISTS, containerOf, plainSpec, podSc, restrictedSpec, scOf } from './testing.js';

function baseline(spec: JsonObject, version = 'latest', metadata: JsonObject = {}): Violation[] {
  return evaluatePodSecurity({ spec, metadata }, { level: 'baseline', version });
}

function only(vs: Violation[], control: string, path: string): void {
  assert.deepEqual(
    vs.map((v) => [v.control, v.path]),
    [[control, path]],
  );
}

const PATH: Record<string, string> = {
  containers: 'spec.containers[0]',
  initContainers: 'spec.initContainers[0]',
  ephemeralContainers: 'spec.ephemeralContainers[0]',
};

test('a pod without securityContext and the restricted example both pass baseline', () => {
  assert.deepEqual(baseline(plainSpec()), []);
  assert.deepEqual(baseline(restrictedSpec()), []);
});

describe('HostProcess', () => {
  test('pod-level hostProcess=true is denied, false allowed', () => {
    const spec = plainSpec();
    podSc(spec).windowsOptions = { hostProcess: false };
    assert.deepEqual(baseline(spec), []);
    podSc(spec).windowsOptions = { hostProcess: true };
    only(baseline(spec), 'windowsHostProcess', 'spec.securityContext.windowsOptions.hostProcess');
  });
  for (const list of LISTS) {
    test(`${list} hostProcess=true is denied`, () => {
      const spec = plainSpec();
      scOf(spec, list).windowsOptions = { hostProcess: true };
      only(baseline(spec), 'windowsHostProcess', `${PATH[list]}.securityContext.windowsOptions.hostProcess`);
    });
  }
});

describe('Host Namespaces', () => {
  for (const f of ['hostNetwork', 'hostPID', 'hostIPC']) {
    test(`${f}=true is denied, false allowed`, () => {
      const spec = plainSpec();
      spec[f] = false;
      assert.deepEqual(baseline(spec), []);
      spec[f] = true;
      only(baseline(spec), 'hostNamespaces', `spec.${f}`);
    });
  }
});

describe('Privileged Containers', () => {
  for (const list of LISTS) {
    test(`${list}: privileged=true denied, false allowed`, () => {
      const spec = plainSpec();
      scOf(spec, list).privileged = false;
      assert.deepEqual(baseline(spec), []);
      scOf(spec, list).privileged = true;
      only(baseline(spec), 'privileged', `${PATH[list]}.securityContext.privileged`);
    });
  }
  test('the message names the control, the container and the field; the fix says what to change', () => {
    const spec = plainSpec();
    scOf(spec, 'containers').privileged = true;
    const [v] = baseline(spec);
    assert.equal(v?.message, 'privileged (container "app" must not set securityContext.privileged=true)');
    assert.equal(v?.level, 'baseline');
    assert.match(v?.fix ?? '', /privileged/);
  });
});

describe('Capabilities (baseline)', () => {
  const allowed = [
    'AUDIT_WRITE',
    'CHOWN',
    'DAC_OVERRIDE',
    'FOWNER',
    'FSETID',
    'KILL',
    'MKNOD',
    'NET_BIND_SERVICE',
  ];
  for (const list of LISTS) {
    test(`${list}: the allowed list passes, anything else is denied at its index`, () => {
      const spec = plainSpec();
      scOf(spec, list).capabilities = {
        add: [...allowed, 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'],
      };
      assert.deepEqual(baseline(spec), []);
      scOf(spec, list).capabilities = { add: ['CHOWN', 'SYS_ADMIN'], drop: ['ALL'] };
      only(baseline(spec), 'capabilities.baseline', `${PATH[list]}.securityContext.capabilities.add[1]`);
    });
  }
  test('NET_RAW and the CAP_ prefixed spelling are not on the list', () => {
    const spec = plainSpec();
    scOf(spec, 'containers').capabilities = { add: ['NET_RAW', 'CAP_CHOWN'] };
    assert.equal(baseline(spec).length, 2);
  });
});

describe('HostPath Volumes', () => {
  test('a hostPath volume is denied, other volumes allowed', () => {
    const spec = plainSpec();
    spec.volumes = [{ name: 'tmp', emptyDir: {} }];
    assert.deepEqual(baseline(spec), []);
    spec.volumes = [
      { name: 'tmp', emptyDir: {} },
      { name: 'root', hostPath: { path: '/' } },
    ];
    only(baseline(spec), 'hostPathVolumes', 'spec.volumes[1].hostPath');
  });
});

describe('Host Ports', () => {
  for (const list of LISTS) {
    test(`${list}: hostPort unset or 0 allowed, any other value denied`, () => {
      const spec = plainSpec();
      containerOf(spec, list).ports = [{ containerPort: 80 }, { containerPort: 81, hostPort: 0 }];
      assert.deepEqual(baseline(spec), []);
      containerOf(spec, list).ports = [{ containerPort: 80 }, { containerPort: 81, hostPort: 8081 }];
      only(baseline(spec), 'hostPorts', `${PATH[list]}.ports[1].hostPort`);
    });
  }
});

describe('Host Probes / Lifecycle Hooks (v1.34+)', () => {
  for (const list of LISTS) {
    test(`${list}: a probe host is denied from v1.34, allowed before`, () => {
      const spec = plainSpec();
      containerOf(spec, list).livenessProbe = { httpGet: { host: 'evil.example', port: 80 } };
      assert.deepEqual(baseline(spec, 'v1.33'), []);
      only(baseline(spec, 'v1.34'), 'hostProbesAndHostLifecycle', `${PATH[list]}.livenessProbe.httpGet.host`);
    });
  }
  test('lifecycle hooks and tcpSocket are checked; an empty host is allowed', () => {
    const spec = plainSpec();
    const c = containerOf(spec, 'containers');
    c.readinessProbe = { tcpSocket: { host: '', port: 80 } };
    c.lifecycle = { preStop: { httpGet: { host: '', port: 80 } } };
    assert.deepEqual(baseline(spec), []);
    c.readinessProbe = { tcpSocket: { host: '10.0.0.1', port: 80 } };
    c.lifecycle = {
      preStop: { httpGet: { host: 'node', port: 80 } },
      postStart: { tcpSocket: { host: 'x', port: 1 } },
    };
    assert.deepEqual(
      baseline(spec)
        .map((v) => v.path)
        .sort(),
      [
        'spec.containers[0].lifecycle.postStart.tcpSocket.host',
        'spec.containers[0].lifecycle.preStop.httpGet.host',
        'spec.containers[0].readinessProbe.tcpSocket.host',
      ],
    );
  });
});

describe('AppArmor', () => {
  const key = 'container.apparmor.security.beta.kubernetes.io/app';
  test('annotations: runtime/default, localhost/* and empty allowed; unconfined denied', () => {
    for (const ok of ['runtime/default', 'localhost/my-profile', '']) {
      assert.deepEqual(baseline(plainSpec(), 'latest', { annotations: { [key]: ok } }), []);
    }
    const vs = baseline(plainSpec(), 'latest', { annotations: { [key]: 'unconfined' } });
    only(vs, 'appArmorProfile', `metadata.annotations["${key}"]`);
  });
  test('pod-level appArmorProfile.type: RuntimeDefault and Localhost allowed, Unconfined denied', () => {
    const spec = plainSpec();
    podSc(spec).appArmorProfile = { type: 'Localhost', localhostProfile: 'p' };
    assert.deepEqual(baseline(spec), []);
    podSc(spec).appArmorProfile = { type: 'Unconfined' };
    only(baseline(spec), 'appArmorProfile', 'spec.securityContext.appArmorProfile.type');
  });
  for (const list of LISTS) {
    test(`${list}: appArmorProfile.type Unconfined denied`, () => {
      const spec = plainSpec();
      scOf(spec, list).appArmorProfile = { type: 'RuntimeDefault' };
      assert.deepEqual(baseline(spec), []);
      scOf(spec, list).appArmorProfile = { type: 'Unconfined' };
      only(baseline(spec), 'appArmorProfile', `${PATH[list]}.securityContext.appArmorProfile.type`);
    });
  }
  test('the field is checked at every pinned version, as upstream does', () => {
    const spec = plainSpec();
    podSc(spec).appArmorProfile = { type: 'Unconfined' };
    assert.equal(baseline(spec, 'v1.29').length, 1);
  });
});

describe('SELinux', () => {
  test('allowed types at pod and container level; level is free', () => {
    const spec = plainSpec();
    podSc(spec).seLinuxOptions = { type: 'container_t', level: 's0:c1,c2' };
    scOf(spec, 'containers').seLinuxOptions = { type: 'container_init_t' };
    scOf(spec, 'initContainers').seLinuxOptions = { type: 'container_kvm_t' };
    scOf(spec, 'ephemeralContainers').seLinuxOptions = { type: '' };
    assert.deepEqual(baseline(spec), []);
  });
  test('container_engine_t is allowed from v1.31', () => {
    const spec = plainSpec();
    podSc(spec).seLinuxOptions = { type: 'container_engine_t' };
    only(baseline(spec, 'v1.30'), 'seLinuxOptions', 'spec.securityContext.seLinuxOptions.type');
    assert.deepEqual(baseline(spec, 'v1.31'), []);
  });
  for (const list of LISTS) {
    test(`${list}: another type, a user or a role is denied`, () => {
      const spec = plainSpec();
      scOf(spec, list).seLinuxOptions = { type: 'spc_t', user: 'system_u', role: 'system_r' };
      assert.deepEqual(
        baseline(spec).map((v) => v.path),
        [
          `${PATH[list]}.securityContext.seLinuxOptions.type`,
          `${PATH[list]}.securityContext.seLinuxOptions.user`,
          `${PATH[list]}.securityContext.seLinuxOptions.role`,
        ],
      );
    });
  }
});

describe('/proc Mount Type', () => {
  for (const list of LISTS) {
    test(`${list}: Default allowed, Unmasked denied`, () => {
      const spec = plainSpec();
      scOf(spec, list).procMount = 'Default';
      assert.deepEqual(baseline(spec), []);
      scOf(spec, list).procMount = 'Unmasked';
      only(baseline(spec), 'procMount', `${PATH[list]}.securityContext.procMount`);
    });
  }
  test('from v1.35 a pod with hostUsers: false may unmask /proc at baseline', () => {
    const spec = plainSpec();
    spec.hostUsers = false;
    scOf(spec, 'containers').procMount = 'Unmasked';
    assert.equal(baseline(spec, 'v1.34').length, 1);
    assert.deepEqual(baseline(spec, 'v1.35'), []);
    spec.hostUsers = true;
    assert.equal(baseline(spec, 'v1.35').length, 1);
  });
});

describe('Seccomp (baseline)', () => {
  test('from v1.19 the field: Unconfined denied at pod level, RuntimeDefault/Localhost allowed', () => {
    const spec = plainSpec();
    podSc(spec).seccompProfile = { type: 'Localhost', localhostProfile: 'p.json' };
    assert.deepEqual(baseline(spec), []);
    podSc(spec).seccompProfile = { type: 'Unconfined' };
    only(baseline(spec, 'v1.19'), 'seccompProfile.baseline', 'spec.securityContext.seccompProfile.type');
  });
  for (const list of LISTS) {
    test(`${list}: seccompProfile.type Unconfined denied`, () => {
      const spec = plainSpec();
      scOf(spec, list).seccompProfile = { type: 'Unconfined' };
      only(baseline(spec), 'seccompProfile.baseline', `${PATH[list]}.securityContext.seccompProfile.type`);
    });
  }
  test('before v1.19 the annotations are checked and the field is not', () => {
    const spec = plainSpec();
    podSc(spec).seccompProfile = { type: 'Unconfined' };
    assert.deepEqual(baseline(spec, 'v1.18'), []);
    const pod = 'seccomp.security.alpha.kubernetes.io/pod';
    const ctr = 'container.seccomp.security.alpha.kubernetes.io/app';
    const vs = baseline(plainSpec(), 'v1.18', { annotations: { [pod]: 'unconfined', [ctr]: 'unconfined' } });
    assert.equal(vs.length, 2);
    assert.deepEqual(baseline(plainSpec(), 'v1.18', { annotations: { [pod]: 'runtime/default' } }), []);
    assert.deepEqual(baseline(plainSpec(), 'v1.19', { annotations: { [pod]: 'unconfined' } }), []);
  });
});

describe('Sysctls', () => {
  function withSysctl(name: string): JsonObject {
    const spec = plainSpec();
    podSc(spec).sysctls = [{ name, value: '1' }];
    return spec;
  }
  test('the v1.0 safe set is allowed everywhere; an unsafe sysctl is denied', () => {
    for (const n of [
      'kernel.shm_rmid_forced',
      'net.ipv4.ip_local_port_range',
      'net.ipv4.ip_unprivileged_port_start',
    ]) {
      assert.deepEqual(baseline(withSysctl(n), 'v1.0'), []);
    }
    only(baseline(withSysctl('kernel.msgmax')), 'sysctls', 'spec.securityContext.sysctls[0].name');
  });
  const added: [string, number][] = [
    ['net.ipv4.ip_local_reserved_ports', 27],
    ['net.ipv4.tcp_keepalive_time', 29],
    ['net.ipv4.tcp_fin_timeout', 29],
    ['net.ipv4.tcp_keepalive_intvl', 29],
    ['net.ipv4.tcp_keepalive_probes', 29],
    ['net.ipv4.tcp_rmem', 32],
    ['net.ipv4.tcp_wmem', 32],
    ['net.ipv4.tcp_slow_start_after_idle', 37],
    ['net.ipv4.tcp_notsent_lowat', 37],
  ];
  for (const [name, since] of added) {
    test(`${name} is safe from v1.${since}`, () => {
      assert.equal(baseline(withSysctl(name), `v1.${since - 1}`).length, 1);
      assert.deepEqual(baseline(withSysctl(name), `v1.${since}`), []);
      assert.deepEqual(baseline(withSysctl(name), 'latest'), []);
    });
  }
});
