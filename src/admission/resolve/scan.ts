/** A mamori scan summary (the registry's `ScanSummary`, or its JSON from `/api/v1`) as image facts. */
import type { ScanFacts } from './resolver.js';

const STATUSES = ['scanned', 'unscanned', 'queued', 'running', 'failed'] as const;

function countsOf(v: unknown, into: Record<string, number>): void {
  if (typeof v !== 'object' || v === null) return;
  for (const [sev, n] of Object.entries(v)) {
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) continue;
    const k = sev.toLowerCase();
    into[k] = (into[k] ?? 0) + n;
  }
}

/**
 * Status and counts per severity over every kind of finding (vulnerabilities,
 * secrets, misconfigurations). Anything unreadable is `failed`.
 */
export function scanFactsOf(summary: unknown): ScanFacts {
  if (typeof summary !== 'object' || summary === null) return { status: 'failed' };
  const s = summary as Record<string, unknown>;
  const status = STATUSES.find((x) => x === s.status);
  if (status === undefined) return { status: 'failed' };
  if (status !== 'scanned') return { status };
  const counts: Record<string, number> = {};
  countsOf(s.vulnerabilities, counts);
  countsOf(s.secrets, counts);
  countsOf(s.misconfigurations, counts);
  return { status, vulnerabilitiesScanned: s.vulnerabilitiesScanned === true, counts };
}
