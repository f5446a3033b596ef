/**
 * Which programs are package managers, network tools and account tools,
 * and what their arguments mean (installing vs. querying, `-e` to run a
 * program on a connection). Pure functions over invocations.
 */
import { SYSTEM_BIN_DIRS } from '../../core/index.js';
import { SHELLS, shortCluster, subcommand } from './names.js';
import type { Invocation } from './types.js';

export { SYSTEM_BIN_DIRS };

/** Whether an absolute path names a file directly in a system binary directory. */
export function inSystemBin(path: string): boolean {
  const i = path.lastIndexOf('/');
  return i > 0 && SYSTEM_BIN_DIRS.includes(path.slice(0, i));
}

const set = (...xs: string[]): ReadonlySet<string> => new Set(xs);
const APT = set(
  'install',
  'reinstall',
  'remove',
  'purge',
  'autoremove',
  'upgrade',
  'dist-upgrade',
  'full-upgrade',
  'update',
  'build-dep',
);
const APK = set('add', 'del', 'upgrade', 'update', 'fix');
const YUM = set(
  'install',
  'in',
  'reinstall',
  'localinstall',
  'groupinstall',
  'remove',
  'rm',
  'erase',
  'autoremove',
  'update',
  'up',
  'upgrade',
  'downgrade',
  'distro-sync',
  'dup',
  'dist-upgrade',
  'patch',
);
const DPKG_LONG = set('--install', '--remove', '--purge', '--unpack', '--configure');
const RPM_LONG = set('--install', '--upgrade', '--freshen', '--erase', '--reinstall');
const PIP = set('install');
const NPM = set('install', 'i', 'in', 'isntall', 'add', 'ci', 'install-ci-test', 'update', 'up', 'upgrade');
const YARN = set('add', 'install', 'upgrade', 'up');
const GEM = set('install', 'update');

const withoutGlobal = (args: readonly string[]): readonly string[] =>
  args[0] === 'global' ? args.slice(1) : args;

type ActionOf = (args: readonly string[]) => string | undefined;
const MANAGERS: ReadonlyMap<string, ActionOf> = new Map<string, ActionOf>([
  ...['apt', 'apt-get', 'aptitude'].map((n): [string, ActionOf] => [n, (a) => subcommand(a, APT)]),
  ['dpkg', (a) => a.find((x) => DPKG_LONG.has(x.split('=')[0] ?? '') || shortCluster(x, 'irP'))],
  ['apk', (a) => subcommand(a, APK)],
  ...['yum', 'dnf', 'microdnf', 'tdnf', 'zypper'].map((n): [string, ActionOf] => [
    n,
    (a) => subcommand(a, YUM),
  ]),
  ['rpm', (a) => a.find((x) => RPM_LONG.has(x) || (/^-[iUFe]/.test(x) && !x.startsWith('--')))],
  ['npm', (a) => subcommand(a, NPM)],
  ['yarn', (a) => subcommand(withoutGlobal(a), YARN)],
  ['pnpm', (a) => subcommand(withoutGlobal(a), NPM)],
  ['gem', (a) => subcommand(a, GEM)],
]);
const PIP_NAME = /^pip[0-9.]*$/;

/** Whether a program name is a package manager's (whatever it is asked to do). */
export function isPackageManager(name: string): boolean {
  return MANAGERS.has(name) || PIP_NAME.test(name);
}

/** The package manager and the changing action (install, remove, update…) an exec runs, if any. */
export function packageAction(invs: readonly Invocation[]): { manager: string; action: string } | undefined {
  for (const inv of invs) {
    const of = PIP_NAME.test(inv.name)
      ? (a: readonly string[]) => subcommand(a, PIP)
      : MANAGERS.get(inv.name);
    const action = of?.(inv.args);
    if (action !== undefined) return { manager: inv.name, action };
  }
  return undefined;
}

/** Whether one of the processes is a package manager run from a system binary directory. */
export function byPackageManager(processes: readonly (readonly Invocation[])[]): boolean {
  return processes.some((invs) => invs.some((inv) => isPackageManager(inv.name) && inSystemBin(inv.path)));
}

export const NETCATS = set('nc', 'ncat', 'netcat', 'nc.openbsd', 'nc.traditional', 'socat');
export const SCANNERS = set('nmap', 'masscan', 'zmap', 'rustscan', 'hping', 'hping3', 'nping', 'unicornscan');

/** The argument that makes netcat or socat run a program on the connection (`-e /bin/sh`, `EXEC:…`). */
export function execArgument(inv: Invocation): string | undefined {
  if (inv.name === 'socat') return inv.args.find((a) => /^(?:exec|system):/i.test(a));
  return inv.args.find(
    (a) =>
      a === '-e' ||
      a === '-c' ||
      a.startsWith('--exec') ||
      a.startsWith('--sh-exec') ||
      a.startsWith('--lua-exec') ||
      (/^-[a-zA-Z]+$/.test(a) && /[ec]$/.test(a)),
  );
}

/** Inline-code options of script interpreters (`python -c`, `perl -e`, `node -e`, `php -r`). */
const INLINE: ReadonlyMap<RegExp, ReadonlySet<string>> = new Map([
  [/^python[0-9.]*$/, set('-c')],
  [/^perl[0-9.]*$/, set('-e', '-E')],
  [/^ruby[0-9.]*$/, set('-e')],
  [/^php[0-9.]*$/, set('-r')],
  [/^(?:node|nodejs)$/, set('-e', '--eval', '-p', '--print')],
  [/^lua[0-9.]*$/, set('-e')],
]);

/** The interpreter running inline code, with the option used, if any. */
export function inlineCode(invs: readonly Invocation[]): { name: string; option: string } | undefined {
  for (const inv of invs) {
    for (const [re, opts] of INLINE) {
      if (!re.test(inv.name)) continue;
      const option = inv.args.find((a) => opts.has(a));
      if (option !== undefined) return { name: inv.name, option };
    }
  }
  return undefined;
}

/** Whether a netcat invocation is a `-z` reachability check of single ports (wait-for scripts). */
export function isPortCheck(inv: Invocation): boolean {
  return (
    inv.name !== 'socat' &&
    inv.args.some((a) => shortCluster(a, 'z')) &&
    execArgument(inv) === undefined &&
    !inv.args.some((a) => /^[0-9]+[-,][0-9]/.test(a))
  );
}

/** Tools that maintain accounts and passwords (they read and write /etc/shadow). */
export const ACCOUNT_TOOLS = set(
  'useradd',
  'usermod',
  'userdel',
  'groupadd',
  'groupmod',
  'groupdel',
  'adduser',
  'deluser',
  'addgroup',
  'delgroup',
  'chpasswd',
  'chgpasswd',
  'passwd',
  'chage',
  'newusers',
  'pwconv',
  'grpconv',
  'pwck',
  'grpck',
);

/** Script interpreters: their arguments name scripts, modules and inline code. */
const INTERPRETERS = /^(?:node|nodejs|python[0-9.]*|ruby[0-9.]*|perl[0-9.]*|php[0-9.]*|lua[0-9.]*)$/;

/**
 * Whether a built-in rule may read the arguments of an exec going by these
 * names beyond argv[0]: shells (`/dev/tcp` redirections), interpreters
 * (inline code, scripts, `-m`), busybox (applets), package managers
 * (subcommands), netcat and socat (`-e`, `-z`), scanners. For any other
 * program the built-in rules look at the names alone, so exec compaction
 * may take its repeats with other arguments for the same (see
 * Detector.repeatable); a test holds the rules to this.
 */
export function readsArguments(invs: readonly Invocation[]): boolean {
  return invs.some(
    (inv) =>
      SHELLS.has(inv.name) ||
      INTERPRETERS.test(inv.name) ||
      inv.name === 'busybox' ||
      isPackageManager(inv.name) ||
      NETCATS.has(inv.name) ||
      SCANNERS.has(inv.name),
  );
}
