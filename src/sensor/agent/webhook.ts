/**
 * Alerts and drop summaries POSTed as JSON to a webhook, signed the way the
 * registry signs its webhooks (`X-Mamori-Signature: sha256=HMAC-SHA256 of
 * the body`), with `X-Mamori-Event: sensor.alert|sensor.drop` and a
 * `X-Mamori-Delivery` id for deduplication. One request at a time from a
 * bounded queue, retried (3 attempts, backoff) on errors and non-2xx
 * answers; redirects are never followed. What cannot be delivered is
 * counted (`onDrop`).
 */
import { randomUUID } from 'node:crypto';
import { MamoriError } from '../../core/errors.js';
import { checkTargetUrl, signature } from '../../registry/webhooks/index.js';
import type { StreamRecord } from './types.js';

export interface WebhookSenderOptions {
  readonly url: string;
  readonly secret: string;
  /** Default 1000. */
  readonly maxQueued?: number;
  /** Per attempt; default 5 s. */
  readonly timeoutMs?: number;
  /** Default 3. */
  readonly attempts?: number;
  readonly onDrop?: (count: number) => void;
  readonly onError?: (e: MamoriError) => void;
}

export interface WebhookSender {
  send(record: StreamRecord): void;
  /** Delivers what is queued (at most `timeoutMs`, default 5 s), then stops. */
  close(timeoutMs?: number): Promise<void>;
}

const MAX_BODY = 256 * 1024;

export function createWebhookSender(o: WebhookSenderOptions): WebhookSender {
  const url = checkTargetUrl(o.url);
  if (o.secret.length === 0) throw new MamoriError('INVALID_ARGUMENT', 'the webhook secret is empty');
  const max = o.maxQueued ?? 1000;
  const attempts = o.attempts ?? 3;
  const timeoutMs = o.timeoutMs ?? 5000;
  const queue: { body: string; type: string; id: string }[] = [];
  let running: Promise<void> | undefined;
  let closed = false;
  const abort = new AbortController();

  const attempt = async (d: { body: string; type: string; id: string }): Promise<boolean> => {
    try {
      const res = await fetch(url, {
        method: 'POST',
        body: d.body,
        redirect: 'manual',
        signal: AbortSignal.any([abort.signal, AbortSignal.timeout(timeoutMs)]),
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'mamori-sensor',
          'X-Mamori-Event': d.type,
          'X-Mamori-Delivery': d.id,
          'X-Mamori-Signature': signature(o.secret, d.body),
        },
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) return true;
      o.onError?.(new MamoriError('NETWORK', `webhook ${url}: HTTP ${res.status}`));
    } catch (e) {
      o.onError?.(new MamoriError('NETWORK', `webhook ${url}: ${(e as Error).message}`, { cause: e }));
    }
    return false;
  };

  const run = async (): Promise<void> => {
    while (queue.length > 0 && !abort.signal.aborted) {
      const d = queue.shift()!;
      let ok = false;
      for (let i = 0; i < attempts && !ok && !abort.signal.aborted; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 200 * 4 ** (i - 1)).unref());
        ok = await attempt(d);
      }
      if (!ok) o.onDrop?.(1);
    }
  };
  const kick = (): void => {
    if (running) return;
    running = run().finally(() => {
      running = undefined;
      if (queue.length > 0 && !abort.signal.aborted) kick();
    });
  };

  return {
    send(record) {
      if (closed) return;
      const body = JSON.stringify(record);
      if (queue.length >= max || body.length > MAX_BODY) return o.onDrop?.(1);
      queue.push({
        body,
        type: `sensor.${record.kind === 'alert' ? 'alert' : record.kind === 'drop' ? 'drop' : 'event'}`,
        id: randomUUID(),
      });
      kick();
    },
    async close(ms = 5000) {
      if (closed) return;
      closed = true;
      const timer = setTimeout(() => abort.abort(), ms);
      while (running) await running;
      clearTimeout(timer);
      o.onDrop?.(queue.length);
      queue.length = 0;
    },
  };
}
