const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** The longest duration accepted anywhere in the configuration: 366 days. */
export const MAX_DURATION_MS = 366 * 86_400_000;

const PART_RE = /([0-9]{1,9})(ms|s|m|h|d)/y;

/**
 * Parses a duration such as `30s`, `5m`, `24h`, `1h30m`, `500ms` or `7d`
 * into milliseconds; `0` alone is zero. Returns undefined for anything else
 * (no sign, no fraction, no spaces, at most 32 characters, at most
 * {@link MAX_DURATION_MS}).
 */
export function parseDuration(text: string): number | undefined {
  if (text.length === 0 || text.length > 32) return undefined;
  if (text === '0') return 0;
  let total = 0;
  let at = 0;
  let lastUnit = Infinity;
  while (at < text.length) {
    PART_RE.lastIndex = at;
    const m = PART_RE.exec(text);
    if (!m || m[1] === undefined || m[2] === undefined) return undefined;
    const unit = UNIT_MS[m[2]] ?? 0;
    // Units must go from largest to smallest, each at most once: "1h30m", not "30m1h".
    if (unit >= lastUnit) return undefined;
    lastUnit = unit;
    total += Number(m[1]) * unit;
    at = PART_RE.lastIndex;
  }
  return total <= MAX_DURATION_MS ? total : undefined;
}

/** Writes milliseconds back as a duration string parseDuration reads, in hours at most (`90000` → `1m30s`, a day → `24h`). */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) return String(ms);
  if (ms === 0) return '0';
  let rest = ms;
  let out = '';
  for (const unit of ['h', 'm', 's', 'ms']) {
    const size = UNIT_MS[unit] ?? 1;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
