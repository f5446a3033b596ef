import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MutatingWebhookConfiguration } from 'kubernetes-models/admissionregistration.k8s.io/v1/MutatingWebhookConfiguration';
import { ValidatingWebhookConfiguration } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration';
import { parseAllDocuments } from 'yaml';
import { isMamoriError } from '../../core/index.js';
import { createWebhookCertificates, parseCaBundle, renderWebhookManifests } from './index.js';

const certs = await createWebhookCertificates({ service: 'mamori', namespace: 'mamori-system', days: 1 });
const RULES = [
  {
    apiGroups: [''],
    apiVersions: ['v1'],
    operations: ['CREATE', 'UPDATE'],
    resources: ['pods', 'pods/ephemeralcontainers', 'replicationcontrollers'],
    scope: 'Namespaced',
  },
  {
    apiGroups: ['apps'],
    apiVersions: ['v1'],
    operations: ['CREATE', 'UPDATE'],
    resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'],
    scope: 'Namespaced',
  },
  {
    apiGroups: ['batch'],
    apiVersions: ['v1'],
    operations: ['CREATE', 'UPDATE'],
    resources: ['jobs', 'cronjobs'],
    scope: 'Namespaced',
  },
];
const METADATA = {
  name: 'mamori',
  labels: { 'app.kubernetes.io/name': 'mamori', 'app.kubernetes.io/component': 'admission-webhook' },
};

function parse(yaml: string): Record<string, unknown>[] {
  const docs = parseAllDocuments(yaml);
  assert.ok(Array.isArray(docs));
  for (const d of docs) assert.deepEqual(d.errors, []);
  return docs.map((d) => d.toJS() as Record<string, unknown>);
}

/** Validates against the Kubernetes OpenAPI schema of the kind (types, enums, required fields). */
function validate(doc: Record<string, unknown>): void {
  if (doc['kind'] === 'ValidatingWebhookConfiguration')
    new ValidatingWebhookConfiguration(
      doc as ConstructorParameters<typeof ValidatingWebhookConfiguration>[0],
    ).validate();
  else
    new MutatingWebhookConfiguration(
      doc as ConstructorParameters<typeof MutatingWebhookConfiguration>[0],
    ).validate();
}

describe('webhook configurations', () => {
  it('routes pods and every pod-owning kind to the in-cluster Service, with the CA bundle', () => {
    const yaml = renderWebhookManifests({
      target: { service: 'mamori', namespace: 'mamori-system', port: 8443 },
      caBundle: certs.caCert,
      failurePolicy: 'Ignore',
      timeoutSeconds: 5,
      mutating: true,
      excludeNamespaces: ['monitoring', 'kube-system'],
    });
    assert.match(yaml, /^apiVersion: admissionregistration\.k8s\.io\/v1\n/);
    const docs = parse(yaml);
    assert.equal(docs.length, 2);
    docs.forEach(validate);
    const common = {
      rules: RULES,
      failurePolicy: 'Ignore',
      matchPolicy: 'Equivalent',
      namespaceSelector: {
        matchExpressions: [
          {
            key: 'kubernetes.io/metadata.name',
            operator: 'NotIn',
            values: ['kube-system', 'mamori-system', 'monitoring'],
          },
        ],
      },
      sideEffects: 'NoneOnDryRun',
      timeoutSeconds: 5,
      admissionReviewVersions: ['v1'],
    };
    const caBundle = Buffer.from(certs.caCert).toString('base64');
    assert.deepEqual(docs[0], {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: METADATA,
      webhooks: [
        {
          name: 'validate.mamori.dev',
          clientConfig: {
            service: { name: 'mamori', namespace: 'mamori-system', path: '/admission/validate', port: 8443 },
            caBundle,
          },
          ...common,
        },
      ],
    });
    assert.deepEqual(docs[1], {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: METADATA,
      webhooks: [
        {
          name: 'mutate.mamori.dev',
          clientConfig: {
            service: { name: 'mamori', namespace: 'mamori-system', path: '/admission/mutate', port: 8443 },
            caBundle,
          },
          ...common,
          reinvocationPolicy: 'IfNeeded',
        },
      ],
    });
    // The schema check is a real one: a wrong enum value or type fails it.
    const hook = (docs[0]?.['webhooks'] as Record<string, unknown>[])[0];
    assert.throws(
      () => validate({ ...docs[0], webhooks: [{ ...hook, sideEffects: 'Unknown-ish' }] }),
      /sideEffects/,
    );
    assert.throws(
      () => validate({ ...docs[0], webhooks: [{ ...hook, timeoutSeconds: '5' }] }),
      /timeoutSeconds/,
    );
    // The bundle decodes to the CA that signed the serving certificate.
    const pem = Buffer.from(caBundle, 'base64').toString('utf8');
    assert.equal(parseCaBundle(pem, 'caBundle').pem, certs.caCert);
  });

  it('defaults to Fail, 10 s, port 443 and validating only; a URL for servers outside the cluster', () => {
    const [svc] = parse(
      renderWebhookManifests({ target: { service: 'hook', namespace: 'sec' }, caBundle: certs.caCert }),
    );
    assert.ok(svc);
    validate(svc);
    const w = (svc['webhooks'] as Record<string, unknown>[])[0] as Record<string, unknown>;
    assert.equal(w['failurePolicy'], 'Fail');
    assert.equal(w['timeoutSeconds'], 10);
    assert.deepEqual((w['clientConfig'] as Record<string, unknown>)['service'], {
      name: 'hook',
      namespace: 'sec',
      path: '/admission/validate',
      port: 443,
    });
    const docs = parse(
      renderWebhookManifests({
        target: { url: 'https://mamori.example.com:8443/' },
        caBundle: certs.caCert,
        mutating: true,
      }),
    );
    docs.forEach(validate);
    const urls = docs.map(
      (d) =>
        ((d['webhooks'] as Record<string, unknown>[])[0]?.['clientConfig'] as Record<string, unknown>)['url'],
    );
    assert.deepEqual(urls, [
      'https://mamori.example.com:8443/admission/validate',
      'https://mamori.example.com:8443/admission/mutate',
    ]);
    const sel = (docs[0]?.['webhooks'] as Record<string, unknown>[])[0]?.['namespaceSelector'];
    assert.deepEqual(sel, {
      matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] }],
    });
  });

  it('refuses what the API server would refuse, with one-line errors', () => {
    const base = { target: { service: 'mamori', namespace: 'mamori' }, caBundle: certs.caCert };
    const cases: [Parameters<typeof renderWebhookManifests>[0], RegExp][] = [
      [{ ...base, timeoutSeconds: 0 }, /--timeout-seconds must be a whole number from 1 to 30/],
      [{ ...base, timeoutSeconds: 31 }, /--timeout-seconds/],
      [{ ...base, failurePolicy: 'fail' as 'Fail' }, /--failure-policy must be Fail or Ignore/],
      [{ ...base, target: { url: 'http://mamori:8443' } }, /--url must be https:\/\//],
      [
        { ...base, target: { url: 'https://u:p@mamori:8443' } },
        /must not carry user info, a query or a fragment/,
      ],
      [{ ...base, target: { url: 'https://mamori:8443/?x=1' } }, /a query/],
      [{ ...base, target: { url: 'not a url' } }, /--url: "not a url" is not a URL/],
      [
        { ...base, target: { service: 'mamori', namespace: 'Prod' } },
        /--namespace: "Prod" is not a namespace name/,
      ],
      [{ ...base, target: { service: 'mamori', namespace: 'm', port: 0 } }, /--port must be a whole number/],
      [{ ...base, excludeNamespaces: ['a b'] }, /--exclude-namespace: "a b" is not a namespace name/],
    ];
    for (const [opts, re] of cases) {
      assert.throws(
        () => renderWebhookManifests(opts),
        (e: unknown) => isMamoriError(e) && re.test(e.message) && !e.message.includes('\n'),
        String(re),
      );
    }
  });
});
