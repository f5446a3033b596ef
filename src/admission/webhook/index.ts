/** The validating and mutating admission webhooks: AdmissionReview in, decision out, within a time budget. */
export { createMutatingWebhookHandler, createWebhookHandler, WEBHOOK_OUTCOMES } from './handler.js';
export type { FailurePolicy, WebhookOptions, WebhookOutcome, WebhookReply } from './handler.js';
