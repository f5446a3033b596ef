/**
 * Isolation rules (requirement R8): workloads labelled untrusted run in a
 * sandboxing runtime class on dedicated nodes, trusted ones stay off those
 * nodes, and every container declares CPU and memory requests and limits so
 * a noisy neighbour cannot starve the node.
 *
 * "No trust-level mixing on one node" is enforced through the dedicated
 * nodes' taint: an untrusted pod must tolerate it and select those nodes
 * (`nodeSelector` on the taint's key and value), and a trusted pod must not
 * tolerate it, so the scheduler keeps the two apart.
 */
import type { IsolationRules } from '../../policy/index.js';

export interface IsolationViolation {
  /** Stable id: `isolation.runtimeClass`, `isolation.toleration`, `isolation.nodeSelector`, `isolation.mixing`, `isolation.resources`. */
  readonly control: string;
  /** Field path, e.g. `spec.template.spec.runtimeClassName`. */
  readonly path: string;
  readonly message: string;
  readonly fix: string;
}

type Obj = Readonly<Record<string, unknown>>;

const obj = (v: unknown): Obj | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v.slice(0, 1000) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

interface Toleration {
  readonly key?: string;
  readonly operator?: string;
  readonly value?: string;
  readonly effect?: string;
}

/** Whether a pod toleration tolerates the taint key=value:effect (Kubernetes' matching rules). */
function tolerates(t: Toleration, taint: NonNullable<IsolationRules['toleration']>): boolean {
  const op = t.operator ?? 'Equal';
  if (t.effect !== undefined && t.effect !== '' && taint.effect !== undefined && t.effect !== taint.effect)
    return false;
  if (op === 'Exists') return t.key === undefined || t.key === '' || t.key === taint.key;
  return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
}

/**
 * Checks one pod template. `labels` are the pod's (template) labels, `spec`
 * its pod spec, `at` the spec's field path (`spec`, `spec.template.spec`).
 */
export function checkIsolation(
  labels: Readonly<Record<string, string>>,
  spec: unknown,
  at: string,
  rules: IsolationRules,
): IsolationViolation[] {
  const s = obj(spec) ?? {};
  const out: IsolationViolation[] = [];
  const label = rules.untrustedLabel;
  const untrusted = label !== undefined && labels[label.key] === label.value;
  const tolerations = list(s.tolerations).map((t) => (obj(t) ?? {}) as Toleration);
  const taint = rules.toleration;
  if (untrusted && label) {
    const rc = str(s.runtimeClassName);
    if (rc === undefined || !rules.runtimeClassNames.includes(rc)) {
      out.push({
        control: 'isolation.runtimeClass',
        path: `${at}.runtimeClassName`,
        message: `a workload labelled ${label.key}=${label.value} must run in a sandbox (runtimeClassName ${rules.runtimeClassNames.join(' or ')}), ${rc === undefined ? 'it sets none' : `not ${JSON.stringify(rc)}`}`,
        fix: `set ${at}.runtimeClassName: ${rules.runtimeClassNames[0] ?? 'gvisor'}`,
      });
    }
    if (taint && !tolerations.some((t) => tolerates(t, taint))) {
      out.push({
        control: 'isolation.toleration',
        path: `${at}.tolerations`,
        message: `a workload labelled ${label.key}=${label.value} must run on the dedicated nodes: it does not tolerate their taint ${describeTaint(taint)}`,
        fix: `add to ${at}.tolerations: {key: ${taint.key}, operator: Equal, value: "${taint.value ?? ''}"${taint.effect ? `, effect: ${taint.effect}` : ''}}`,
      });
    }
    if (taint && taint.value !== undefined && str(obj(s.nodeSelector)?.[taint.key]) !== taint.value) {
      out.push({
        control: 'isolation.nodeSelector',
        path: `${at}.nodeSelector`,
        message: `a workload labelled ${label.key}=${label.value} must be placed on the dedicated nodes only (tolerating their taint lets it run there, not only there)`,
        fix: `set ${at}.nodeSelector.${taint.key}: "${taint.value}"`,
      });
    }
  } else if (label && taint && tolerations.some((t) => tolerates(t, taint))) {
    out.push({
      control: 'isolation.mixing',
      path: `${at}.tolerations`,
      message: `a workload not labelled ${label.key}=${label.value} tolerates the taint ${describeTaint(taint)} of the nodes reserved for untrusted workloads: it could share a node with them`,
      fix: `remove that toleration from ${at}.tolerations, or label the workload ${label.key}=${label.value}`,
    });
  }
  if (rules.requireResources) out.push(...missingResources(s, at));
  return out;
}

function describeTaint(t: NonNullable<IsolationRules['toleration']>): string {
  return `${t.key}${t.value !== undefined ? `=${t.value}` : ''}${t.effect ? `:${t.effect}` : ''}`;
}

function missingResources(spec: Obj, at: string): IsolationViolation[] {
  const out: IsolationViolation[] = [];
  for (const field of ['initContainers', 'containers'] as const) {
    list(spec[field]).forEach((c, i) => {
      const container = obj(c) ?? {};
      const name = str(container.name) ?? `#${i}`;
      const res = obj(container.resources) ?? {};
      const missing: string[] = [];
      for (const kind of ['requests', 'limits'] as const) {
        const r = obj(res[kind]) ?? {};
        for (const what of ['cpu', 'memory'] as const) {
          const v = r[what];
          if (v === undefined || v === null || v === '') missing.push(`${kind}.${what}`);
        }
      }
      if (missing.length > 0) {
        out.push({
          control: 'isolation.resources',
          path: `${at}.${field}[${i}].resources`,
          message: `container ${JSON.stringify(name)} does not set resources ${missing.join(', ')}: without them one workload can starve its neighbours`,
          fix: `set ${at}.${field}[${i}].resources.{requests,limits}.{cpu,memory}`,
        });
      }
    });
  }
  return out;
}
