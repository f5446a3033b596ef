/**
 * mamori's admission webhook as Kubernetes sees it: the TLS certificates the
 * API server trusts, the webhook configurations that route requests to
 * `mamori server`, and source positions of manifest fields for reports.
 */
export { createWebhookCertificates, ipBytes, MAX_DAYS, renewServingCertificate } from './certs.js';
export type { CertificateOptions, ExistingCa, WebhookCertificates } from './certs.js';
export { CERTIFICATE_FILES, writeCertificateFiles } from './files.js';
export type { CertificateFile } from './files.js';
export { MAX_CA_BUNDLE, parseCaBundle } from './bundle.js';
export type { CaBundle } from './bundle.js';
export {
  ALWAYS_EXCLUDED_NAMESPACES,
  DEFAULT_SERVICE_PORT,
  DEFAULT_TIMEOUT_SECONDS,
  MUTATE_PATH,
  MUTATING_WEBHOOK_NAME,
  VALIDATE_PATH,
  VALIDATING_WEBHOOK_NAME,
  renderWebhookManifests,
  webhookConfigurations,
  webhookRules,
  webhookUrl,
} from './webhooks.js';
export type { FailurePolicy, WebhookManifestOptions, WebhookTarget } from './webhooks.js';
export { checkNamespace, checkServiceName, isDnsName, serviceDnsNames, splitNames } from './names.js';
export type { SubjectNames } from './names.js';
export { manifestLocator, parseFieldPath } from './positions.js';
export type { ManifestLocator, SourcePosition } from './positions.js';
