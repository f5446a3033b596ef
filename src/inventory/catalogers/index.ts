/**
 * Every cataloger mamori has, in one explicit typed table (no side-effect
 * registration). A test checks that the table and the folders on disk agree.
 */
import { MamoriError } from '../../core/index.js';
import type { Cataloger, CatalogerTag } from '../cataloger.js';
import { apkCataloger } from './apk/index.js';
import { composerInstalledCataloger, composerLockCataloger } from './composer/index.js';
import { dotnetDepsCataloger } from './dotnet/index.js';
import { dpkgCataloger } from './dpkg/index.js';
import { gemLockCataloger, gemSpecCataloger } from './gem/index.js';
import { goBinaryCataloger } from './go/index.js';
import { javaArchiveCataloger } from './java/index.js';
import { npmLockCataloger, npmPackageCataloger } from './npm/index.js';
import { pythonLockCataloger, pythonPackageCataloger } from './python/index.js';
import { rpmCataloger } from './rpm/index.js';
import { rustAuditCataloger } from './rust/index.js';

/** Catalogers by the folder that holds them. */
export const CATALOGER_MODULES: Readonly<Record<string, readonly Cataloger[]>> = Object.freeze({
  apk: [apkCataloger],
  composer: [composerInstalledCataloger, composerLockCataloger],
  dotnet: [dotnetDepsCataloger],
  dpkg: [dpkgCataloger],
  gem: [gemSpecCataloger, gemLockCataloger],
  go: [goBinaryCataloger],
  java: [javaArchiveCataloger],
  npm: [npmPackageCataloger, npmLockCataloger],
  python: [pythonPackageCataloger, pythonLockCataloger],
  rpm: [rpmCataloger],
  rust: [rustAuditCataloger],
} as Record<string, readonly Cataloger[]>);

export const ALL_CATALOGERS: readonly Cataloger[] = Object.freeze(Object.values(CATALOGER_MODULES).flat());

/**
 * Selects catalogers, Syft-style: by default those tagged for the kind of
 * target (`image` for images and root filesystems, `directory` for source
 * trees); then each expression adds (`+name`, `+tag`), removes (`-name`,
 * `-tag`) or, without a sign, replaces the default with the named ones.
 */
export function selectCatalogers(
  expressions: readonly string[] = [],
  target: 'image' | 'directory' = 'image',
): Cataloger[] {
  const byName = new Map(ALL_CATALOGERS.map((c) => [c.name, c]));
  const tags = new Set<string>(ALL_CATALOGERS.flatMap((c) => c.tags as readonly CatalogerTag[]));
  const match = (word: string): Cataloger[] => {
    const c = byName.get(word);
    if (c) return [c];
    if (tags.has(word)) return ALL_CATALOGERS.filter((x) => (x.tags as readonly string[]).includes(word));
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `unknown cataloger or tag "${word}" (catalogers: ${[...byName.keys()].join(', ')}; tags: ${[...tags].join(', ')})`,
    );
  };
  const words = expressions
    .flatMap((e) => e.split(','))
    .map((w) => w.trim())
    .filter(Boolean);
  const plain = words.filter((w) => !w.startsWith('+') && !w.startsWith('-'));
  let chosen = new Set<Cataloger>(
    plain.length > 0
      ? plain.flatMap(match)
      : ALL_CATALOGERS.filter((c) => (c.tags as readonly string[]).includes(target)),
  );
  for (const w of words) {
    if (w.startsWith('+')) for (const c of match(w.slice(1))) chosen.add(c);
    else if (w.startsWith('-')) for (const c of match(w.slice(1))) chosen.delete(c);
  }
  chosen = new Set(ALL_CATALOGERS.filter((c) => chosen.has(c)));
  return [...chosen];
}
