/**
 * Finding the program a container starts the way the runtime does: a name
 * with a slash is a path (relative to WorkingDir), a bare name is searched in
 * PATH; symlinks are followed inside the image root.
 */
import { parseShell } from '../dockerfile/index.js';
import { basename, shown } from './config.js';
import type { CheckContext } from './context.js';

/** Shell builtins and keywords: a script starting with one runs no program of the image. */
const BUILTINS = new Set(
  (
    ': . [ [[ alias bg break cd command continue echo eval exec exit export false fg getopts hash jobs kill ' +
    'let local printf pwd read readonly return set shift source test times trap true type ulimit umask ' +
    'unalias unset wait if then else elif fi case esac for while until do done function { } !'
  ).split(' '),
);

/** The program a shell-form script starts first: its first command's name, when it is a plain word. */
export function scriptCommand(script: string): string | undefined {
  const first = parseShell(script.slice(0, 4096)).find((c) => c.depth === 0 && c.words.length > 0);
  if (!first) return undefined;
  let i = 0;
  const words = first.words;
  while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]?.text ?? '')) i++;
  if (words[i]?.text === 'exec') i++;
  const w = words[i];
  if (!w || w.quoted || /[$`*?[\]{}~]/.test(w.text) || BUILTINS.has(w.text)) return undefined;
  return w.text;
}

export interface Resolved {
  /** The file that runs. */
  readonly path?: string;
  readonly layer?: number;
  /** Why it cannot run; undefined when it can. */
  readonly problem?: string;
}

function normalize(path: string): string {
  const out: string[] = [];
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return '/' + out.join('/');
}

/** Looks at one candidate path: a regular file with an execute bit whose loader is present. */
function candidate(ctx: CheckContext, path: string): Resolved {
  const real = ctx.view.resolve(path);
  const e = real === undefined ? undefined : ctx.view.get(real);
  if (!e || real === undefined) return { problem: `${shown(path)} is not in the image` };
  if (e.rec.k === 'd') return { path: real, layer: e.layer, problem: `${shown(real)} is a directory` };
  if (e.rec.k !== 'f' && e.rec.k !== 'h') {
    return { path: real, layer: e.layer, problem: `${shown(real)} is not a regular file` };
  }
  if ((e.rec.m & 0o111) === 0) {
    const mode = (e.rec.m & 0o7777).toString(8).padStart(4, '0');
    return { path: real, layer: e.layer, problem: `${shown(real)} is not executable (mode ${mode})` };
  }
  const interp = ctx.elf.get(real)?.interpreter;
  if (interp !== undefined) {
    const li = ctx.view.resolve(interp);
    const loader = li === undefined ? undefined : ctx.view.get(li);
    if (!loader || (loader.rec.k !== 'f' && loader.rec.k !== 'h')) {
      return {
        path: real,
        layer: e.layer,
        problem: `${shown(real)} is dynamically linked and needs the loader ${shown(interp)}, which the image lacks`,
      };
    }
  }
  return { path: real, layer: e.layer };
}

/** Resolves a command as the runtime would; `problem` says why it cannot run. */
export function resolveCommand(ctx: CheckContext, name: string): Resolved {
  const cfg = ctx.config;
  if (name.includes('/')) {
    const abs = name.startsWith('/') ? name : `${cfg?.workingDir ?? '/'}/${name}`;
    return candidate(ctx, normalize(abs));
  }
  const dirs = cfg?.path ?? [];
  let first: Resolved | undefined;
  for (const d of dirs) {
    const r = candidate(ctx, normalize(`${d}/${name}`));
    if (r.problem === undefined) return r;
    if (r.path !== undefined) first ??= r;
  }
  return first ?? { problem: `no ${shown(basename(name))} in PATH (${shown(dirs.join(':'), 200)})` };
}
