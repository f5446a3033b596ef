/**
 * The Baseline level of the Pod Security Standards
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline):
 * prevents known privilege escalations. One check a control.
 */
import type { Check } from './check.js';
import type { PodContext, Violation } from './context.js';
import { isObject, joinPath, list, obj, show, str, violation, who } from './context.js';
import type { PssLevel } from './version.js';

const B = 'baseline' as const;

/** "Capabilities" row: what may be added at Baseline. */
export const BASELINE_CAPABILITIES: readonly string[] = Object.freeze([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

/** "Sysctls" row: the safe set, with the minor version each name joined it. */
export const SAFE_SYSCTLS: readonly (readonly [string, number])[] = Object.freeze([
  ['kernel.shm_rmid_forced', 0],
  ['net.ipv4.ip_local_port_range', 0],
  ['net.ipv4.ip_unprivileged_port_start', 0],
  ['net.ipv4.tcp_syncookies', 0],
  ['net.ipv4.ping_group_range', 0],
  ['net.ipv4.ip_local_reserved_ports', 27],
  ['net.ipv4.tcp_keepalive_time', 29],
  ['net.ipv4.tcp_fin_timeout', 29],
  ['net.ipv4.tcp_keepalive_intvl', 29],
  ['net.ipv4.tcp_keepalive_probes', 29],
  ['net.ipv4.tcp_rmem', 32],
  ['net.ipv4.tcp_wmem', 32],
  ['net.ipv4.tcp_slow_start_after_idle', 37],
  ['net.ipv4.tcp_notsent_lowat', 37],
] as const);

/** "SELinux" row: allowed types, with the minor version each joined. */
const SELINUX_TYPES: readonly (readonly [string, number])[] = [
  ['', 0],
  ['container_t', 0],
  ['container_init_t', 0],
  ['container_kvm_t', 0],
  ['container_engine_t', 31],
];

const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';
const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_ANNOTATION = 'container.seccomp.security.alpha.kubernetes.io/';

function annotations(ctx: PodContext): [string, string][] {
  return Object.entries(obj(ctx.metadata.annotations)).filter(
    (e): e is [string, string] => typeof e[1] === 'string',
  );
}

function annotationPath(ctx: PodContext, key: string): string {
  return `${joinPath(ctx.metadataPath, 'annotations')}[${JSON.stringify(key)}]`;
}

const windowsHostProcess: Check = {
  id: 'windowsHostProcess',
  level: B,
  since: 0,
  run(ctx) {
    const out: Violation[] = [];
    const fix = 'remove windowsOptions.hostProcess or set it to false';
    if (obj(ctx.podSc.windowsOptions).hostProcess === true) {
      const p = `${ctx.podScPath}.windowsOptions.hostProcess`;
      out.push(
        violation(
          'windowsHostProcess',
          B,
          p,
          'pod must not set securityContext.windowsOptions.hostProcess=true',
          fix,
        ),
      );
    }
    for (const c of ctx.containers) {
      if (obj(c.sc.windowsOptions).hostProcess === true) {
        const p = `${c.path}.securityContext.windowsOptions.hostProcess`;
        out.push(
          violation(
            'windowsHostProcess',
            B,
            p,
            `${who(c)} must not set securityContext.windowsOptions.hostProcess=true`,
            fix,
          ),
        );
      }
    }
    return out;
  },
};

const hostNamespaces: Check = {
  id: 'hostNamespaces',
  level: B,
  since: 0,
  run(ctx) {
    return (['hostNetwork', 'hostPID', 'hostIPC'] as const)
      .filter((f) => ctx.spec[f] === true)
      .map((f) =>
        violation(
          'hostNamespaces',
          B,
          joinPath(ctx.specPath, f),
          `pod must not set ${f}=true`,
          `remove spec.${f} or set it to false`,
        ),
      );
  },
};

const privileged: Check = {
  id: 'privileged',
  level: B,
  since: 0,
  run(ctx) {
    return ctx.containers
      .filter((c) => c.sc.privileged === true)
      .map((c) =>
        violation(
          'privileged',
          B,
          `${c.path}.securityContext.privileged`,
          `${who(c)} must not set securityContext.privileged=true`,
          'remove securityContext.privileged or set it to false',
        ),
      );
  },
};

const capabilitiesBaseline: Check = {
  id: 'capabilities.baseline',
  level: B,
  since: 0,
  run(ctx) {
    const out: Violation[] = [];
    for (const c of ctx.containers) {
      list(obj(c.sc.capabilities).add).forEach((cap, i) => {
        if (typeof cap === 'string' && BASELINE_CAPABILITIES.includes(cap)) return;
        out.push(
          violation(
            'capabilities.baseline',
            B,
            `${c.path}.securityContext.capabilities.add[${i}]`,
            `${who(c)} must not include ${show(cap)} in securityContext.capabilities.add`,
            `remove ${show(cap)} from capabilities.add; only ${BASELINE_CAPABILITIES.join(', ')} may be added`,
          ),
        );
      });
    }
    return out;
  },
};

const hostPathVolumes: Check = {
  id: 'hostPathVolumes',
  level: B,
  since: 0,
  run(ctx) {
    const out: Violation[] = [];
    list(ctx.spec.volumes).forEach((v, i) => {
      if (!isObject(v) || v.hostPath === undefined || v.hostPath === null) return;
      out.push(
        violation(
          'hostPathVolumes',
          B,
          `${joinPath(ctx.specPath, 'volumes')}[${i}].hostPath`,
          `hostPath volume ${show(v.name)} is not allowed`,
          'replace the hostPath volume with emptyDir, configMap, secret or a persistentVolumeClaim',
        ),
      );
    });
    return out;
  },
};

const hostPorts: Check = {
  id: 'hostPorts',
  level: B,
  since: 0,
  run(ctx) {
    const out: Violation[] = [];
    for (const c of ctx.containers) {
      list(c.value.ports).forEach((p, i) => {
        const hp = isObject(p) ? p.hostPort : undefined;
        if (hp === undefined || hp === null || hp === 0) return;
        out.push(
          violation(
            'hostPorts',
            B,
            `${c.path}.ports[${i}].hostPort`,
            `${who(c)} uses hostPort ${show(hp)}`,
            'remove ports[].hostPort (or set it to 0) and expose the port through a Service',
          ),
        );
      });
    }
    return out;
  },
};

const HANDLERS = [
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
  'lifecycle.postStart',
  'lifecycle.preStop',
];

const hostProbes: Check = {
  id: 'hostProbesAndHostLifecycle',
  level: B,
  since: 34,
  run(ctx) {
    const out: Violation[] = [];
    for (const c of ctx.containers) {
      for (const h of HANDLERS) {
        const handler = h.split('.').reduce<unknown>((o, k) => obj(o)[k], c.value);
        for (const action of ['httpGet', 'tcpSocket']) {
          const host = obj(obj(handler)[action]).host;
          if (host === undefined || host === null || host === '') continue;
          out.push(
            violation(
              'hostProbesAndHostLifecycle',
              B,
              `${c.path}.${h}.${action}.host`,
              `${who(c)} must not set ${h}.${action}.host=${show(host)}`,
              `remove ${h}.${action}.host so the kubelet probes the pod itself`,
            ),
          );
        }
      }
    }
    return out;
  },
};

const APPARMOR_TYPES = ['RuntimeDefault', 'Localhost'];

const appArmor: Check = {
  id: 'appArmorProfile',
  level: B,
  since: 0,
  run(ctx) {
    const out: Violation[] = [];
    for (const [k, v] of annotations(ctx)) {
      if (!k.startsWith(APPARMOR_ANNOTATION)) continue;
      if (v === '' || v === 'runtime/default' || v.startsWith('localhost/')) continue;
      out.push(
        violation(
          'appArmorProfile',
          B,
          annotationPath(ctx, k),
          `forbidden AppArmor profile annotation ${k}=${show(v)}`,
          'set the annotation to "runtime/default" or "localhost/<profile>", or remove it',
        ),
      );
    }
    // The field joined in 1.30, but upstream checks it at every pinned version.
    const fix = 'set appArmorProfile.type to "RuntimeDefault" or "Localhost", or remove it';
    const podType = obj(ctx.podSc.appArmorProfile).type;
    if (podType !== undefined && podType !== null && !APPARMOR_TYPES.includes(podType as string)) {
      const p = `${ctx.podScPath}.appArmorProfile.type`;
      out.push(
        violation(
          'appArmorProfile',
          B,
          p,
          `pod must not set securityContext.appArmorProfile.type=${show(podType)}`,
          fix,
        ),
      );
    }
    for (const c of ctx.containers) {
      const t = obj(c.sc.appArmorProfile).type;
      if (t === undefined || t === null || APPARMOR_TYPES.includes(t as string)) continue;
      const p = `${c.path}.securityContext.appArmorProfile.type`;
      out.push(
        violation(
          'appArmorProfile',
          B,
          p,
          `${who(c)} must not set securityContext.appArmorProfile.type=${show(t)}`,
          fix,
        ),
      );
    }
    return out;
  },
};

function seLinuxOf(ctx: PodContext, o: unknown, path: string, subject: string, out: Violation[]): void {
  if (!isObject(o)) return;
  const types = SELINUX_TYPES.filter(([, since]) => ctx.minor >= since).map(([t]) => t);
  const t = o.type;
  if (t !== undefined && t !== null && !types.includes(t as string)) {
    out.push(
      violation(
        'seLinuxOptions',
        B,
        `${path}.type`,
        `${subject} must not set securityContext.seLinuxOptions.type=${show(t)}`,
        `remove seLinuxOptions.type or use one of ${types.filter((x) => x).join(', ')}`,
      ),
    );
  }
  for (const f of ['user', 'role']) {
    const v = o[f];
    if (v === undefined || v === null || v === '') continue;
    out.push(
      violation(
        'seLinuxOptions',
        B,
        `${path}.${f}`,
        `${subject} must not set securityContext.seLinuxOptions.${f}=${show(v)}`,
        `remove seLinuxOptions.${f}`,
      ),
    );
  }
}

const seLinux: Check = {
  id: 'seLinuxOptions',
  level: B,
  since: 0,
  run(ctx) {
    const out: Violation[] = [];
    seLinuxOf(ctx, ctx.podSc.seLinuxOptions, `${ctx.podScPath}.seLinuxOptions`, 'pod', out);
    for (const c of ctx.containers) {
      seLinuxOf(ctx, c.sc.seLinuxOptions, `${c.path}.securityContext.seLinuxOptions`, who(c), out);
    }
    return out;
  },
};

const procMount: Check = {
  id: 'procMount',
  level: B,
  since: 0,
  run(ctx) {
    // From 1.35 a pod in its own user namespace may unmask /proc at Baseline.
    if (ctx.minor >= 35 && ctx.spec.hostUsers === false) return [];
    return procMountViolations(ctx, 'procMount', B);
  },
};

export function procMountViolations(ctx: PodContext, control: string, level: PssLevel): Violation[] {
  return ctx.containers
    .filter((c) => c.sc.procMount !== undefined && c.sc.procMount !== null && c.sc.procMount !== 'Default')
    .map((c) =>
      violation(
        control,
        level,
        `${c.path}.securityContext.procMount`,
        `${who(c)} must not set securityContext.procMount=${show(c.sc.procMount)}`,
        'remove securityContext.procMount or set it to "Default"',
      ),
    );
}

const SECCOMP_TYPES = ['RuntimeDefault', 'Localhost'];

const seccompBaseline: Check = {
  id: 'seccompProfile.baseline',
  level: B,
  since: 0,
  run(ctx) {
    const out: Violation[] = [];
    const id = 'seccompProfile.baseline';
    if (ctx.minor < 19) {
      // Before 1.19 the profile was set through annotations only.
      for (const [k, v] of annotations(ctx)) {
        if (v !== 'unconfined') continue;
        if (k !== SECCOMP_POD_ANNOTATION && !k.startsWith(SECCOMP_CONTAINER_ANNOTATION)) continue;
        out.push(
          violation(
            id,
            B,
            annotationPath(ctx, k),
            `forbidden seccomp profile annotation ${k}="unconfined"`,
            'set the annotation to "runtime/default" or remove it',
          ),
        );
      }
      return out;
    }
    const fix = 'set seccompProfile.type to "RuntimeDefault" or "Localhost", or remove it';
    const podType = obj(ctx.podSc.seccompProfile).type;
    if (podType !== undefined && podType !== null && !SECCOMP_TYPES.includes(podType as string)) {
      out.push(
        violation(
          id,
          B,
          `${ctx.podScPath}.seccompProfile.type`,
          `pod must not set securityContext.seccompProfile.type=${show(podType)}`,
          fix,
        ),
      );
    }
    for (const c of ctx.containers) {
      const t = obj(c.sc.seccompProfile).type;
      if (t === undefined || t === null || SECCOMP_TYPES.includes(t as string)) continue;
      out.push(
        violation(
          id,
          B,
          `${c.path}.securityContext.seccompProfile.type`,
          `${who(c)} must not set securityContext.seccompProfile.type=${show(t)}`,
          fix,
        ),
      );
    }
    return out;
  },
};

const sysctls: Check = {
  id: 'sysctls',
  level: B,
  since: 0,
  run(ctx) {
    const safe = SAFE_SYSCTLS.filter(([, since]) => ctx.minor >= since).map(([n]) => n);
    const out: Violation[] = [];
    list(ctx.podSc.sysctls).forEach((s, i) => {
      const name = str(obj(s).name);
      if (name !== undefined && safe.includes(name)) return;
      out.push(
        violation(
          'sysctls',
          B,
          `${ctx.podScPath}.sysctls[${i}].name`,
          `forbidden sysctl ${show(name ?? s)}`,
          `remove the sysctl; only ${safe.join(', ')} are allowed`,
        ),
      );
    });
    return out;
  },
};

export const BASELINE_CHECKS: readonly Check[] = Object.freeze([
  windowsHostProcess,
  hostNamespaces,
  privileged,
  capabilitiesBaseline,
  hostPathVolumes,
  hostPorts,
  hostProbes,
  appArmor,
  seLinux,
  procMount,
  seccompBaseline,
  sysctls,
]);
