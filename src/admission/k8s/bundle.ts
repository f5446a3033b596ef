/**
 * Reads a CA bundle for a webhook configuration's `caBundle`: PEM
 * certificates only, at least one of them a CA (or self-signed) and still
 * valid, so that a serving certificate or a private key passed by mistake is
 * refused with a clear message instead of producing a webhook the API server
 * cannot call.
 */
import { X509Certificate } from 'node:crypto';
import { MamoriError } from '../../core/index.js';

/** Larger than any real bundle (the API server's own limit on objects is 1.5 MiB). */
export const MAX_CA_BUNDLE = 1024 * 1024;
const MAX_CERTIFICATES = 100;
const BLOCK = /-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]{1,1048576}?)-----END CERTIFICATE-----/g;

export interface CaBundle {
  /** The certificates as normalised PEM, one block after another. */
  readonly pem: string;
  readonly certificates: readonly X509Certificate[];
}

/** Checks `text` (the contents of `source`) and returns its certificates; throws a one-line MamoriError. */
export function parseCaBundle(text: string, source: string, now: Date = new Date()): CaBundle {
  if (text.length > MAX_CA_BUNDLE)
    throw new MamoriError('LIMIT_EXCEEDED', `${source}: larger than ${MAX_CA_BUNDLE} bytes, not a CA bundle`);
  const blocks = [...text.matchAll(BLOCK)].map((m) => m[0]);
  if (blocks.length === 0) {
    const what = /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)
      ? 'holds a private key, not a certificate'
      : 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)';
    throw new MamoriError('INVALID_ARGUMENT', `${source} ${what}`);
  }
  if (blocks.length > MAX_CERTIFICATES)
    throw new MamoriError('LIMIT_EXCEEDED', `${source}: more than ${MAX_CERTIFICATES} certificates`);
  const certificates = blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch {
      throw new MamoriError(
        'INVALID_ARGUMENT',
        `${source}: certificate ${i + 1} is not valid X.509 (broken PEM)`,
      );
    }
  });
  const anchors = certificates.filter((c) => c.ca || (c.subject === c.issuer && c.verify(c.publicKey)));
  if (anchors.length === 0)
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `${source} holds no CA certificate (pass the CA's ca.crt, not the serving certificate tls.crt)`,
    );
  const t = now.getTime();
  const current = anchors.filter((c) => Date.parse(c.validFrom) <= t && t <= Date.parse(c.validTo));
  if (current.length === 0) {
    const c = anchors[0] as X509Certificate;
    const when = Date.parse(c.validTo) < t ? `expired on ${c.validTo}` : `is not valid before ${c.validFrom}`;
    throw new MamoriError('INVALID_ARGUMENT', `${source}: the CA certificate ${when}`);
  }
  return { pem: certificates.map((c) => c.toString()).join(''), certificates };
}
