import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { evaluatePodSecurity } from '../pss/index.js';
import { DEFAULT_WORKLOAD_LIMITS, POD_OWNING_KINDS, podSpecsOf, readManifests } from './index.js';

const text = readFileSync(join(import.meta.dirname, 'testdata', 'all-kinds.yaml'), 'utf8');

describe('podSpecsOf on every pod-owning kind', () => {
  const { manifests, errors } = readManifests(text);
  test('the stream reads as ten objects, the List flattened', () => {
    assert.deepEqual(errors, []);
    assert.deepEqual(
      manifests.map((m) => [m.object.kind, m.document, m.item]),
      [
        ['Pod', 0, undefined],
        ['Deployment', 1, undefined],
        ['ReplicaSet', 2, undefined],
        ['StatefulSet', 3, undefined],
        ['DaemonSet', 4, undefined],
        ['Job', 5, undefined],
        ['CronJob', 6, undefined],
        ['ReplicationController', 7, undefined],
        ['ConfigMap', 8, 0],
        ['Pod', 8, 1],
      ],
    );
  });
  const expected: Record<string, [string, string]> = {
    Pod: ['spec', 'metadata'],
    Deployment: ['spec.template.spec', 'spec.template.metadata'],
    ReplicaSet: ['spec.template.spec', 'spec.template.metadata'],
    StatefulSet: ['spec.template.spec', 'spec.template.metadata'],
    DaemonSet: ['spec.template.spec', 'spec.template.metadata'],
    Job: ['spec.template.spec', 'spec.template.metadata'],
    CronJob: ['spec.jobTemplate.spec.template.spec', 'spec.jobTemplate.spec.template.metadata'],
    ReplicationController: ['spec.template.spec', 'spec.template.metadata'],
  };
  test('every pod-owning kind is covered by a fixture', () => {
    assert.deepEqual(Object.keys(expected).sort(), [...POD_OWNING_KINDS].sort());
  });
  for (const m of manifests) {
    const kind = String(m.object.kind);
    test(`${kind} ${String((m.object.metadata as { name?: string }).name)}`, () => {
      const r = podSpecsOf(m.object);
      assert.deepEqual(r.errors, []);
      if (kind === 'ConfigMap') return assert.deepEqual(r.templates, []);
      assert.equal(r.templates.length, 1);
      const t = r.templates[0];
      assert.deepEqual([t?.specPath, t?.metadataPath], expected[kind]);
      assert.ok(Array.isArray(t?.spec.containers));
    });
  }
  test('findings name the field path inside the workload', () => {
    const at = (kind: string): string[] => {
      const m = manifests.find((x) => x.object.kind === kind);
      const t = podSpecsOf(m?.object).templates[0];
      assert.ok(t);
      return evaluatePodSecurity(t, { level: 'baseline', version: 'latest' }).map((v) => v.path);
    };
    assert.deepEqual(at('Deployment'), ['spec.template.spec.containers[0].securityContext.privileged']);
    assert.deepEqual(at('DaemonSet'), ['spec.template.spec.hostNetwork']);
    assert.deepEqual(at('CronJob'), [
      'spec.jobTemplate.spec.template.metadata.annotations["container.apparmor.security.beta.kubernetes.io/cron"]',
    ]);
    assert.deepEqual(at('Pod'), []);
  });
});

describe('podSpecsOf on other shapes', () => {
  test('EphemeralContainers subresource: paths start at ephemeralContainers', () => {
    const obj = {
      apiVersion: 'v1',
      kind: 'EphemeralContainers',
      metadata: { name: 'web', namespace: 'shop' },
      ephemeralContainers: [{ name: 'debug', image: 'busybox', securityContext: { privileged: true } }],
    };
    const r = podSpecsOf(obj);
    assert.deepEqual(r.errors, []);
    const t = r.templates[0];
    assert.ok(t);
    assert.equal(t.specPath, '');
    assert.deepEqual(
      evaluatePodSecurity(t, { level: 'baseline', version: 'latest' }).map((v) => v.path),
      ['ephemeralContainers[0].securityContext.privileged'],
    );
  });
  test('a Pod sent to the ephemeralcontainers subresource is read as a Pod', () => {
    const pod = {
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'a', image: 'x' }], ephemeralContainers: [{ name: 'dbg', image: 'y' }] },
    };
    assert.equal(podSpecsOf(pod).templates[0]?.spec.ephemeralContainers !== undefined, true);
  });
  test('unknown kinds have no templates and no errors', () => {
    for (const kind of ['Service', 'ConfigMap', 'CustomThing']) {
      assert.deepEqual(podSpecsOf({ kind, spec: { template: { spec: {} } } }), { templates: [], errors: [] });
    }
  });
});

describe('podSpecsOf on hostile input', () => {
  const bad: [string, unknown, RegExp][] = [
    ['null', null, /must be a JSON object/],
    ['an array', [], /must be a JSON object/],
    ['a number kind', { kind: 7 }, /kind: must be a string/],
    ['no spec', { kind: 'Pod' }, /spec: missing/],
    ['spec a string', { kind: 'Deployment', spec: 'x' }, /spec: must be an object/],
    ['no template', { kind: 'Deployment', spec: {} }, /spec.template: missing/],
    ['containers a string', { kind: 'Pod', spec: { containers: 'app' } }, /spec.containers: must be a list/],
    ['no containers', { kind: 'Pod', spec: {} }, /no containers/],
    ['container a number', { kind: 'Pod', spec: { containers: [1] } }, /containers\[0\]: must be an object/],
    [
      'container name a number',
      { kind: 'Pod', spec: { containers: [{ name: 1 }] } },
      /name: must be a string/,
    ],
    [
      'securityContext a list',
      { kind: 'Pod', spec: { containers: [{ name: 'a', securityContext: [] }] } },
      /securityContext: must be an object/,
    ],
    [
      'privileged a string',
      { kind: 'Pod', spec: { containers: [{ name: 'a', securityContext: { privileged: 'true' } }] } },
      /privileged: must be boolean/,
    ],
    [
      'runAsUser a float',
      { kind: 'Pod', spec: { containers: [{ name: 'a' }], securityContext: { runAsUser: 0.5 } } },
      /runAsUser: must be integer/,
    ],
    [
      'capabilities.add a string',
      {
        kind: 'Pod',
        spec: { containers: [{ name: 'a', securityContext: { capabilities: { add: 'SYS_ADMIN' } } }] },
      },
      /add: must be string list/,
    ],
    [
      'hostNetwork a string',
      { kind: 'Pod', spec: { containers: [{ name: 'a' }], hostNetwork: 'yes' } },
      /hostNetwork: must be boolean/,
    ],
    [
      'hostPort a string',
      { kind: 'Pod', spec: { containers: [{ name: 'a', ports: [{ hostPort: '80' }] }] } },
      /hostPort: must be integer/,
    ],
    [
      'sysctls an object',
      { kind: 'Pod', spec: { containers: [{ name: 'a' }], securityContext: { sysctls: {} } } },
      /sysctls: must be a list/,
    ],
    [
      'annotation a number',
      { kind: 'Pod', metadata: { annotations: { a: 1 } }, spec: { containers: [{ name: 'a' }] } },
      /annotations\["a"\]: must be a string/,
    ],
    [
      'volumes an object',
      { kind: 'Pod', spec: { containers: [{ name: 'a' }], volumes: {} } },
      /volumes: must be a list/,
    ],
  ];
  for (const [what, obj, re] of bad) {
    test(`${what} is refused with a clear error`, () => {
      const r = podSpecsOf(obj);
      assert.deepEqual(r.templates, []);
      assert.ok(
        r.errors.some((e) => re.test(e)),
        r.errors.join('; '),
      );
    });
  }
  test('too many containers', () => {
    const containers = Array.from({ length: DEFAULT_WORKLOAD_LIMITS.maxContainers + 1 }, (_, i) => ({
      name: `c${i}`,
    }));
    assert.match(podSpecsOf({ kind: 'Pod', spec: { containers } }).errors.join(), /more than 256 containers/);
  });
  test('a huge string', () => {
    const image = 'x'.repeat(DEFAULT_WORKLOAD_LIMITS.maxStringLength + 1);
    assert.match(
      podSpecsOf({ kind: 'Pod', spec: { containers: [{ name: 'a', image }] } }).errors.join(),
      /longer than/,
    );
  });
  test('deep nesting does not overflow the stack', () => {
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    const r = podSpecsOf({ kind: 'Pod', spec: { containers: [{ name: 'a', env: deep }] } });
    assert.match(r.errors.join(), /nested deeper than 64/);
  });
  test('a shared subtree (as YAML aliases make) is walked within the value budget', () => {
    let wide: unknown = 'leaf';
    for (let i = 0; i < 30; i++) wide = [wide, wide];
    const r = podSpecsOf({ kind: 'Pod', spec: { containers: [{ name: 'a', args: wide }] } });
    assert.match(r.errors.join(), /too many values/);
  });
  test('a cycle is refused, not followed forever', () => {
    const c: Record<string, unknown> = { name: 'a' };
    c.self = c;
    assert.match(podSpecsOf({ kind: 'Pod', spec: { containers: [c] } }).errors.join(), /nested deeper/);
  });
});
