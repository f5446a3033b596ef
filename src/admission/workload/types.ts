/**
 * Type checks of the pod fields that security policy reads. The API server
 * rejects a wrong type, but manifests read from files never met one, and a
 * `privileged: "true"` that a policy skips would pass unseen: each is an error.
 */
import { isObject } from './json.js';
import type { JsonObject } from './json.js';

type Kind = 'boolean' | 'integer' | 'string' | 'object' | 'string[]';

const POD_FIELDS: Record<string, Kind> = {
  hostNetwork: 'boolean',
  hostPID: 'boolean',
  hostIPC: 'boolean',
  hostUsers: 'boolean',
  'os.name': 'string',
  'securityContext.runAsNonRoot': 'boolean',
  'securityContext.runAsUser': 'integer',
  'securityContext.seccompProfile.type': 'string',
  'securityContext.appArmorProfile.type': 'string',
  'securityContext.seLinuxOptions.type': 'string',
  'securityContext.seLinuxOptions.user': 'string',
  'securityContext.seLinuxOptions.role': 'string',
  'securityContext.windowsOptions.hostProcess': 'boolean',
};

const CONTAINER_FIELDS: Record<string, Kind> = {
  'securityContext.privileged': 'boolean',
  'securityContext.allowPrivilegeEscalation': 'boolean',
  'securityContext.runAsNonRoot': 'boolean',
  'securityContext.runAsUser': 'integer',
  'securityContext.procMount': 'string',
  'securityContext.capabilities.add': 'string[]',
  'securityContext.capabilities.drop': 'string[]',
  'securityContext.seccompProfile.type': 'string',
  'securityContext.appArmorProfile.type': 'string',
  'securityContext.seLinuxOptions.type': 'string',
  'securityContext.seLinuxOptions.user': 'string',
  'securityContext.seLinuxOptions.role': 'string',
  'securityContext.windowsOptions.hostProcess': 'boolean',
};

function fits(v: unknown, kind: Kind): boolean {
  switch (kind) {
    case 'boolean':
      return typeof v === 'boolean';
    case 'integer':
      return Number.isSafeInteger(v);
    case 'string':
      return typeof v === 'string';
    case 'object':
      return isObject(v);
    case 'string[]':
      return Array.isArray(v) && v.every((e) => typeof e === 'string');
  }
}

/** Follows a dotted path; reports a step that is present but not an object. */
function check(root: JsonObject, fields: Record<string, Kind>, prefix: string, errors: string[]): void {
  for (const [path, kind] of Object.entries(fields)) {
    let cur: unknown = root;
    const steps = path.split('.');
    let walked = prefix;
    for (let i = 0; i < steps.length && cur !== undefined && cur !== null; i++) {
      const step = steps[i] as string;
      walked = walked ? `${walked}.${step}` : step;
      if (!isObject(cur)) {
        errors.push(`${walked.slice(0, walked.length - step.length - 1)}: must be an object`);
        cur = undefined;
        break;
      }
      cur = cur[step];
    }
    if (cur !== undefined && cur !== null && !fits(cur, kind))
      errors.push(`${walked}: must be ${kind.replace('[]', ' list')}`);
  }
}

/** Errors for every security-relevant field of a pod spec that has the wrong type. */
export function checkFieldTypes(spec: JsonObject, specPath: string, errors: string[]): void {
  check(spec, POD_FIELDS, specPath, errors);
  const sysctls = isObject(spec.securityContext) ? spec.securityContext.sysctls : undefined;
  const sp = specPath ? `${specPath}.securityContext.sysctls` : 'securityContext.sysctls';
  if (sysctls !== undefined && sysctls !== null) {
    if (!Array.isArray(sysctls)) errors.push(`${sp}: must be a list`);
    else
      sysctls.forEach(
        (s: unknown, i) =>
          !(isObject(s) && typeof s.name === 'string') && errors.push(`${sp}[${i}].name: must be a string`),
      );
  }
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
    const cs = spec[list];
    if (!Array.isArray(cs)) continue;
    cs.forEach((c: unknown, i) => {
      if (!isObject(c)) return;
      const cp = `${specPath ? `${specPath}.` : ''}${list}[${i}]`;
      check(c, CONTAINER_FIELDS, cp, errors);
      if (Array.isArray(c.ports)) {
        c.ports.forEach((p: unknown, j) => {
          const hp = isObject(p) ? p.hostPort : undefined;
          if (!isObject(p)) errors.push(`${cp}.ports[${j}]: must be an object`);
          else if (hp !== undefined && hp !== null && !Number.isSafeInteger(hp))
            errors.push(`${cp}.ports[${j}].hostPort: must be integer`);
        });
      }
    });
  }
}
