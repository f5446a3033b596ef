/**
 * The API server's side of mamori's admission webhook: a
 * `ValidatingWebhookConfiguration` (and, for digest pinning, a
 * `MutatingWebhookConfiguration`) that sends CREATE and UPDATE of Pods,
 * ephemeral containers and every pod-owning kind to `mamori server`, either
 * through an in-cluster Service or an HTTPS URL, with the CA bundle that
 * signed the server's certificate.
 *
 * `sideEffects: NoneOnDryRun`: the server writes each decision to its audit
 * log, except for dry-run requests. The API server refuses to send a
 * `dryRun` request to a webhook that declares `Unknown` or `Some` (and `v1`
 * accepts only `None` and `NoneOnDryRun`), so this is the value that is both
 * true and keeps `kubectl apply --dry-run=server` working.
 */
import { stringify } from 'yaml';
import { MamoriError } from '../../core/index.js';
import { checkNamespace, checkServiceName } from './names.js';

export const VALIDATE_PATH = '/admission/validate';
export const MUTATE_PATH = '/admission/mutate';
export const VALIDATING_WEBHOOK_NAME = 'validate.mamori.dev';
export const MUTATING_WEBHOOK_NAME = 'mutate.mamori.dev';
export const DEFAULT_TIMEOUT_SECONDS = 10;
export const DEFAULT_SERVICE_PORT = 443;
/** Namespaces no webhook of mamori's should ever block. */
export const ALWAYS_EXCLUDED_NAMESPACES = ['kube-system'] as const;

export type FailurePolicy = 'Fail' | 'Ignore';

/** Where the API server reaches mamori. */
export type WebhookTarget =
  { readonly service: string; readonly namespace: string; readonly port?: number } | { readonly url: string };

export interface WebhookManifestOptions {
  readonly target: WebhookTarget;
  /** PEM of the CA that signed the server's certificate. */
  readonly caBundle: string;
  /** `metadata.name` of the configurations (default `mamori`). */
  readonly name?: string;
  /** Default `Fail`: an unreachable webhook blocks the request rather than letting it through unchecked. */
  readonly failurePolicy?: FailurePolicy;
  /** 1..30 (the API server's bounds); default 10. */
  readonly timeoutSeconds?: number;
  /** Also a MutatingWebhookConfiguration (tags → digests). */
  readonly mutating?: boolean;
  /** More namespaces to leave alone; kube-system and mamori's own are always left alone. */
  readonly excludeNamespaces?: readonly string[];
}

/** The rules: CREATE and UPDATE of every kind that holds a pod template. */
export function webhookRules(): Record<string, unknown>[] {
  const rule = (apiGroup: string, resources: string[]) => ({
    apiGroups: [apiGroup],
    apiVersions: ['v1'],
    operations: ['CREATE', 'UPDATE'],
    resources,
    scope: 'Namespaced',
  });
  return [
    rule('', ['pods', 'pods/ephemeralcontainers', 'replicationcontrollers']),
    rule('apps', ['deployments', 'replicasets', 'statefulsets', 'daemonsets']),
    rule('batch', ['jobs', 'cronjobs']),
  ];
}

/** An https URL the API server accepts for `clientConfig.url` (no user info, query or fragment), with `path` appended. */
export function webhookUrl(base: string, path: string): string {
  let u: URL;
  try {
    u = new URL(base);
  } catch {
    throw new MamoriError('INVALID_ARGUMENT', `--url: ${JSON.stringify(base.slice(0, 200))} is not a URL`);
  }
  if (u.protocol !== 'https:')
    throw new MamoriError(
      'INVALID_ARGUMENT',
      '--url must be https:// (the API server calls webhooks only over TLS)',
    );
  if (
    u.username !== '' ||
    u.password !== '' ||
    u.search !== '' ||
    u.hash !== '' ||
    base.includes('?') ||
    base.includes('#')
  )
    throw new MamoriError('INVALID_ARGUMENT', '--url must not carry user info, a query or a fragment');
  if (u.hostname === '') throw new MamoriError('INVALID_ARGUMENT', '--url has no host');
  const prefix = u.pathname.replace(/\/+$/, '');
  return `${u.origin}${prefix}${path}`;
}

function checkOptions(o: WebhookManifestOptions): void {
  const t = o.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  if (!Number.isSafeInteger(t) || t < 1 || t > 30)
    throw new MamoriError('INVALID_ARGUMENT', '--timeout-seconds must be a whole number from 1 to 30');
  const f = o.failurePolicy ?? 'Fail';
  if (f !== 'Fail' && f !== 'Ignore')
    throw new MamoriError('INVALID_ARGUMENT', '--failure-policy must be Fail or Ignore');
  if ('service' in o.target) {
    checkServiceName(o.target.service);
    checkNamespace(o.target.namespace);
    const p = o.target.port ?? DEFAULT_SERVICE_PORT;
    if (!Number.isSafeInteger(p) || p < 1 || p > 65535)
      throw new MamoriError('INVALID_ARGUMENT', '--port must be a whole number from 1 to 65535');
  }
  checkServiceName(o.name ?? 'mamori', '--name');
  for (const ns of o.excludeNamespaces ?? []) checkNamespace(ns, '--exclude-namespace');
  if ((o.excludeNamespaces ?? []).length > 100)
    throw new MamoriError('LIMIT_EXCEEDED', '--exclude-namespace: more than 100 namespaces');
}

function clientConfig(o: WebhookManifestOptions, path: string): Record<string, unknown> {
  const caBundle = Buffer.from(o.caBundle, 'utf8').toString('base64');
  if ('service' in o.target) {
    const { service, namespace, port } = o.target;
    return { service: { name: service, namespace, path, port: port ?? DEFAULT_SERVICE_PORT }, caBundle };
  }
  return { url: webhookUrl(o.target.url, path), caBundle };
}

/** The configuration objects (validating first, then mutating when asked). */
export function webhookConfigurations(o: WebhookManifestOptions): Record<string, unknown>[] {
  checkOptions(o);
  const excluded = [
    ...new Set([
      ...ALWAYS_EXCLUDED_NAMESPACES,
      ...('service' in o.target ? [o.target.namespace] : []),
      ...(o.excludeNamespaces ?? []),
    ]),
  ];
  const common = (path: string) => ({
    clientConfig: clientConfig(o, path),
    rules: webhookRules(),
    failurePolicy: o.failurePolicy ?? 'Fail',
    matchPolicy: 'Equivalent',
    namespaceSelector: {
      matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: excluded }],
    },
    sideEffects: 'NoneOnDryRun',
    timeoutSeconds: o.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    admissionReviewVersions: ['v1'],
  });
  const metadata = {
    name: o.name ?? 'mamori',
    labels: { 'app.kubernetes.io/name': 'mamori', 'app.kubernetes.io/component': 'admission-webhook' },
  };
  const out: Record<string, unknown>[] = [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata,
      webhooks: [{ name: VALIDATING_WEBHOOK_NAME, ...common(VALIDATE_PATH) }],
    },
  ];
  if (o.mutating) {
    out.push({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata,
      webhooks: [{ name: MUTATING_WEBHOOK_NAME, ...common(MUTATE_PATH), reinvocationPolicy: 'IfNeeded' }],
    });
  }
  return out;
}

/** The configurations as multi-document YAML, ready for `kubectl apply -f -`. */
export function renderWebhookManifests(o: WebhookManifestOptions): string {
  return webhookConfigurations(o)
    .map((doc) => stringify(doc, { lineWidth: 0 }))
    .join('---\n');
}
