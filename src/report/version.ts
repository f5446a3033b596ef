import { readFileSync } from 'node:fs';

/**
 * mamori's own version, read from its package.json (two levels above this
 * file both in `src/report/` and in `dist/report/`). Falls back to `0.0.0`
 * when the file cannot be read, so a renderer never fails for it.
 */
export function mamoriVersion(): string {
  try {
    const raw: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    if (typeof raw === 'object' && raw !== null && 'version' in raw && typeof raw.version === 'string') {
      return raw.version;
    }
  } catch {
    // fall through
  }
  return '0.0.0';
}
