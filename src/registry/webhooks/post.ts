/**
 * One delivery attempt: POST the stored body to the target with Node's
 * fetch (undici), signed, under a deadline that covers connecting, sending
 * and reading the answer, without following redirects, reading at most
 * `MAX_RESPONSE_BYTES` of the answer (kept, escaped, for inspection).
 */
import { createHmac } from 'node:crypto';
import { errorMessage } from '../../core/index.js';

/** Bytes of a receiver's answer read for the delivery record. */
export const MAX_RESPONSE_BYTES = 4096;
/** Characters of an answer or an error kept in `lastError`. */
const MAX_ERROR = 512;

export interface Attempt {
  readonly url: string;
  readonly secret: string;
  readonly body: string;
  readonly eventType: string;
  readonly deliveryId: string;
  readonly timeoutMs: number;
}

export interface AttemptResult {
  readonly ok: boolean;
  /** HTTP status, when an answer arrived. */
  readonly status?: number;
  readonly error?: string;
}

/** `sha256=HEX`: HMAC-SHA256 of the exact body bytes with the target's secret. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]/g, ' ');
  return clean.length > MAX_ERROR ? `${clean.slice(0, MAX_ERROR)}…` : clean;
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_RESPONSE_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(parts).subarray(0, MAX_RESPONSE_BYTES).toString('utf8');
}

export async function post(a: Attempt): Promise<AttemptResult> {
  const signal = AbortSignal.timeout(a.timeoutMs);
  try {
    const res = await fetch(a.url, {
      method: 'POST',
      body: a.body,
      redirect: 'manual',
      signal,
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'mamori-webhook',
        'X-Mamori-Event': a.eventType,
        'X-Mamori-Delivery': a.deliveryId,
        'X-Mamori-Signature': signature(a.secret, a.body),
      },
    });
    const text = await readCapped(res);
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    const why = res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : '';
    return { ok: false, status: res.status, error: printable(`HTTP ${res.status}${why}: ${text}`) };
  } catch (e) {
    if (signal.aborted) return { ok: false, error: `no answer within ${a.timeoutMs} ms` };
    const cause = e instanceof Error && e.cause !== undefined ? `: ${errorMessage(e.cause)}` : '';
    return { ok: false, error: printable(`${errorMessage(e)}${cause}`) };
  }
}
