import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isMamoriError } from '../../core/index.js';
import { ipBytes, manifestLocator, parseCaBundle, parseFieldPath, splitNames } from './index.js';

/** Either returns or throws a MamoriError: never a raw TypeError or RangeError. */
function onlyMamoriErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    assert.ok(isMamoriError(e), `raw ${String(e)}`);
    assert.ok(!e.message.includes('\n'), 'one line');
  }
}

const pemish = fc.oneof(
  fc.string(),
  fc.string().map((b) => `-----BEGIN CERTIFICATE-----\n${b}\n-----END CERTIFICATE-----\n`),
  fc.base64String().map((b) => `-----BEGIN CERTIFICATE-----\n${b}\n-----END CERTIFICATE-----\n`),
  fc.constant('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'),
);

describe('hostile input to the k8s helpers', () => {
  it('CA bundles, names and IPs fail with one-line MamoriErrors only', () => {
    fc.assert(
      fc.property(pemish, (t) => onlyMamoriErrors(() => parseCaBundle(t, 'bundle.pem'))),
      {
        numRuns: 300,
      },
    );
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string(), fc.ipV4(), fc.ipV6(), fc.domain()), { maxLength: 5 }),
        (names) => onlyMamoriErrors(() => splitNames(names)),
      ),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.ipV6(), fc.ipV4()), (ip) => onlyMamoriErrors(() => ipBytes(ip))),
      {
        numRuns: 300,
      },
    );
  });

  it('IPv6 addresses encode to 16 bytes that read back as the same address', () => {
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const b = ipBytes(ip);
        assert.equal(b.length, 16);
        const groups = Array.from({ length: 8 }, (_, i) =>
          (((b[2 * i] ?? 0) << 8) | (b[2 * i + 1] ?? 0)).toString(16),
        );
        assert.equal(new URL(`http://[${groups.join(':')}]/`).hostname, new URL(`http://[${ip}]/`).hostname);
      }),
      { numRuns: 300 },
    );
  });

  it('field positions never throw, whatever the text and path', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.nat(5),
        fc.option(fc.nat(3), { nil: undefined }),
        (text, path, doc, item) => {
          parseFieldPath(path);
          const pos = manifestLocator(text).locate(doc, item, path);
          if (pos) assert.ok(pos.line >= 1 && pos.column >= 1);
        },
      ),
      { numRuns: 300 },
    );
  });
});
