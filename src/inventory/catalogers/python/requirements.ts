/**
 * requirements.txt (pip's requirements file format). Only exact pins
 * (`==` or `===`) name a version, so only those become packages; ranges,
 * URLs, editable installs and option lines are dropped. Handles comments,
 * `\` line continuations, extras, environment markers and `--hash` options.
 * `-r other.txt` is not followed: that file is read on its own when selected.
 */
import { isValidName, lines } from './common.js';
import type { PythonLockEntry } from './lock-types.js';

/** Logical lines: continuations joined, comments removed. */
function logicalLines(text: string): string[] {
  const out: string[] = [];
  let acc = '';
  for (const raw of lines(text)) {
    const line = raw.replace(/(^|\s)#.*$/, '');
    if (line.endsWith('\\')) {
      acc += `${line.slice(0, -1)} `;
      continue;
    }
    out.push(acc + line);
    acc = '';
  }
  if (acc !== '') out.push(acc);
  return out;
}

const REQ_RE = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]{0,1024}\])?\s*(===?)\s*([^\s,;=<>!~*]+)$/;
const HASH_RE = /--hash[=\s]\s*([A-Za-z0-9]+:[A-Za-z0-9+/=_-]+)/g;

/** One logical line → a pinned requirement, or undefined. */
export function parseRequirementLine(line: string): PythonLockEntry | undefined {
  const text = line.trim();
  if (text === '' || text.startsWith('-')) return undefined;
  // Options (--hash, --global-option, …) follow the requirement.
  const opt = /\s--?[A-Za-z]/.exec(text);
  const req = (opt === null ? text : text.slice(0, opt.index)).split(';')[0]?.trim() ?? '';
  const m = REQ_RE.exec(req);
  if (m === null || m[1] === undefined || m[3] === undefined || !isValidName(m[1])) return undefined;
  const hashes = opt === null ? [] : [...text.slice(opt.index).matchAll(HASH_RE)].map((h) => h[1] ?? '');
  return { name: m[1], version: m[3], ...(hashes.length > 0 ? { hashes } : {}) };
}

/** Parses a requirements file. Never throws: unpinned or malformed lines are dropped. */
export function parseRequirements(text: string): PythonLockEntry[] {
  const out: PythonLockEntry[] = [];
  for (const l of logicalLines(text)) {
    const e = parseRequirementLine(l);
    if (e !== undefined) out.push(e);
  }
  return out;
}
