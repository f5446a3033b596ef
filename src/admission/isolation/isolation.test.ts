import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePolicy } from '../../policy/index.js';
import { checkIsolation } from './index.js';

const policy = parsePolicy({
  rules: [
    {
      name: 'untrusted',
      isolation: {
        untrustedLabel: 'trust=untrusted',
        runtimeClassNames: ['gvisor', 'kata'],
        toleration: { key: 'sandbox', value: 'true', effect: 'NoSchedule' },
        requireResources: true,
      },
    },
  ],
});
const rules = policy.rules[0]?.isolation;
if (!rules) throw new Error('no isolation rules');

const resources = { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } };
const sandboxed = {
  runtimeClassName: 'gvisor',
  tolerations: [{ key: 'sandbox', operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
  nodeSelector: { sandbox: 'true' },
  containers: [{ name: 'app', image: 'app:1', resources }],
};
const controls = (labels: Record<string, string>, spec: unknown) =>
  checkIsolation(labels, spec, 'spec.template.spec', rules).map((v) => `${v.control} ${v.path}`);

describe('isolation rules', () => {
  it('accepts an untrusted workload in a sandbox on the dedicated nodes, and a trusted one elsewhere', () => {
    assert.deepEqual(controls({ trust: 'untrusted' }, sandboxed), []);
    assert.deepEqual(controls({}, { containers: [{ name: 'app', resources }] }), []);
    // `Exists` on the key tolerates every value of it.
    const exists = { ...sandboxed, tolerations: [{ key: 'sandbox', operator: 'Exists' }] };
    assert.deepEqual(controls({ trust: 'untrusted' }, exists), []);
  });

  it('denies an untrusted workload without the sandbox runtime, toleration or node selector', () => {
    assert.deepEqual(controls({ trust: 'untrusted' }, { containers: [{ name: 'app', resources }] }), [
      'isolation.runtimeClass spec.template.spec.runtimeClassName',
      'isolation.toleration spec.template.spec.tolerations',
      'isolation.nodeSelector spec.template.spec.nodeSelector',
    ]);
    const runc = { ...sandboxed, runtimeClassName: 'runc' };
    const [v] = checkIsolation({ trust: 'untrusted' }, runc, 'spec', rules);
    assert.match(v?.message ?? '', /must run in a sandbox \(runtimeClassName gvisor or kata\), not "runc"/);
    assert.equal(v?.fix, 'set spec.runtimeClassName: gvisor');
    const wrongEffect = {
      ...sandboxed,
      tolerations: [{ key: 'sandbox', value: 'true', effect: 'NoExecute' }],
    };
    assert.deepEqual(controls({ trust: 'untrusted' }, wrongEffect), [
      'isolation.toleration spec.template.spec.tolerations',
    ]);
  });

  it('keeps trusted workloads off the untrusted nodes (no mixing)', () => {
    const sneaky = { containers: [{ name: 'app', resources }], tolerations: [{ operator: 'Exists' }] };
    const [v] = checkIsolation({}, sneaky, 'spec', rules);
    assert.equal(v?.control, 'isolation.mixing');
    assert.match(v?.message ?? '', /could share a node with them/);
  });

  it('requires CPU and memory requests and limits on every container, init containers included', () => {
    const spec = {
      initContainers: [{ name: 'init', resources: { limits: { cpu: '1', memory: '1Gi' } } }],
      containers: [{ name: 'app', resources }, { name: 'side' }],
    };
    const got = checkIsolation({}, spec, 'spec', rules);
    assert.deepEqual(
      got.map((v) => v.path),
      ['spec.initContainers[0].resources', 'spec.containers[1].resources'],
    );
    assert.match(got[0]?.message ?? '', /does not set resources requests\.cpu, requests\.memory/);
  });

  it('takes hostile shapes without throwing', () => {
    for (const spec of [
      null,
      42,
      'x',
      [],
      { containers: 'x' },
      { containers: [null, 1] },
      { tolerations: [null] },
    ]) {
      assert.ok(Array.isArray(checkIsolation({ trust: 'untrusted' }, spec, 'spec', rules)));
    }
  });
});
