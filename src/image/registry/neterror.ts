/** Turns socket and TLS failures into MamoriError NETWORK with an actionable message. */
import { MamoriError, errorMessage } from '../../core/index.js';

const CERT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** True when a TLS peer answered but its certificate was not trusted. */
export function isCertificateError(e: unknown): boolean {
  const cause = e instanceof MamoriError ? e.cause : e;
  return CERT_CODES.has((cause as NodeJS.ErrnoException | undefined)?.code ?? '');
}

/** An error with an errno-style code, for timeouts raised by the transport itself. */
export function timeoutError(phase: 'connect' | 'read', ms: number): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(
    phase === 'connect' ? `connect timed out after ${ms} ms` : `no data from the server for ${ms} ms`,
  );
  e.code = 'ETIMEDOUT';
  return e;
}

export function networkError(e: unknown, url: URL, tlsVerify: boolean): MamoriError {
  if (e instanceof MamoriError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code ?? '';
  const host = url.host;
  const raw = errorMessage(e);
  // OpenSSL messages carry a readable reason between internal codes and source paths.
  const openssl = /SSL routines:[^:]*:([^:]+):/.exec(raw)?.[1];
  const msg = (openssl ?? raw).replace(/\s+/g, ' ').trim();
  let text: string;
  if (CERT_CODES.has(code)) {
    text = `TLS certificate of ${host} is not trusted (${msg})${tlsVerify ? '; use --tls-verify=false to skip verification' : ''}`;
  } else if (url.protocol === 'https:' && (code === 'EPROTO' || code.startsWith('ERR_SSL'))) {
    text = `TLS handshake with ${host} failed (${msg}); if the registry serves plain HTTP, use --tls-verify=false`;
  } else if (code === 'ECONNREFUSED') {
    text = `connection to ${host} refused`;
  } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    text = `cannot resolve ${url.hostname}`;
  } else if (code === 'ETIMEDOUT') {
    text = `${host}: ${msg}`;
  } else {
    text = `network error talking to ${host}: ${msg}`;
  }
  return new MamoriError('NETWORK', text, { cause: e });
}
