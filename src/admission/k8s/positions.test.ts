import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { manifestLocator, parseFieldPath } from './index.js';

const stream = `# a comment
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      annotations:
        container.apparmor.security.beta.kubernetes.io/app: unconfined
    spec:
      containers:
        - name: app
          image: nginx
          securityContext:
            privileged: true
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: { name: a }
    spec: { containers: [{ name: a, image: x }] }
  - apiVersion: v1
    kind: Pod
    metadata: { name: b }
    spec:
      hostNetwork: true
      containers: [{ name: b, image: x }]
`;

describe('manifest field positions', () => {
  it('reads field paths with indexes and quoted keys', () => {
    assert.deepEqual(parseFieldPath('spec.containers[0].securityContext.capabilities.add[1]'), [
      'spec',
      'containers',
      0,
      'securityContext',
      'capabilities',
      'add',
      1,
    ]);
    assert.deepEqual(parseFieldPath('metadata.annotations["a.b/c"]'), ['metadata', 'annotations', 'a.b/c']);
    assert.equal(parseFieldPath('spec..x'), undefined);
    assert.equal(parseFieldPath('a'.repeat(10) + '.b'.repeat(200)), undefined);
  });

  it('finds the line of a field, its nearest parent when absent, and objects inside a List', () => {
    const at = manifestLocator(stream);
    assert.deepEqual(at.locate(0, undefined, 'spec.template.spec.containers[0].securityContext.privileged'), {
      line: 16,
      column: 13,
    });
    assert.deepEqual(
      at.locate(
        0,
        undefined,
        'spec.template.metadata.annotations["container.apparmor.security.beta.kubernetes.io/app"]',
      ),
      { line: 10, column: 9 },
    );
    // A missing field points at its deepest parent in the file.
    assert.deepEqual(at.locate(0, undefined, 'spec.template.spec.securityContext.runAsNonRoot'), {
      line: 11,
      column: 5,
    });
    assert.deepEqual(at.locate(1, 1, 'spec.hostNetwork'), { line: 29, column: 7 });
    assert.deepEqual(at.locate(1, 0, 'spec.containers[0].image'), { line: 24, column: 37 });
    assert.equal(at.locate(5, undefined, 'spec'), undefined);
    // JSON is YAML too.
    const json = manifestLocator('{"kind":"Pod",\n "spec": {"hostPID": true}}');
    assert.deepEqual(json.locate(0, undefined, 'spec.hostPID'), { line: 2, column: 11 });
  });
});
