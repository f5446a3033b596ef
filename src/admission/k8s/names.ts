/**
 * Names the webhook's certificates and configurations carry: Kubernetes
 * object names (DNS-1123 / DNS-1035 labels), DNS names and IP addresses for
 * certificate SANs. Each check names the flag or field that was wrong.
 */
import { isIP } from 'node:net';
import { MamoriError } from '../../core/index.js';

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_1035 = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_LABEL = /^(?:\*|[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)$/;
const MAX_EXTRA_NAMES = 100;

function show(v: string): string {
  return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
}

/** A Service name (DNS-1035 label: lower-case letters, digits and `-`, starting with a letter, at most 63). */
export function checkServiceName(v: string, what = '--service'): string {
  if (!LABEL_1035.test(v))
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `${what}: ${show(v)} is not a Service name (lower-case letters, digits and "-", starting with a letter, at most 63 characters)`,
    );
  return v;
}

/** A namespace name (DNS-1123 label). */
export function checkNamespace(v: string, what = '--namespace'): string {
  if (!LABEL.test(v))
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `${what}: ${show(v)} is not a namespace name (lower-case letters, digits and "-", at most 63 characters)`,
    );
  return v;
}

/** A DNS name for a certificate (RFC 1123, lower case, a leading `*.` label allowed). */
export function isDnsName(v: string): boolean {
  if (v.length === 0 || v.length > 253) return false;
  const labels = v.split('.');
  return labels.every((l, i) => DNS_LABEL.test(l) && (l !== '*' || (i === 0 && labels.length > 2)));
}

export interface SubjectNames {
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
}

/**
 * Splits extra names into DNS names (lower-cased) and IP addresses, dropping
 * duplicates; throws on a value that is neither.
 */
export function splitNames(values: readonly string[], what = '--dns'): SubjectNames {
  if (values.length > MAX_EXTRA_NAMES)
    throw new MamoriError('LIMIT_EXCEEDED', `${what}: more than ${MAX_EXTRA_NAMES} names`);
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const raw of values) {
    const v = raw.trim();
    const ip = v.startsWith('[') && v.endsWith(']') ? v.slice(1, -1) : v;
    if (isIP(ip) !== 0 && !ip.includes('%')) {
      if (!ipAddresses.includes(ip)) ipAddresses.push(ip);
    } else if (isDnsName(v.toLowerCase())) {
      if (!dnsNames.includes(v.toLowerCase())) dnsNames.push(v.toLowerCase());
    } else {
      throw new MamoriError(
        'INVALID_ARGUMENT',
        `${what}: ${show(raw)} is neither a DNS name nor an IP address`,
      );
    }
  }
  return { dnsNames, ipAddresses };
}

/** The names a Service is reached by from inside the cluster, most specific first. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  checkServiceName(service);
  checkNamespace(namespace);
  return [
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
    `${service}.${namespace}`,
    service,
  ];
}
