/** The validating and mutating admission webhooks: AdmissionReview in, decision out, within a time budget. */
export { createMutatingWebhookHandler, createWebhookHandler } from './handler.js';
export type { FailurePolicy, WebhookOptions, WebhookReply } from './handler.js';
