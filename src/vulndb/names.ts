/**
 * How package names are compared per ecosystem, the Debian release codenames
 * and where the database lives by default. Pure functions.
 */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** The ecosystem without its release suffix: `Debian:12` → `Debian`, `Ubuntu:22.04:LTS` → `Ubuntu`. */
export function ecosystemBase(ecosystem: string): string {
  const i = ecosystem.indexOf(':');
  return i < 0 ? ecosystem : ecosystem.slice(0, i);
}

/**
 * The key a package name is stored and looked up under. PyPI names are
 * normalised per PEP 503 (lower case, runs of `-`, `_`, `.` as one `-`);
 * NuGet and Packagist names are case-insensitive and compared in lower case;
 * every other ecosystem (Go module paths, npm, Maven `group:artifact`,
 * crates.io, RubyGems, distro source packages) compares names exactly.
 */
export function packageKey(ecosystem: string, name: string): string {
  switch (ecosystemBase(ecosystem)) {
    case 'PyPI':
      return name.toLowerCase().replace(/[-_.]+/g, '-');
    case 'NuGet':
    case 'Packagist':
      return name.toLowerCase();
    default:
      return name;
  }
}

/** Debian release codenames to the release names OSV uses in `Debian:<release>`. */
export const DEBIAN_RELEASES: Readonly<Record<string, string>> = Object.freeze({
  wheezy: '7',
  jessie: '8',
  stretch: '9',
  buster: '10',
  bullseye: '11',
  bookworm: '12',
  trixie: '13',
  forky: '14',
  duke: '15',
  sid: 'unstable',
});

/**
 * The default database path: `$MAMORI_DB`, else `$XDG_DATA_HOME/mamori/vuln.db`,
 * else `~/.local/share/mamori/vuln.db` (relative XDG paths are ignored, as
 * the XDG spec requires).
 */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  if (env.MAMORI_DB) return env.MAMORI_DB;
  const xdg = env.XDG_DATA_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(home, '.local', 'share');
  return join(base, 'mamori', 'vuln.db');
}
