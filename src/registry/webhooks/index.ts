/**
 * Registry webhooks: project administrators register targets (an http(s)
 * URL, a secret, the event types wanted); the registry `emit`s events;
 * deliveries are queued in the registry's database (`webhooks.` tables)
 * and POSTed by a worker, signed with `X-Mamori-Signature: sha256=HEX`
 * (HMAC-SHA256 of the exact body with the target's secret), retried with
 * exponential backoff, kept for inspection. At-least-once: receivers
 * deduplicate on `X-Mamori-Delivery`.
 *
 * Security: a target makes the registry send requests to an address of
 * the administrator's choosing (SSRF). Only project administrators may
 * manage targets (the caller enforces it), URLs are http/https without
 * credentials, and redirects are never followed.
 *
 *   const hooks = await openWebhooks(state);
 *   const { id, secret } = await hooks.createTarget({ project: 'lib', url: 'https://ci.example/hook', events: ['push'] });
 *   hooks.start();
 *   await hooks.emit({ type: 'push', project: 'lib', repository: 'lib/app', tag: 'v1', digest });
 *   await hooks.stop();
 */
export { openWebhooks, Webhooks } from './webhooks.js';
export type { WebhookBackoff, WebhooksOptions } from './webhooks.js';
export type { NewWebhookTarget, TargetWithSecret, WebhookTarget, WebhookTargetPatch } from './targets.js';
export { DELIVERY_STATUSES } from './queue.js';
export type { Delivery, DeliveryQuery, DeliveryStatus } from './queue.js';
export { EVENT_TYPE_PATTERN, WEBHOOK_LIMITS, checkTargetUrl } from './validate.js';
export type { WebhookEvent } from './validate.js';
export { MAX_RESPONSE_BYTES, signature } from './post.js';
