/**
 * A concrete way to shrink the image, derived from what its entrypoint
 * needs: a static binary needs no OS packages at all (scratch,
 * distroless/static); one that links only glibc needs distroless/base, one
 * that also links libstdc++ distroless/cc; an interpreter has a distroless
 * image of its own. The numbers come from the inventory: the packages the
 * entrypoint's libraries belong to are kept, the rest would go.
 */
import type { Package } from '../core/index.js';
import { resolveCommand, scriptCommand } from './command.js';
import { basename, effectiveArgv, shellForm } from './config.js';
import { type CheckContext, ownerOf, packageBytes } from './context.js';
import { listed, mib } from './rules/rule.js';

/** Init wrappers that run the program named after them. */
const WRAPPERS = new Set([
  'tini',
  'tini-static',
  'dumb-init',
  'gosu',
  'su-exec',
  'catatonit',
  'runuser',
  'setpriv',
]);

/** The glibc libraries every distroless base carries. */
const GLIBC =
  /^(?:libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|libresolv\.so\.2|libutil\.so\.1|libanl\.so\.1|ld-linux[-a-z0-9_.]*\.so\.[0-9]+)$/;
/** What distroless/base adds to glibc. */
const BASE_EXTRA = /^(?:libssl\.so\.3|libcrypto\.so\.3)$/;
/** What distroless/cc adds to base. */
const CC_EXTRA = /^(?:libstdc\+\+\.so\.6|libgcc_s\.so\.1|libgomp\.so\.1)$/;
const LIB_DIR = /^\/(?:usr\/)?(?:local\/)?lib(?:32|64|x32)?\//;

const LANGUAGES: ReadonlyArray<readonly [RegExp, string, string]> = [
  [/^python[0-9.]*$/, 'Python', 'gcr.io/distroless/python3-debian12'],
  [/^(?:node|nodejs)$/, 'Node.js', 'gcr.io/distroless/nodejs22-debian12 (match your Node.js major)'],
  [/^java$/, 'Java', 'gcr.io/distroless/java17-debian12 (match your JDK)'],
];

const SHELLS = /^(?:sh|bash|rbash|dash|ash|zsh|ksh|mksh|fish|busybox)$/;

interface Entry {
  readonly name: string;
  readonly path?: string;
}

/** The program the container really runs: through `sh -c` scripts and init wrappers. */
function entryProgram(ctx: CheckContext): Entry | undefined {
  const cfg = ctx.config;
  if (!cfg) return undefined;
  let argv: readonly string[] = effectiveArgv(cfg);
  for (let hops = 0; hops < 6; hops++) {
    const sf = shellForm(argv);
    if (sf) {
      const inner = scriptCommand(sf.script);
      argv = [inner ?? sf.shell];
      if (inner === undefined) break;
      continue;
    }
    const name = argv[0];
    if (name === undefined || name === '' || !WRAPPERS.has(basename(name))) break;
    // `tini -s -- prog`, `gosu user prog`: skip the wrapper's flags, `--` and a gosu-like's user.
    let i = 1;
    while (argv[i]?.startsWith('-')) if (argv[i++] === '--') break;
    if (/^(?:gosu|su-exec|runuser)$/.test(basename(name))) i++;
    argv = argv.slice(i);
  }
  const name = argv[0];
  if (name === undefined || name === '') return undefined;
  const r = resolveCommand(ctx, name);
  return { name, ...(r.path !== undefined ? { path: r.path } : {}) };
}

/** Paths of the needed libraries in the image, by name. */
function libraryPaths(ctx: CheckContext, names: readonly string[]): Map<string, string> {
  const wanted = new Set(names);
  const out = new Map<string, string>();
  for (const { rec } of ctx.entries) {
    if (!LIB_DIR.test(rec.p)) continue;
    const base = rec.p.slice(rec.p.lastIndexOf('/') + 1);
    if (wanted.has(base) && !out.has(base)) out.set(base, ctx.view.resolve(rec.p) ?? rec.p);
  }
  return out;
}

function totalBytes(ctx: CheckContext, pkgs: readonly Package[]): number {
  return pkgs.reduce((s, p) => s + packageBytes(ctx, p).bytes, 0);
}

const TOOL_WORDS: ReadonlyArray<readonly [string, string]> = [
  ['shell', 'shells'],
  ['package-manager', 'package managers'],
  ['compiler', 'compilers'],
  ['debugger', 'debuggers'],
  ['network-tool', 'network tools'],
  ['ssh-server', 'SSH servers'],
];

/** `bash, dash (shells) and apt, dpkg (package managers)`, from the tools found. */
function surfaceNames(ctx: CheckContext): string {
  const parts = TOOL_WORDS.map(([c, what]) => {
    const names = [...new Set(ctx.tools.filter((t) => t.category === c).map((t) => basename(t.target)))];
    return names.length > 0 ? `${listed(names, 4)} (${what})` : '';
  }).filter((p) => p !== '');
  return parts.length <= 1
    ? (parts[0] ?? '')
    : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

function removes(ctx: CheckContext, kept: ReadonlySet<Package>): string {
  const all = ctx.osPackages;
  const gone = all.filter((p) => !kept.has(p));
  return `removes ${gone.length} of ${all.length} packages (${mib(totalBytes(ctx, gone))})`;
}

function generic(ctx: CheckContext, what: string): string | undefined {
  const n = ctx.osPackages.length;
  const names = surfaceNames(ctx);
  if (n === 0 && names === '') return undefined;
  const drop = [
    ...(n > 0 ? [`the ${n} OS packages (${mib(totalBytes(ctx, ctx.osPackages))})`] : []),
    ...(names !== '' ? [`with them ${names}`] : []),
  ].join(', ');
  return `${what}: a multi-stage build that copies only the application and the files it needs onto a distroless base drops ${drop}`;
}

/** The distroless base that carries the libraries a binary needs, and what it would still lack. */
export function distrolessFor(needed: readonly string[]): { image: string; what: string; extra: string[] } {
  if (needed.every((n) => GLIBC.test(n)))
    return { image: 'gcr.io/distroless/base-debian12', what: 'only libc', extra: [] };
  if (needed.every((n) => GLIBC.test(n) || BASE_EXTRA.test(n))) {
    return { image: 'gcr.io/distroless/base-debian12', what: 'only libc and OpenSSL', extra: [] };
  }
  const extra = needed.filter((n) => !GLIBC.test(n) && !BASE_EXTRA.test(n) && !CC_EXTRA.test(n));
  return { image: 'gcr.io/distroless/cc-debian12', what: 'libc and the C++ runtime', extra };
}

/** The suggestion, or undefined for an image with nothing to remove. */
export function suggest(ctx: CheckContext): string | undefined {
  const entry = entryProgram(ctx);
  if (!entry) return generic(ctx, 'the image sets no ENTRYPOINT or CMD');
  const shown = entry.path ?? entry.name;
  // A shell as the command is a general-purpose image (debian, ubuntu): there is no application to keep.
  if (SHELLS.test(basename(shown))) {
    return generic(ctx, `the image's command is a shell (${shown}), not an application`);
  }
  const lang = LANGUAGES.find(([re]) => re.test(basename(shown)));
  if (lang) {
    const names = surfaceNames(ctx);
    return `the entrypoint runs ${lang[1]} (${shown}): ${lang[2]} carries the runtime without a shell or package manager${names !== '' ? `, dropping ${names}` : ''} and most of the ${ctx.osPackages.length} OS packages (${mib(totalBytes(ctx, ctx.osPackages))})`;
  }
  const elf = entry.path !== undefined ? ctx.elf.get(entry.path) : undefined;
  if (!elf) return generic(ctx, `the entrypoint ${shown} is a script or a binary mamori could not read`);
  const nothing = new Set<Package>();
  if (elf.interpreter === undefined && elf.needed.length === 0) {
    const names = surfaceNames(ctx);
    if (ctx.osPackages.length === 0) {
      return names === ''
        ? undefined
        : `the entrypoint ${shown} is a static binary: on scratch or gcr.io/distroless/static-debian12 the image would not carry ${names}`;
    }
    return `the entrypoint ${shown} is a static binary: a scratch or gcr.io/distroless/static-debian12 base ${removes(ctx, nothing)}${names !== '' ? `, and with them ${names}` : ''}`;
  }
  if (elf.interpreter !== undefined && /ld-musl/.test(elf.interpreter)) {
    return `the entrypoint ${shown} is linked against musl (${elf.interpreter}): built static (CGO_ENABLED=0 or -static) it runs on scratch or gcr.io/distroless/static-debian12, which ${removes(ctx, nothing)}`;
  }
  const paths = libraryPaths(ctx, elf.needed);
  const kept = new Set<Package>();
  for (const p of [...paths.values(), ...(elf.interpreter !== undefined ? [elf.interpreter] : [])]) {
    const owner = ownerOf(ctx, p);
    if (owner) kept.add(owner);
  }
  const libOwners = [...kept].map((p) => p.name);
  const self = ownerOf(ctx, shown);
  if (self) kept.add(self);
  const libs = listed(elf.needed, 6);
  const from = libOwners.length > 0 ? ` from ${listed(libOwners, 6)}` : '';
  const base = distrolessFor(elf.needed);
  if (base.extra.length === 0) {
    return `the entrypoint ${shown} needs ${base.what} (${libs}${from}): ${base.image} ${removes(ctx, kept)}`;
  }
  return `the entrypoint ${shown} needs ${listed(base.extra, 6)} beside libc${from}: copied from a build stage onto ${base.image} with those libraries, the image ${removes(ctx, kept)}`;
}
