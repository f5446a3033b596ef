/**
 * Naming the program an exec runs. The executable's basename alone misses
 * busybox applets (`/bin/busybox` run as `sh`), interpreted tools
 * (`node /usr/local/bin/npm`, `python3 -m pip`) and login shells (`-bash`), so
 * a detection looks at every name an exec goes by.
 */
import type { Invocation } from './types.js';

export function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? path : path.slice(i + 1);
}

export const SHELLS: ReadonlySet<string> = new Set([
  'sh',
  'bash',
  'dash',
  'ash',
  'zsh',
  'ksh',
  'ksh93',
  'mksh',
  'pdksh',
  'lksh',
  'yash',
  'csh',
  'tcsh',
  'fish',
  'rbash',
]);

/** Programs that run the script named by their first non-option argument. */
const INTERPRETER = /^(?:node|nodejs|python[0-9.]*|ruby[0-9.]*|perl[0-9.]*|php[0-9.]*)$/;
const PYTHON = /^python[0-9.]*$/;
/** Script files of package managers that ship as JavaScript. */
const SCRIPT_ALIASES: ReadonlyMap<string, string> = new Map([
  ['npm-cli.js', 'npm'],
  ['npx-cli.js', 'npx'],
  ['yarn.js', 'yarn'],
  ['yarn.cjs', 'yarn'],
  ['pnpm.cjs', 'pnpm'],
  ['pnpm.js', 'pnpm'],
]);

function named(path: string, args: readonly string[], from = path): Invocation {
  let name = basename(path);
  if (name.startsWith('-')) name = name.slice(1);
  return { name: SCRIPT_ALIASES.get(name) ?? name, args, path: from };
}

/**
 * Every name an exec goes by, without duplicates: the executable's
 * basename, argv[0]'s, a busybox applet's, an interpreted script's and
 * `python -m MODULE`'s.
 */
export function invocations(exe: string, argv: readonly string[]): Invocation[] {
  const rest = argv.slice(1);
  const out: Invocation[] = [named(exe, rest)];
  const argv0 = argv[0];
  if (argv0 !== undefined && argv0 !== '') out.push(named(argv0, rest));
  for (const inv of out.slice()) {
    if (inv.name === 'busybox' && argv[1] !== undefined && !argv[1].startsWith('-')) {
      out.push(named(argv[1], argv.slice(2), exe));
    } else if (INTERPRETER.test(inv.name)) {
      for (let i = 1; i < argv.length; i++) {
        const a = argv[i] ?? '';
        if (PYTHON.test(inv.name) && a === '-m' && argv[i + 1] !== undefined) {
          out.push(named(argv[i + 1] ?? '', argv.slice(i + 2), exe));
          break;
        }
        if (a === '-c' || a === '-e' || a === '-E' || a === '-r' || a === '--eval') break;
        if (!a.startsWith('-')) {
          out.push(named(a, argv.slice(i + 1)));
          break;
        }
      }
    }
  }
  return out.filter((inv, i) => inv.name !== '' && out.findIndex((o) => o.name === inv.name) === i);
}

/** The invocation whose name is in `names` (or passes the test), if any. */
export function find(
  invs: readonly Invocation[],
  names: ReadonlySet<string> | ((name: string) => boolean),
): Invocation | undefined {
  return invs.find((inv) => (typeof names === 'function' ? names(inv.name) : names.has(inv.name)));
}

/** Whether a short option cluster (`-ivh`, not `--x`) holds one of the letters. */
export function shortCluster(arg: string, letters: string): boolean {
  if (arg.length < 2 || arg[0] !== '-' || arg[1] === '-') return false;
  for (let i = 1; i < arg.length; i++) if (letters.includes(arg[i] ?? '')) return true;
  return false;
}

/**
 * The subcommand of `tool [options] SUBCOMMAND …`: the first non-option
 * argument, skipping values of preceding options (`apt-get -o X=Y install`)
 * as long as they are not subcommands themselves. Returns the first argument
 * that is in `subcommands`, or undefined once a non-option argument that
 * cannot be an option's value is reached.
 */
export function subcommand(args: readonly string[], subcommands: ReadonlySet<string>): string | undefined {
  let prevTakesValue = false;
  for (const a of args) {
    if (a === '--') return undefined;
    if (a.startsWith('-')) {
      prevTakesValue = !a.includes('=');
      continue;
    }
    if (subcommands.has(a)) return a;
    if (!prevTakesValue) return undefined;
    prevTakesValue = false;
  }
  return undefined;
}
