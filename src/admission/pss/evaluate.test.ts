import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMamoriError } from '../../core/errors.js';
import { evaluatePodSecurity, parseLevel, parseVersion } from './index.js';
import { restrictedSpec } from './testing.js';

test('parseLevel reads LEVEL[:VERSION] as PSA labels write it', () => {
  assert.deepEqual(parseLevel('restricted:v1.30'), { level: 'restricted', version: 'v1.30' });
  assert.deepEqual(parseLevel('baseline'), { level: 'baseline', version: 'latest' });
  assert.deepEqual(parseLevel('baseline:latest'), { level: 'baseline', version: 'latest' });
  assert.deepEqual(parseLevel('restricted:v1.0'), { level: 'restricted', version: 'v1.0' });
});

test('parseLevel refuses what PSA would refuse, with INVALID_ARGUMENT', () => {
  for (const bad of [
    'privileged2',
    'restricted:1.30',
    'restricted:v2.0',
    'restricted:v1.030',
    'baseline:v1.30:x',
    'x'.repeat(100),
    '',
  ]) {
    assert.throws(
      () => parseLevel(bad),
      (e) => isMamoriError(e, 'INVALID_ARGUMENT'),
      bad,
    );
  }
  assert.throws(
    () => parseVersion('v1.'),
    (e) => isMamoriError(e, 'INVALID_ARGUMENT'),
  );
});

test('evaluatePodSecurity refuses a non-object spec or an unknown level without a TypeError', () => {
  for (const pod of [null, {}, { spec: 'x' }, { spec: [] }, 5]) {
    assert.throws(
      () => evaluatePodSecurity(pod as never, { level: 'baseline' }),
      (e) => isMamoriError(e, 'INVALID_ARGUMENT'),
    );
  }
  assert.throws(
    () => evaluatePodSecurity({ spec: {} }, { level: 'privileged' as never }),
    (e) => isMamoriError(e, 'INVALID_ARGUMENT'),
  );
  assert.throws(
    () => evaluatePodSecurity({ spec: {} }, { level: 'baseline', version: 'v9' }),
    (e) => isMamoriError(e, 'INVALID_ARGUMENT'),
  );
});

test('wrongly typed fields never throw; the evaluator reads only what it understands', () => {
  const weird = [
    { containers: 'x', initContainers: 5, volumes: 'v', securityContext: 7 },
    { containers: [null, 1, 'a', { securityContext: 'x', ports: 'p' }], securityContext: { sysctls: 'all' } },
    { containers: [{ name: 1, securityContext: { capabilities: { add: 'SYS_ADMIN', drop: 'ALL' } } }] },
    {
      containers: [{ livenessProbe: 'x', lifecycle: { preStop: 5 } }],
      volumes: [null, 3, { name: 'x', hostPath: null }],
    },
  ];
  for (const spec of weird) {
    for (const level of ['baseline', 'restricted'] as const) {
      assert.doesNotThrow(() => evaluatePodSecurity({ spec, metadata: { annotations: 'x' } }, { level }));
    }
  }
});

test('a container without a name is named by its index', () => {
  const spec = restrictedSpec();
  (spec.containers as Record<string, unknown>[]).push({ image: 'x', securityContext: { privileged: true } });
  const [v] = evaluatePodSecurity({ spec }, { level: 'baseline' }).filter((x) => x.control === 'privileged');
  assert.equal(v?.message, 'privileged (container "#1" must not set securityContext.privileged=true)');
});

test('long hostile values are cut short in messages', () => {
  const spec = restrictedSpec();
  (spec.securityContext as Record<string, unknown>).sysctls = [{ name: `kernel.${'x'.repeat(10_000)}` }];
  const [v] = evaluatePodSecurity({ spec }, { level: 'baseline' });
  assert.ok(v && v.message.length < 300, v?.message);
});

test('latest applies every modelled control', () => {
  const spec = restrictedSpec();
  (spec.containers as Record<string, unknown>[])[0] = {
    name: 'app',
    livenessProbe: { httpGet: { host: 'h' } },
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsUser: 0 },
  };
  assert.deepEqual(
    evaluatePodSecurity({ spec }, parseLevel('restricted')).map((v) => v.control),
    ['hostProbesAndHostLifecycle', 'runAsUser'],
  );
});
