/** The validating admission webhook: AdmissionReview in, decision out, within a time budget. */
export { createWebhookHandler } from './handler.js';
export type { FailurePolicy, WebhookOptions, WebhookReply } from './handler.js';
