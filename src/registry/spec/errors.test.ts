import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  OciErrorCodes,
  RegistryError,
  errorBody,
  errorStatus,
  isOciErrorCode,
  isRegistryError,
} from './index.js';

describe('error codes', () => {
  test('are exactly the fourteen of spec.md "Error Codes", with Distribution statuses', () => {
    // code-1 … code-14 of the spec's table; statuses from Distribution's errcode registry.
    const expected: Record<string, number> = {
      BLOB_UNKNOWN: 404,
      BLOB_UPLOAD_INVALID: 404,
      BLOB_UPLOAD_UNKNOWN: 404,
      DIGEST_INVALID: 400,
      MANIFEST_BLOB_UNKNOWN: 400,
      MANIFEST_INVALID: 400,
      MANIFEST_UNKNOWN: 404,
      NAME_INVALID: 400,
      NAME_UNKNOWN: 404,
      SIZE_INVALID: 400,
      UNAUTHORIZED: 401,
      DENIED: 403,
      UNSUPPORTED: 405,
      TOOMANYREQUESTS: 429,
    };
    assert.deepEqual(
      Object.fromEntries(Object.entries(OciErrorCodes).map(([k, v]) => [k, v.status])),
      expected,
    );
    for (const code of Object.keys(OciErrorCodes)) {
      // "containing only uppercase alphabetic characters and underscores"
      assert.match(code, /^[A-Z_]+$/);
      assert.ok(isOciErrorCode(code));
    }
    assert.ok(!isOciErrorCode('TAG_INVALID'));
    assert.ok(!isOciErrorCode('toString'));
  });

  test('RegistryError carries code, default message and status, detail and overrides', () => {
    const e = new RegistryError('BLOB_UNKNOWN');
    assert.equal(e.code, 'BLOB_UNKNOWN');
    assert.equal(e.message, 'blob unknown to registry');
    assert.equal(e.status, 404);
    assert.equal(e.detail, undefined);
    assert.ok(e instanceof Error);
    const chunk = new RegistryError('BLOB_UPLOAD_INVALID', 'chunk out of order', {
      status: 416,
      detail: { expectedOffset: 10 },
    });
    assert.equal(chunk.status, 416);
    assert.ok(isRegistryError(chunk, 'BLOB_UPLOAD_INVALID'));
    assert.ok(!isRegistryError(chunk, 'BLOB_UNKNOWN'));
    assert.ok(!isRegistryError(new Error('x')));
  });

  test('errorBody has the spec shape and round-trips through JSON', () => {
    const body = errorBody([
      new RegistryError('MANIFEST_BLOB_UNKNOWN', undefined, { detail: { digest: 'sha256:abc' } }),
      new RegistryError('NAME_INVALID', 'repository name must be lowercase'),
    ]);
    const json: unknown = JSON.parse(JSON.stringify(body));
    assert.deepEqual(json, {
      errors: [
        {
          code: 'MANIFEST_BLOB_UNKNOWN',
          message: 'manifest references a manifest or blob unknown to registry',
          detail: { digest: 'sha256:abc' },
        },
        { code: 'NAME_INVALID', message: 'repository name must be lowercase' },
      ],
    });
    assert.deepEqual(errorBody(new RegistryError('DENIED')), {
      errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }],
    });
  });

  test('errorStatus is the first error status', () => {
    assert.equal(errorStatus([new RegistryError('UNAUTHORIZED'), new RegistryError('DENIED')]), 401);
    assert.equal(errorStatus(new RegistryError('TOOMANYREQUESTS')), 429);
    assert.equal(errorStatus([]), 500);
  });
});
