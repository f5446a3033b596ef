/**
 * The installed-file lists of a distribution: dist-info RECORD (CSV of
 * path,hash,size with paths relative to site-packages) and egg-info
 * installed-files.txt (one path a line, relative to the egg-info directory).
 * Paths become absolute and normalised, never climbing above `/`.
 */
import { posix } from 'node:path';
import { lines } from './common.js';

/** Most paths kept from one list (large distributions install ~20 000 files). */
const MAX_FILES = 200_000;

/** First CSV field of a RECORD row, honouring quotes (`"a,b.py",sha256=…,12`). */
function firstCsvField(row: string): string {
  if (!row.startsWith('"')) {
    const comma = row.indexOf(',');
    return comma === -1 ? row : row.slice(0, comma);
  }
  let out = '';
  for (let i = 1; i < row.length; i++) {
    const c = row[i];
    if (c === '"') {
      if (row[i + 1] === '"') {
        out += '"';
        i++;
        continue;
      }
      return out;
    }
    out += c;
  }
  return out;
}

function absolute(base: string, rel: string): string {
  return posix.resolve('/', base, rel);
}

function collect(text: string, base: string, field: (line: string) => string): string[] {
  const out = new Set<string>();
  for (const line of lines(text)) {
    if (out.size >= MAX_FILES) break;
    const p = field(line).trim();
    if (p === '' || p.includes('\0')) continue;
    out.add(absolute(base, p));
  }
  return [...out];
}

/** Absolute paths listed by a RECORD file whose distribution lives in `sitePackages`. */
export function parseRecord(text: string, sitePackages: string): string[] {
  return collect(text, sitePackages, firstCsvField);
}

/** Absolute paths listed by installed-files.txt in the egg-info directory `eggInfoDir`. */
export function parseInstalledFiles(text: string, eggInfoDir: string): string[] {
  return collect(text, eggInfoDir, (l) => l);
}
