/**
 * Gemfile.lock (Bundler). Sections start at column 0 (`GEM`, `GIT`, `PATH`,
 * `PLATFORMS`, …); inside `GEM` and `GIT`, the `specs:` list names each
 * locked gem at four spaces (`    nokogiri (1.13.10-x86_64-linux)`), its own
 * dependencies at six. `PATH` gems are the project's own sources and are
 * not reported.
 */
import { isValidName, isValidVersion, lines, type GemEntry } from './common.js';

const SECTIONS = new Set(['GEM', 'GIT']);
const SPEC_RE = /^ {4}([^\s(]+) \(([^)\s]+)\)$/;

/**
 * `1.13.10-x86_64-linux` → `1.13.10`. A lockfile lists one entry per
 * platform it supports, so the platform says nothing of what is installed
 * and the entries collapse into one package per name and version.
 */
function stripPlatform(v: string): string {
  const dash = v.indexOf('-');
  return dash === -1 ? v : v.slice(0, dash);
}

/** Parses a Gemfile.lock. Never throws: lines that do not fit are ignored. */
export function parseGemfileLock(text: string): GemEntry[] {
  const out: GemEntry[] = [];
  let section = '';
  let inSpecs = false;
  for (const line of lines(text)) {
    if (line === '') continue;
    if (!line.startsWith(' ')) {
      section = line.trim();
      inSpecs = false;
      continue;
    }
    if (/^ {2}\S/.test(line)) {
      inSpecs = line === '  specs:';
      continue;
    }
    if (!inSpecs || !SECTIONS.has(section)) continue;
    const m = SPEC_RE.exec(line);
    if (m?.[1] === undefined || m[2] === undefined) continue;
    const version = stripPlatform(m[2]);
    if (!isValidName(m[1]) || !isValidVersion(version)) continue;
    out.push({ name: m[1], version });
  }
  return out;
}
