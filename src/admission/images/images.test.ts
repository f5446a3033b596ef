import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePolicy } from '../../policy/index.js';
import { allowedBy, canonicalName, checkImage } from './index.js';

const D = `sha256:${'a'.repeat(64)}`;
function rules(images: Record<string, unknown>) {
  const r = parsePolicy({ rules: [{ name: 'r', images }] }).rules[0]?.images;
  if (!r) throw new Error('no image rules');
  return r;
}
const controls = (v: { control: string }[]) => v.map((x) => x.control);

describe('image rules', () => {
  it('reads references the way Docker does', () => {
    assert.deepEqual(canonicalName('nginx'), { name: 'docker.io/library/nginx', tag: 'latest' });
    assert.deepEqual(canonicalName(`ghcr.io/org/app@${D}`), { name: 'ghcr.io/org/app', digest: D });
    assert.equal(canonicalName('team/App'), undefined, 'repository paths are lowercase');
    assert.equal(canonicalName('a//b'), undefined);
  });

  it('allows registries and repositories on whole path segments only', () => {
    assert.ok(allowedBy('registry.example.com/team/app', ['registry.example.com/team']));
    assert.ok(allowedBy('registry.example.com/team/app', ['registry.example.com']));
    assert.ok(allowedBy('localhost:5000/x', ['localhost:5000']));
    assert.ok(allowedBy('docker.io/library/nginx', ['nginx']));
    assert.ok(!allowedBy('registry.example.com/teamevil/app', ['registry.example.com/team']));
    assert.ok(!allowedBy('registry.example.com.evil.io/team/app', ['registry.example.com']));
    assert.ok(!allowedBy('docker.io/library/nginx', ['registry.example.com']));
  });

  it('denies foreign registries and tags where digests are required, naming the fix', () => {
    const r = rules({ allowedRegistries: ['registry.example.com/team'], requireDigest: true });
    assert.deepEqual(checkImage(`registry.example.com/team/app@${D}`, 'spec.containers[0].image', r, {}), []);
    const v = checkImage('docker.io/evil/app:1', 'spec.containers[0].image', r, { digest: D });
    assert.deepEqual(controls(v), ['image.registry', 'image.digest']);
    assert.equal(v[1]?.fix, `use docker.io/evil/app@${D}`);
    assert.equal(v[0]?.path, 'spec.containers[0].image');
    // With mutation on, a tag that reaches validation could not be pinned: denied with the reason.
    const unpinned = checkImage(
      'registry.example.com/team/app:1',
      'p',
      rules({ requireDigest: true, mutateToDigest: true }),
      { problem: 'tag 1 not found' },
    );
    assert.deepEqual(controls(unpinned), ['image.digest']);
    assert.match(unpinned[0]?.message ?? '', /could not be pinned to a digest \(tag 1 not found\)/);
    assert.deepEqual(controls(checkImage('Not A Ref', 'p', r, {})), ['image.reference']);
  });

  it('judges scan results against the threshold and the requirement to be scanned', () => {
    const r = rules({ maxSeverity: 'high', requireScan: true });
    const img = `registry.example.com/team/app@${D}`;
    assert.deepEqual(controls(checkImage(img, 'p', r, {})), ['image.scan']);
    assert.deepEqual(controls(checkImage(img, 'p', r, { scan: { status: 'queued' } })), ['image.scan']);
    const clean = {
      scan: { status: 'scanned' as const, vulnerabilitiesScanned: true, counts: { medium: 3, low: 9 } },
    };
    assert.deepEqual(checkImage(img, 'p', r, clean), []);
    const bad = {
      scan: {
        status: 'scanned' as const,
        vulnerabilitiesScanned: true,
        counts: { critical: 1, high: 2, low: 1 },
      },
    };
    const v = checkImage(img, 'p', r, bad);
    assert.deepEqual(controls(v), ['image.vulnerabilities']);
    assert.match(
      v[0]?.message ?? '',
      /has 1 critical, 2 high finding\(s\); the policy allows none at or above high/,
    );
    const noDb = { scan: { status: 'scanned' as const, vulnerabilitiesScanned: false, counts: {} } };
    assert.deepEqual(controls(checkImage(img, 'p', r, noDb)), ['image.scan']);
    // Without requireScan an unscanned image passes the severity rule (nothing known against it).
    assert.deepEqual(checkImage(img, 'p', rules({ maxSeverity: 'high' }), {}), []);
  });

  it('requires a verified signature when keys are configured', () => {
    const key = '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----';
    const r = rules({ signatures: { keys: [key] } });
    const img = `registry.example.com/team/app@${D}`;
    assert.deepEqual(checkImage(img, 'p', r, { signature: { verified: true, reasons: [] } }), []);
    const v = checkImage(img, 'p', r, {
      signature: { verified: false, reasons: ['signature does not verify with any trusted key'] },
    });
    assert.deepEqual(controls(v), ['image.signature']);
    assert.match(v[0]?.message ?? '', /does not verify with any trusted key/);
    assert.deepEqual(controls(checkImage(img, 'p', r, {})), ['image.signature']);
  });
});
