/** Package-manager invocations found in RUN commands, read with each manager's own option syntax. */
import { hasFlag, parseArgs } from '../commands.js';
import type { CommandView, ParsedArgs } from '../commands.js';
import type { RunInfo } from '../context.js';
import type { Instruction } from '../model.js';
import type { ShellWord } from '../shell.js';

export interface PmCall {
  readonly view: CommandView;
  /** Sub-command (`install`, `add`, `clean` …). */
  readonly sub: string;
  readonly parsed: ParsedArgs;
  /** Positional arguments after the sub-command: the packages for an install. */
  readonly operands: readonly ShellWord[];
}

export type Manager = 'apt' | 'apk' | 'dnf' | 'pip' | 'npm';

const VALUED: Record<Manager, ReadonlySet<string>> = {
  apt: new Set(['o', 't', 'c', 'option', 'target-release', 'config-file', 'default-release']),
  apk: new Set([
    't',
    'virtual',
    'X',
    'repository',
    'p',
    'root',
    'arch',
    'cache-dir',
    'keys-dir',
    'repositories-file',
  ]),
  dnf: new Set([
    'setopt',
    'enablerepo',
    'disablerepo',
    'repo',
    'repoid',
    'installroot',
    'releasever',
    'x',
    'exclude',
    'c',
    'config',
    'forcearch',
    'd',
    'e',
    'R',
  ]),
  pip: new Set([
    'abi',
    'b',
    'build',
    'c',
    'constraint',
    'e',
    'editable',
    'extra-index-url',
    'f',
    'find-links',
    'i',
    'index-url',
    'implementation',
    'no-binary',
    'only-binary',
    'platform',
    'prefix',
    'progress-bar',
    'proxy',
    'python',
    'python-version',
    'r',
    'requirement',
    'root',
    'root-user-action',
    'src',
    't',
    'target',
    'trusted-host',
    'upgrade-strategy',
    'cache-dir',
    'log',
    'report',
  ]),
  npm: new Set([
    'prefix',
    'registry',
    'cache',
    'userconfig',
    'w',
    'workspace',
    'omit',
    'include',
    'install-strategy',
    'location',
  ]),
};

function managerOf(view: CommandView): { manager: Manager; args: readonly ShellWord[] } | undefined {
  const n = view.name;
  if (n === 'apt-get' || n === 'apt' || n === 'aptitude') return { manager: 'apt', args: view.args };
  if (n === 'apk') return { manager: 'apk', args: view.args };
  if (n === 'dnf' || n === 'yum' || n === 'microdnf' || n === 'dnf5' || n === 'tdnf')
    return { manager: 'dnf', args: view.args };
  if (n === 'npm') return { manager: 'npm', args: view.args };
  if (/^pip[0-9.]{0,8}$/.test(n)) return { manager: 'pip', args: view.args };
  if (/^python[0-9.]{0,8}$/.test(n)) {
    const m = view.args.findIndex((a) => a.text === '-m');
    const mod = view.args[m + 1]?.text;
    if (m >= 0 && mod !== undefined && /^pip[0-9.]{0,8}$/.test(mod))
      return { manager: 'pip', args: view.args.slice(m + 2) };
  }
  return undefined;
}

/** Calls of `manager` in a RUN, in execution order. */
export function calls(run: RunInfo, manager: Manager): PmCall[] {
  const out: PmCall[] = [];
  for (const view of run.commands) {
    const m = managerOf(view);
    if (m === undefined || m.manager !== manager) continue;
    const parsed = parseArgs(m.args, VALUED[manager]);
    const [first, ...rest] = parsed.positionals;
    out.push({ view, sub: first?.text ?? '', parsed, operands: rest });
  }
  return out;
}

export function has(call: PmCall, ...names: string[]): boolean {
  return hasFlag(call.parsed, ...names);
}

/** Cache or tmpfs mounts of a RUN (`--mount=type=cache,target=…`): their targets. */
export function cacheMounts(run: Instruction): string[] {
  const out: string[] = [];
  for (const f of run.flags) {
    if (f.name !== 'mount' || f.value === null) continue;
    const kv = new Map<string, string>();
    for (const part of f.value.split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) kv.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
    }
    const type = kv.get('type');
    const target = kv.get('target') ?? kv.get('dst') ?? kv.get('destination');
    if ((type === 'cache' || type === 'tmpfs') && target !== undefined) out.push(target);
  }
  return out;
}

/** Whether a RUN removes a path under `prefix` with `rm -r` after command number `after`. */
export function removesAfter(run: RunInfo, after: number, prefixes: readonly string[]): boolean {
  return run.commands.some(
    (v) =>
      v.order > after &&
      v.name === 'rm' &&
      v.args.some((a) => /^-[a-zA-Z]*[rR]/.test(a.text) || a.text === '--recursive') &&
      v.args.some((a) => prefixes.some((p) => a.text.startsWith(p))),
  );
}

export function names(words: readonly ShellWord[], max = 6): string {
  const shown = words.slice(0, max).map((w) => w.text);
  return words.length > max ? `${shown.join(', ')} and ${words.length - max} more` : shown.join(', ');
}
