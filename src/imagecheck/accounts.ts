/**
 * The accounts analyser: reads /etc/passwd, /etc/group and /etc/shadow in
 * the layer walk and keeps the uid and gid names, and the names of accounts
 * without a password. Of /etc/shadow nothing but those names is kept — never
 * a hash, an age or any other field.
 */
import { readAll, type Cataloger } from '../inventory/index.js';
import type { AccountsFact } from './types.js';

export const ACCOUNTS_ANALYZER = 'imagecheck-accounts';

/** Largest account database read; bigger ones are skipped with a warning by the walker. */
export const MAX_ACCOUNTS_FILE_BYTES = 4 * 1024 * 1024;
/** Entries kept per file; the fact says `truncated` beyond. */
export const MAX_ACCOUNT_ENTRIES = 65_536;
/** Largest uid/gid: ids are 32-bit and (uint32)-1 means "no id". */
const MAX_ID = 0xfffffffe;
const MAX_NAME = 64;

const FILES: Readonly<Record<string, AccountsFact['file']>> = {
  '/etc/passwd': 'passwd',
  '/etc/group': 'group',
  '/etc/shadow': 'shadow',
};

/** A name as shown: printable ASCII, `?` for anything else, at most 64 characters. */
function cleanName(raw: string): string | undefined {
  if (raw === '' || raw.startsWith('+') || raw.startsWith('-')) return undefined; // NIS compat lines
  const s = raw.length > MAX_NAME ? raw.slice(0, MAX_NAME) : raw;
  return s.replace(/[^\x21-\x7e]/g, '?');
}

function parseId(raw: string): number | undefined {
  if (!/^[0-9]{1,10}$/.test(raw)) return undefined;
  const n = Number(raw);
  return n <= MAX_ID ? n : undefined;
}

interface Parsed {
  readonly pairs: Array<readonly [string, number]>;
  readonly empty: string[];
  readonly truncated: boolean;
}

/**
 * Splits a colon database into `[name, id]` pairs (`idField` is the id's
 * column) and the names whose password column is empty. Lines that do not
 * fit are dropped; the text may be anything.
 */
export function parseColonFile(text: string, idField: number | undefined): Parsed {
  const pairs: Array<readonly [string, number]> = [];
  const empty: string[] = [];
  let truncated = false;
  let kept = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (line === '' || line.startsWith('#') || line.length > 4096) continue;
    const fields = line.split(':', 8);
    const name = cleanName(fields[0] ?? '');
    if (name === undefined || fields.length < 2) continue;
    if (kept++ >= MAX_ACCOUNT_ENTRIES) {
      truncated = true;
      break;
    }
    if (fields[1] === '') empty.push(name);
    if (idField === undefined) continue;
    const id = parseId(fields[idField] ?? '');
    if (id !== undefined) pairs.push([name, id]);
  }
  return { pairs, empty, truncated };
}

/** Parses one account database's text into its fact. */
export function parseAccounts(file: AccountsFact['file'], text: string): AccountsFact {
  if (file === 'shadow') {
    const p = parseColonFile(text, undefined);
    return { file, emptyPassword: p.empty, ...(p.truncated ? { truncated: true } : {}) };
  }
  if (file === 'group') {
    const p = parseColonFile(text, 2);
    return { file, groups: p.pairs, ...(p.truncated ? { truncated: true } : {}) };
  }
  const p = parseColonFile(text, 2);
  return {
    file,
    users: p.pairs,
    emptyPassword: p.empty,
    ...(p.truncated ? { truncated: true } : {}),
  };
}

export const accountsAnalyzer: Cataloger<AccountsFact> = {
  name: ACCOUNTS_ANALYZER,
  version: 1,
  tags: [],
  maxFileSize: MAX_ACCOUNTS_FILE_BYTES,
  select: (entry) => FILES[entry.path] !== undefined,
  async parse(file) {
    const kind = FILES[file.path];
    if (kind === undefined || file.source.size > MAX_ACCOUNTS_FILE_BYTES) return undefined;
    // latin1 maps every byte to one character: junk stays junk, never a decoding error.
    const text = (await readAll(file.source)).toString('latin1');
    return parseAccounts(kind, text);
  },
  assemble: () => [],
};
