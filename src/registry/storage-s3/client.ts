import { S3Client } from '@aws-sdk/client-s3';
import { MamoriError } from '../../core/index.js';
import type { S3Config } from '../../config/types.js';
import type { Where } from './errors.js';

/** Connection attempts give up after this long, so an unreachable endpoint fails fast. */
const CONNECTION_TIMEOUT_MS = 10_000;

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

function invalid(message: string): MamoriError {
  return new MamoriError('INVALID_ARGUMENT', `S3 storage: ${message}`);
}

/**
 * Checks the connection settings and returns the endpoint's origin for
 * messages. Values that may hold secrets (an endpoint with user info) are
 * refused without being echoed.
 */
export function checkS3Config(o: S3Config): Where {
  if (typeof o.bucket !== 'string' || o.bucket.length === 0 || o.bucket.length > 255) {
    throw invalid('bucket must be a non-empty name');
  }
  if (/[\s/]/.test(o.bucket) || hasControl(o.bucket))
    throw invalid('bucket name must not contain "/" or spaces');
  if (typeof o.region !== 'string' || o.region.length === 0 || o.region.length > 64 || hasControl(o.region)) {
    throw invalid('region must be a non-empty name');
  }
  if (typeof o.prefix !== 'string' || o.prefix.length > 512 || hasControl(o.prefix)) {
    throw invalid('prefix must be a string of at most 512 printable characters');
  }
  if (o.prefix.startsWith('/') || (o.prefix !== '' && !o.prefix.endsWith('/'))) {
    throw invalid('prefix must not start with "/" and must end with "/" when not empty');
  }
  if (o.accessKeyId === '' || o.secretAccessKey === '') {
    throw invalid('accessKeyId and secretAccessKey must not be empty');
  }
  if ((o.accessKeyId === undefined) !== (o.secretAccessKey === undefined)) {
    throw invalid(
      'set both accessKeyId and secretAccessKey, or neither (to use the default credential chain)',
    );
  }
  if (o.endpoint === undefined) return { bucket: o.bucket, endpoint: `AWS S3 (${o.region})` };
  let url: URL;
  try {
    url = new URL(o.endpoint);
  } catch {
    throw invalid('endpoint is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('endpoint must be an http(s) URL');
  if (url.username || url.password) throw invalid('endpoint must not carry credentials in the URL');
  if (url.search || url.hash) throw invalid('endpoint must not have a query or fragment');
  return { bucket: o.bucket, endpoint: url.origin };
}

/**
 * An S3 client for the configured endpoint. Checksums are sent only where
 * S3 requires them: S3-compatible servers other than AWS often reject or
 * mis-store the SDK's default trailing checksums, and every blob's digest is
 * verified before it is uploaded and its size checked after.
 */
export function makeS3Client(o: S3Config): S3Client {
  return new S3Client({
    region: o.region,
    ...(o.endpoint === undefined ? {} : { endpoint: o.endpoint }),
    forcePathStyle: o.forcePathStyle,
    ...(o.accessKeyId !== undefined && o.secretAccessKey !== undefined
      ? { credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey } }
      : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS },
  });
}
