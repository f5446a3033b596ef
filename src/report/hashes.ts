/** Package digests mamori can state as checksums of the package archive. */

export type HashAlgorithm = 'SHA1' | 'SHA256' | 'SHA384' | 'SHA512';

export interface Digest {
  readonly algorithm: HashAlgorithm;
  /** Lower-case hex. */
  readonly hex: string;
}

const SRI: Readonly<Record<string, { algorithm: HashAlgorithm; bytes: number }>> = {
  sha1: { algorithm: 'SHA1', bytes: 20 },
  sha256: { algorithm: 'SHA256', bytes: 32 },
  sha384: { algorithm: 'SHA384', bytes: 48 },
  sha512: { algorithm: 'SHA512', bytes: 64 },
};

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Digests of a Subresource Integrity string (`sha512-BASE64 sha1-BASE64`), as
 * npm lockfiles and .NET deps files record the package archive's hash. Bad or
 * unknown entries are dropped; one digest per algorithm.
 */
export function digestsFromSri(sri: unknown): Digest[] {
  if (typeof sri !== 'string' || sri.length > 4096) return [];
  const out: Digest[] = [];
  for (const token of sri.trim().split(/\s+/)) {
    const dash = token.indexOf('-');
    if (dash <= 0) continue;
    const spec = SRI[token.slice(0, dash).toLowerCase()];
    // Options after "?" are allowed by the SRI grammar and carry nothing for us.
    const b64 = token.slice(dash + 1).split('?')[0] ?? '';
    if (spec === undefined || !BASE64.test(b64)) continue;
    const bytes = Buffer.from(b64, 'base64');
    if (bytes.length !== spec.bytes || out.some((d) => d.algorithm === spec.algorithm)) continue;
    out.push({ algorithm: spec.algorithm, hex: bytes.toString('hex') });
  }
  return out;
}
