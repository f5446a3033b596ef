/**
 * Name and version from an archive's file name (`spring-core-5.3.9.jar` →
 * `spring-core`, `5.3.9`), with the conventions Syft applies: the version
 * starts at the first `-` followed by a digit, `build<digits>`, or a lone
 * `r<digits>`/`rc<digits>`; failing that, a trailing `_1.2` or `.1.2` is the
 * version. Written as linear scans (no backtracking regular expression) so a
 * hostile name costs time proportional to its length.
 */

export interface ArchiveFileName {
  /** Empty when the name does not look like `name[-version]`. */
  readonly name: string;
  readonly version: string;
}

const ALPHA = /[A-Za-z]/;
const WORD = /[A-Za-z0-9_.]/;
const DIGIT = /[0-9]/;

/**
 * Whether `s.slice(from)` is a version: `\d.*`, `build\d+.*` or `rc?\d+` to the
 * end (`.` excludes a newline). Reads in place: no slicing, no copying.
 */
function isVersion(s: string, from: number, caseInsensitive: boolean, lastNewline: number): boolean {
  if (from >= s.length || lastNewline >= from) return false;
  const at = (i: number): string => (caseInsensitive ? s.charAt(i).toLowerCase() : s.charAt(i));
  if (DIGIT.test(s.charAt(from))) return true;
  if (s.startsWith('build', from) || (caseInsensitive && s.slice(from, from + 5).toLowerCase() === 'build')) {
    return DIGIT.test(s.charAt(from + 5));
  }
  let i = from;
  if (at(i) !== 'r') return false;
  i++;
  if (at(i) === 'c') i++;
  const digitsFrom = i;
  while (i < s.length && DIGIT.test(s.charAt(i))) i++;
  return i > digitsFrom && i === s.length;
}

/**
 * `ok[p]` tells whether `s.slice(0, p)` is a valid name: a letter, then
 * letters, digits, `_`, `.` and `-`, where every `-` but a final one is
 * followed by a letter. Validity only ever ends, so one pass suffices.
 */
function validNamePrefixes(s: string): boolean[] {
  const ok = new Array<boolean>(s.length + 1).fill(false);
  if (!ALPHA.test(s.charAt(0))) return ok;
  ok[1] = true;
  for (let p = 1; p < s.length; p++) {
    const c = s.charAt(p);
    if (!WORD.test(c) && c !== '-') break;
    if (s.charAt(p - 1) === '-' && !ALPHA.test(c)) break;
    ok[p + 1] = true;
  }
  return ok;
}

/** Splits a file name (or a path inside an archive) into package name and version. */
export function parseArchiveFileName(path: string): ArchiveFileName {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  const stem = dot >= 0 ? base.slice(0, dot) : base;
  const ok = validNamePrefixes(stem);
  const stemNewline = stem.lastIndexOf('\n');

  let name = '';
  let version = '';
  for (let p = 1; p < stem.length && ok[p] === true; p++) {
    if (stem.charAt(p) === '-' && isVersion(stem, p + 1, true, stemNewline)) {
      name = stem.slice(0, p);
      version = stem.slice(p + 1);
      break;
    }
  }
  if (name === '' && ok[stem.length] === true) name = stem;
  if (name !== '' && version === '') {
    // Secondary convention: `name_1.2.3` or `name.1.2.3`.
    const nameNewline = name.lastIndexOf('\n');
    for (let i = 0; i < name.length; i++) {
      const c = name.charAt(i);
      if ((c === '.' || c === '_' || c === '-') && isVersion(name, i + 1, false, nameNewline)) {
        version = name.slice(i + 1);
        name = name.slice(0, i);
        break;
      }
    }
  }
  return { name, version };
}
