import { readFileSync } from 'node:fs';

/**
 * mamori's own version, read from its package.json (two levels above this
 * file both in `src/report/` and in `dist/report/`). Falls back to `0.0.0`
 * when the file cannot be read, so a renderer never fails for it.
 */
export function mamoriVersion(): string {
  const v = packageField('version');
  return typeof v === 'string' ? v : '0.0.0';
}

/** mamori's `homepage` from its package.json, when it has one. */
export function mamoriHomepage(): string | undefined {
  const v = packageField('homepage');
  return typeof v === 'string' && /^https?:\/\//.test(v) ? v : undefined;
}

function packageField(name: string): unknown {
  try {
    const raw: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    if (typeof raw === 'object' && raw !== null) return (raw as Record<string, unknown>)[name];
  } catch {
    // fall through
  }
  return undefined;
}
