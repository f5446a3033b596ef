import { Minimatch } from 'minimatch';

/**
 * Paths never scanned unless `defaultSkips: false`: files that hold no
 * secrets of the image's owner but plenty of look-alikes (documentation
 * examples, translations, upstream test vectors shipped by distributions).
 */
export const DEFAULT_SKIP_PATHS: readonly string[] = Object.freeze([
  // Documentation: examples of credential files and changelogs quoting keys.
  '/usr/share/doc/**',
  '/usr/share/man/**',
  '/usr/share/info/**',
  '/usr/share/help/**',
  '/usr/share/gtk-doc/**',
  '/usr/share/common-licenses/**',
  // Translations and locale data.
  '**/*.mo',
  '**/*.gmo',
  '/usr/share/locale/**',
  '/usr/share/i18n/**',
  '/usr/lib/locale/**',
  '/usr/share/zoneinfo/**',
  // Public certificates (never private keys) and their bundles.
  '/etc/ssl/certs/**',
  '/usr/share/ca-certificates/**',
  '/etc/pki/ca-trust/extracted/**',
  // Package metadata: the README of a Python distribution, with its examples.
  '**/*.dist-info/METADATA',
  '**/*.egg-info/PKG-INFO',
  '**/node_modules/**/*.md',
  // Shared libraries of distribution packages (GnuTLS and OpenSSL embed public self-test keys).
  '/usr/lib/*-linux-gnu*/**',
  '/lib/*-linux-gnu*/**',
  '/usr/lib{,64}/**/lib*.so{,.*}',
  '/lib{,64}/**/lib*.so{,.*}',
  // Test suites and toolchain sources shipped by packages, full of test keys and tokens.
  '**/testdata/**',
  '/usr/lib/python3*/test/**',
  '/usr/lib/python2*/test/**',
  '/usr/local/lib/python3*/test/**',
  '**/{site,dist}-packages/**/{test,tests}/**',
  '**/node_modules/**/{test,tests,__tests__}/**',
  // The standard libraries of language runtimes, as the distribution or the
  // runtime's own installer puts them (Debian's perl-modules and libpython3.x-stdlib,
  // Alpine's core_perl, the python images' /usr/local/lib/python3.x):
  // upstream code and test keys, never the image owner's. Installed packages
  // in their site-packages are scanned (DEFAULT_SCANNED_PATHS).
  '/usr/share/perl/**',
  '/usr/share/perl5/core_perl/**',
  '/usr/lib/perl5/core_perl/**',
  '/usr/lib/python3.*/**',
  '/usr/local/lib/python3.*/**',
  '/usr/lib/go-*/src/**',
  '/usr/share/go-*/src/**',
  '/usr/local/go/src/**',
  '/usr/share/gocode/**',
]);

/** Paths scanned even where a default skip above covers them: packages installed into a runtime's tree. */
export const DEFAULT_SCANNED_PATHS: readonly string[] = Object.freeze([
  '/usr/lib/python3.*/site-packages/**',
  '/usr/local/lib/python3.*/site-packages/**',
]);

const GLOB_OPTIONS = { dot: true, nocomment: true, nonegate: true, noext: true } as const;

/**
 * Compiles globs (`*`, `**`, `?`, `[…]`, `{a,b}`; no negation or extglobs) to
 * one predicate over absolute paths; dot files match. A glob without a
 * leading `/` or `**` is taken from the root. Each glob's literal prefix,
 * suffix and longest inner literal are checked first, so most paths never
 * reach the glob matcher.
 */
export function globMatcher(globs: readonly string[]): (path: string) => boolean {
  if (globs.length === 0) return () => false;
  const compiled = globs.map((g) => {
    const p = g.startsWith('/') || g.startsWith('**') ? g : `/${g}`;
    const mm = new Minimatch(p, GLOB_OPTIONS);
    if (mm.set.length === 0 || p.includes('\0')) throw new RangeError(`invalid glob "${g}"`);
    const first = p.search(/[*?[{\\]/);
    const last = Math.max(...['*', '?', ']', '}'].map((c) => p.lastIndexOf(c)));
    // The longest literal run between wildcards (`/testdata/` of `**/testdata/**`): a path without it cannot match.
    const inner = p.includes('\\')
      ? ''
      : p
          .split(/\*+|\?|\[[^\]]*\]|\{[^}]*\}/)
          .reduce((a, b) => (b.length > a.length ? b : a), '')
          // `a/**` also matches `a` itself: the slashes next to a wildcard are not required.
          .replace(/^\/+|\/+$/g, '');
    return {
      mm,
      prefix: first === -1 ? p : p.slice(0, first),
      suffix: first === -1 || p.includes('\\') ? '' : p.slice(last + 1),
      inner,
    };
  });
  return (path) =>
    compiled.some(
      (c) =>
        path.startsWith(c.prefix) && path.endsWith(c.suffix) && path.includes(c.inner) && c.mm.match(path),
    );
}

/** Bytes looked at to decide that a file is binary. */
export const BINARY_SNIFF_BYTES = 8192;

/** A file is binary when its first 8 KiB hold a NUL byte. */
export function looksBinary(head: Uint8Array): boolean {
  return head.subarray(0, BINARY_SNIFF_BYTES).indexOf(0) !== -1;
}
