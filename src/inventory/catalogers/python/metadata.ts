/**
 * Core metadata of an installed distribution (dist-info METADATA, egg-info
 * PKG-INFO): RFC 822 style headers, folded continuation lines, up to the
 * first blank line (the description body follows and is ignored).
 */
import { dedupe, isValidName, lines } from './common.js';

export interface CoreMetadata {
  readonly name: string;
  readonly version: string;
  readonly licenses: readonly string[];
  readonly author?: string;
  readonly homePage?: string;
}

/** Longest free-text `License:` value taken as a licence name; longer ones are the licence text itself. */
const MAX_LICENSE_NAME = 128;

/** Header name → values in order (a header may repeat, e.g. Classifier). */
export function parseHeaders(text: string): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  let last: string[] | undefined;
  for (const line of lines(text)) {
    // Only a truly empty line ends the headers: a whitespace-only line continues a folded value.
    if (line === '') break;
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== undefined) {
      const i = last.length - 1;
      last[i] = `${last[i] ?? ''}\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      last = undefined;
      continue;
    }
    const key = line.slice(0, colon).trim().toLowerCase();
    const values = headers.get(key) ?? [];
    values.push(line.slice(colon + 1).trim());
    headers.set(key, values);
    last = values;
  }
  return headers;
}

function first(h: Map<string, string[]>, key: string): string | undefined {
  const v = h.get(key)?.[0]?.trim();
  return v === undefined || v === '' || v.toUpperCase() === 'UNKNOWN' ? undefined : v;
}

/**
 * Licences, in the order of preference Syft and Trivy use: the SPDX
 * `License-Expression`, else a short `License` value, else the last part of
 * each `License ::` trove classifier (`License :: OSI Approved :: MIT License`
 * → `MIT License`).
 */
function licensesOf(h: Map<string, string[]>): string[] {
  const expr = first(h, 'license-expression');
  if (expr !== undefined) return [expr];
  const lic = first(h, 'license');
  if (lic !== undefined && !lic.includes('\n') && lic.length <= MAX_LICENSE_NAME) return [lic];
  const out: string[] = [];
  for (const c of h.get('classifier') ?? []) {
    const parts = c.split('::').map((p) => p.trim());
    if (parts[0] !== 'License' || parts.length < 2) continue;
    const last = parts[parts.length - 1];
    if (last !== undefined && last !== '' && last !== 'OSI Approved') out.push(last);
  }
  return dedupe(out);
}

/** `Project-URL: Homepage, https://…` → the URL. */
function projectHome(h: Map<string, string[]>): string | undefined {
  for (const v of h.get('project-url') ?? []) {
    const comma = v.indexOf(',');
    if (comma === -1) continue;
    const label = v.slice(0, comma).trim().toLowerCase().replace(/[-_ ]/g, '');
    if (label === 'homepage' || label === 'home') return v.slice(comma + 1).trim() || undefined;
  }
  return undefined;
}

/** Parses METADATA / PKG-INFO; undefined when Name or Version is missing or invalid. Never throws. */
export function parseCoreMetadata(text: string): CoreMetadata | undefined {
  const h = parseHeaders(text);
  const name = first(h, 'name');
  const version = first(h, 'version');
  if (name === undefined || version === undefined || !isValidName(name) || version.length > 256)
    return undefined;
  if (/\s/.test(version)) return undefined;
  const author = first(h, 'author') ?? first(h, 'author-email') ?? first(h, 'maintainer');
  const homePage = first(h, 'home-page') ?? projectHome(h);
  return {
    name,
    version,
    licenses: licensesOf(h),
    ...(author !== undefined ? { author: author.replace(/\s*\n\s*/g, ' ') } : {}),
    ...(homePage !== undefined ? { homePage } : {}),
  };
}
