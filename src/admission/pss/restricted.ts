/**
 * The Restricted level of the Pod Security Standards
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted):
 * current pod hardening practice, on top of every Baseline control.
 */
import { procMountViolations } from './baseline.js';
import type { Check } from './check.js';
import type { ContainerRef, PodContext, Violation } from './context.js';
import { isObject, joinPath, list, obj, show, violation, who } from './context.js';

const R = 'restricted' as const;

/** "Volume Types" row: the only volume sources allowed at Restricted. */
export const RESTRICTED_VOLUME_TYPES: readonly string[] = Object.freeze([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

/** From 1.25 the Linux-only controls do not apply to pods with `spec.os.name: windows`. */
function skipWindows(ctx: PodContext): boolean {
  return ctx.windows && ctx.minor >= 25;
}

/** From 1.35 the user checks do not apply to pods in their own user namespace (`hostUsers: false`). */
function skipUserNamespace(ctx: PodContext): boolean {
  return ctx.spec.hostUsers === false && ctx.minor >= 35;
}

const restrictedVolumes: Check = {
  id: 'restrictedVolumes',
  level: R,
  since: 0,
  overrides: 'hostPathVolumes',
  run(ctx) {
    const out: Violation[] = [];
    list(ctx.spec.volumes).forEach((v, i) => {
      if (!isObject(v)) return;
      for (const [k, src] of Object.entries(v)) {
        if (k === 'name' || src === undefined || src === null || RESTRICTED_VOLUME_TYPES.includes(k))
          continue;
        out.push(
          violation(
            'restrictedVolumes',
            R,
            `${joinPath(ctx.specPath, 'volumes')}[${i}].${k}`,
            `volume ${show(v.name)} uses restricted volume type ${show(k)}`,
            `use one of the allowed volume types: ${RESTRICTED_VOLUME_TYPES.join(', ')}`,
          ),
        );
      }
    });
    return out;
  },
};

const allowPrivilegeEscalation: Check = {
  id: 'allowPrivilegeEscalation',
  level: R,
  since: 8,
  run(ctx) {
    if (skipWindows(ctx)) return [];
    return ctx.containers
      .filter((c) => c.sc.allowPrivilegeEscalation !== false)
      .map((c) =>
        violation(
          'allowPrivilegeEscalation',
          R,
          `${c.path}.securityContext.allowPrivilegeEscalation`,
          `${who(c)} must set securityContext.allowPrivilegeEscalation=false`,
          'set securityContext.allowPrivilegeEscalation: false',
        ),
      );
  },
};

/**
 * A boolean or enum setting that the pod may set for all containers and each
 * container may override. Reports values set wrongly at either level and,
 * when the pod sets nothing good, every container that sets nothing.
 */
function podOrContainers(
  ctx: PodContext,
  control: string,
  field: string,
  read: (sc: Record<string, unknown>) => unknown,
  good: (v: unknown) => boolean,
  want: string,
  fix: string,
): Violation[] {
  const out: Violation[] = [];
  const podValue = read(ctx.podSc);
  const podSet = podValue !== undefined && podValue !== null;
  const bad = (subject: string, path: string, v: unknown): Violation =>
    violation(control, R, path, `${subject} must not set securityContext.${field}=${show(v)}`, fix);
  if (podSet && !good(podValue)) out.push(bad('pod', `${ctx.podScPath}.${field}`, podValue));
  const podGood = podSet && good(podValue);
  const unset: ContainerRef[] = [];
  for (const c of ctx.containers) {
    const v = read(c.sc);
    if (v === undefined || v === null) unset.push(c);
    else if (!good(v)) out.push(bad(who(c), `${c.path}.securityContext.${field}`, v));
  }
  if (!podGood) {
    for (const c of unset) {
      out.push(
        violation(
          control,
          R,
          `${c.path}.securityContext.${field}`,
          `pod or ${who(c)} must set securityContext.${field}${want}`,
          fix,
        ),
      );
    }
  }
  return out;
}

const runAsNonRoot: Check = {
  id: 'runAsNonRoot',
  level: R,
  since: 0,
  run(ctx) {
    if (skipUserNamespace(ctx)) return [];
    return podOrContainers(
      ctx,
      'runAsNonRoot',
      'runAsNonRoot',
      (sc) => sc.runAsNonRoot,
      (v) => v === true,
      '=true',
      'set securityContext.runAsNonRoot: true on the pod (or on every container)',
    );
  },
};

const runAsUser: Check = {
  id: 'runAsUser',
  level: R,
  since: 23,
  run(ctx) {
    if (skipUserNamespace(ctx)) return [];
    const out: Violation[] = [];
    const fix = 'remove runAsUser: 0 or set a non-zero user id';
    if (ctx.podSc.runAsUser === 0) {
      out.push(
        violation(
          'runAsUser',
          R,
          `${ctx.podScPath}.runAsUser`,
          'pod must not set securityContext.runAsUser=0',
          fix,
        ),
      );
    }
    for (const c of ctx.containers) {
      if (c.sc.runAsUser !== 0) continue;
      out.push(
        violation(
          'runAsUser',
          R,
          `${c.path}.securityContext.runAsUser`,
          `${who(c)} must not set securityContext.runAsUser=0`,
          fix,
        ),
      );
    }
    return out;
  },
};

const seccompRestricted: Check = {
  id: 'seccompProfile.restricted',
  level: R,
  since: 19,
  overrides: 'seccompProfile.baseline',
  run(ctx) {
    if (skipWindows(ctx)) return [];
    return podOrContainers(
      ctx,
      'seccompProfile.restricted',
      'seccompProfile.type',
      (sc) => obj(sc.seccompProfile).type,
      (v) => v === 'RuntimeDefault' || v === 'Localhost',
      ' to "RuntimeDefault" or "Localhost"',
      'set securityContext.seccompProfile.type: RuntimeDefault on the pod (or Localhost with a profile)',
    );
  },
};

const capabilitiesRestricted: Check = {
  id: 'capabilities.restricted',
  level: R,
  since: 22,
  overrides: 'capabilities.baseline',
  run(ctx) {
    if (skipWindows(ctx)) return [];
    const out: Violation[] = [];
    for (const c of ctx.containers) {
      const caps = obj(c.sc.capabilities);
      if (!list(caps.drop).includes('ALL')) {
        out.push(
          violation(
            'capabilities.restricted',
            R,
            `${c.path}.securityContext.capabilities.drop`,
            `${who(c)} must set securityContext.capabilities.drop=["ALL"]`,
            'add "ALL" to securityContext.capabilities.drop',
          ),
        );
      }
      list(caps.add).forEach((cap, i) => {
        if (cap === 'NET_BIND_SERVICE') return;
        out.push(
          violation(
            'capabilities.restricted',
            R,
            `${c.path}.securityContext.capabilities.add[${i}]`,
            `${who(c)} must not include ${show(cap)} in securityContext.capabilities.add`,
            'remove it from capabilities.add; only "NET_BIND_SERVICE" may be added',
          ),
        );
      });
    }
    return out;
  },
};

/** Restores the Baseline /proc rule for user-namespace pods, which Baseline relaxes from 1.35. */
const procMountRestricted: Check = {
  id: 'procMount.restricted',
  level: R,
  since: 35,
  overrides: 'procMount',
  run(ctx) {
    return procMountViolations(ctx, 'procMount.restricted', R);
  },
};

export const RESTRICTED_CHECKS: readonly Check[] = Object.freeze([
  restrictedVolumes,
  allowPrivilegeEscalation,
  runAsNonRoot,
  runAsUser,
  seccompRestricted,
  capabilitiesRestricted,
  procMountRestricted,
]);
