import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isMamoriError } from '../../core/index.js';
import { admissionReviewResponse, MAX_REVIEW_BYTES, parseAdmissionReview } from './index.js';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p' },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
};
function review(request: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      namespace: 'prod',
      operation: 'CREATE',
      userInfo: { username: 'alice', groups: ['system:authenticated'] },
      object: pod,
      dryRun: false,
      ...request,
    },
  });
}

describe('AdmissionReview', () => {
  it('reads a request as the API server sends it', () => {
    const r = parseAdmissionReview(review({ dryRun: true }));
    assert.equal(r.uid, '705ab4f5-6393-11e8-b7cc-42010a800002');
    assert.deepEqual(r.kind, { group: '', version: 'v1', kind: 'Pod' });
    assert.equal(r.namespace, 'prod');
    assert.equal(r.userInfo.username, 'alice');
    assert.equal(r.dryRun, true);
    assert.deepEqual(r.object, pod);
  });

  it('refuses malformed and oversized bodies with a clear message', () => {
    const cases: [string | Buffer, RegExp][] = [
      ['{', /not JSON/],
      ['[]', /expected a JSON object/],
      [
        JSON.stringify({ apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview' }),
        /expected apiVersion admission\.k8s\.io\/v1/,
      ],
      [JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }), /request is missing/],
      [review({ uid: '../../x' }), /uid/],
      [review({ uid: 42 }), /uid/],
      [review({ operation: 'PATCH' }), /operation/],
      [review({ kind: {} }), /request\.kind/],
      [review({ object: null }), /request\.object is missing/],
      [Buffer.alloc(MAX_REVIEW_BYTES + 1, 32), /larger than/],
    ];
    for (const [body, message] of cases) {
      assert.throws(
        () => parseAdmissionReview(body),
        (e: unknown) => isMamoriError(e) && message.test(e.message),
        String(message),
      );
    }
  });

  it('answers with the uid, status on denial, trimmed warnings and a base64 JSONPatch', () => {
    const denied = admissionReviewResponse('u-1', { allowed: false, message: 'privileged: set false' }) as {
      response: Record<string, unknown>;
    };
    assert.deepEqual(denied.response, {
      uid: 'u-1',
      allowed: false,
      status: { code: 403, message: 'privileged: set false' },
    });
    const warned = admissionReviewResponse('u-2', {
      allowed: true,
      warnings: ['x'.repeat(500), ...Array(30).fill('w')],
      patch: [{ op: 'replace', path: '/spec/containers/0/image', value: 'nginx@sha256:aa' }],
    }) as { response: { warnings: string[]; patch: string; patchType: string } };
    assert.equal(warned.response.warnings.length, 20);
    assert.equal(warned.response.warnings[0]?.length, 240);
    assert.equal(warned.response.patchType, 'JSONPatch');
    assert.deepEqual(JSON.parse(Buffer.from(warned.response.patch, 'base64').toString()), [
      { op: 'replace', path: '/spec/containers/0/image', value: 'nginx@sha256:aa' },
    ]);
  });
});
