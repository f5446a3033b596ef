import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePolicy } from '../../policy/index.js';
import { createWebhookHandler } from './index.js';

const policy = parsePolicy({
  rules: [
    { name: 'restricted', podSecurity: 'restricted', match: { namespaces: ['prod'] } },
    { name: 'baseline-warn', mode: 'warn', podSecurity: 'baseline', match: { namespaces: ['dev'] } },
    { name: 'scanned', images: { requireScan: true }, match: { namespaces: ['scanned'] } },
  ],
});
const privilegedPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p' },
  spec: { containers: [{ name: 'app', image: 'nginx', securityContext: { privileged: true } }] },
};
const review = (namespace: string, extra: Record<string, unknown> = {}) =>
  Buffer.from(
    JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: 'u-1',
        kind: { group: '', version: 'v1', kind: 'Pod' },
        namespace,
        operation: 'CREATE',
        userInfo: { username: 'alice' },
        object: privilegedPod,
        ...extra,
      },
    }),
  );
type Response = {
  response: {
    uid: string;
    allowed: boolean;
    status?: { code: number; message: string };
    warnings?: string[];
  };
};

describe('admission webhook handler', () => {
  it('denies with the rule, path and fix; warns in warn mode; records decisions but not dry runs', async () => {
    const log: string[] = [];
    const h = createWebhookHandler({
      policy,
      onDecision: (r, _v, outcome) => log.push(`${r.namespace} ${outcome}`),
    });
    const denied = await h(review('prod'));
    assert.equal(denied.status, 200);
    const d = (denied.json as Response).response;
    assert.equal(d.uid, 'u-1');
    assert.equal(d.allowed, false);
    assert.match(
      d.status?.message ?? '',
      /^denied by mamori policy: \[restricted\] spec\.containers\[0\]\.securityContext\.privileged: privileged/,
    );
    const warned = (await h(review('dev'))).json as Response;
    assert.equal(warned.response.allowed, true);
    assert.match(
      warned.response.warnings?.[0] ?? '',
      /^\[baseline-warn\] spec\.containers\[0\]\.securityContext\.privileged/,
    );
    await h(review('prod', { dryRun: true }));
    assert.deepEqual(log, ['prod denied', 'dev allowed']);
    const del = (await h(review('prod', { operation: 'DELETE', object: null }))).json as Response;
    assert.equal(del.response.allowed, true);
  });

  it('answers malformed and oversized bodies with 400 / 413 and a message', async () => {
    const h = createWebhookHandler({ policy });
    const bad = await h(Buffer.from('{"apiVersion":'));
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.json), /not JSON/);
    const big = await h(Buffer.alloc(5 * 1024 * 1024, 32));
    assert.equal(big.status, 413);
  });

  it('answers by the failure policy when the decision overruns its budget', async () => {
    const never = () => new Promise<never>(() => undefined);
    const closed = createWebhookHandler({ policy, resolveImage: never, budgetMs: 50 });
    const c = ((await closed(review('scanned'))).json as Response).response;
    assert.equal(c.allowed, false);
    assert.equal(c.status?.code, 500);
    assert.match(c.status?.message ?? '', /could not decide within 50 ms/);
    const open = createWebhookHandler({ policy, resolveImage: never, budgetMs: 50, failurePolicy: 'Ignore' });
    const o = ((await open(review('scanned'))).json as Response).response;
    assert.equal(o.allowed, true);
    assert.match(o.warnings?.[0] ?? '', /admitted because the failure policy is Ignore/);
  });
});
