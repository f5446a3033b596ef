/**
 * Repository names, tags and manifest references (distribution-spec spec.md
 * "Pulling manifests"), and the referrers tag schema ("Referrers Tag Schema").
 * Each grammar has a `check*` function returning why a value is invalid (or
 * undefined) and a `parse*` function throwing the spec's error code.
 */
import { checkDigest, parseDigest } from './digest.js';
import { RegistryError } from './errors.js';
import type { Digest, DigestAlgorithm } from './types.js';

/**
 * Longest repository name accepted. The spec's implementers note asks
 * registries to keep `host[:port]/name` within 255 characters for clients
 * that limit it; the registry cannot know every host name clients reach it
 * by, so it enforces 255 on the name itself, as CNCF Distribution does
 * (reference.NameTotalLengthMax).
 */
export const MAX_REPOSITORY_NAME_LENGTH = 255;
/** Longest tag: the spec's tag grammar allows 128 characters. */
export const MAX_TAG_LENGTH = 128;

/** The spec's `<name>` grammar, anchored. */
export const REPOSITORY_NAME_PATTERN =
  /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const COMPONENT_PATTERN = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
/** The spec's tag grammar, anchored. */
export const TAG_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

function shown(v: string): string {
  return JSON.stringify(v.length > 64 ? `${v.slice(0, 64)}…` : v);
}

function componentProblem(c: string, index: number): string {
  const where = `path component ${index + 1} (${shown(c)})`;
  if (c === '.' || c === '..') return `${where} is a relative path segment, which is not allowed`;
  const bad = /[^a-z0-9._-]/.exec(c);
  if (bad)
    return `${where} contains the character ${JSON.stringify(bad[0])}, not allowed in repository names`;
  if (!/^[a-z0-9]/.test(c) || !/[a-z0-9]$/.test(c)) {
    return `${where} must start and end with a lowercase letter or digit`;
  }
  return `${where} repeats separators: between letters and digits only ".", "_", "__" or a run of "-" may appear`;
}

/** Why `name` is not a valid repository name, or undefined when it is one. */
export function checkRepositoryName(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'repository name must be a string';
  if (name.length === 0) return 'repository name is empty';
  if (name.length > MAX_REPOSITORY_NAME_LENGTH) {
    return `repository name is ${name.length} characters long, longer than the limit of ${MAX_REPOSITORY_NAME_LENGTH}`;
  }
  if (REPOSITORY_NAME_PATTERN.test(name)) return undefined;
  if (/[A-Z]/.test(name)) return 'repository name must be lowercase';
  const components = name.split('/');
  for (const [i, c] of components.entries()) {
    if (c.length === 0) {
      if (i === 0) return 'repository name must not start with "/"';
      if (i === components.length - 1) return 'repository name must not end with "/"';
      return `repository name has an empty path component ("//") after component ${i}`;
    }
    if (!COMPONENT_PATTERN.test(c)) return componentProblem(c, i);
  }
  return 'repository name does not match the repository name grammar';
}

export function isRepositoryName(name: unknown): name is string {
  return checkRepositoryName(name) === undefined;
}

/** Returns `name` when valid; throws RegistryError NAME_INVALID (400) with the reason otherwise. */
export function parseRepositoryName(name: unknown): string {
  const reason = checkRepositoryName(name);
  if (reason !== undefined || typeof name !== 'string') {
    throw new RegistryError('NAME_INVALID', reason ?? 'invalid repository name', {
      detail: {
        name: typeof name === 'string' ? name.slice(0, 2 * MAX_REPOSITORY_NAME_LENGTH) : null,
        reason,
      },
    });
  }
  return name;
}

/** Why `tag` is not a valid tag, or undefined when it is one. */
export function checkTag(tag: unknown): string | undefined {
  if (typeof tag !== 'string') return 'tag must be a string';
  if (tag.length === 0) return 'tag is empty';
  if (tag.length > MAX_TAG_LENGTH) {
    return `tag is ${tag.length} characters long, longer than the limit of ${MAX_TAG_LENGTH}`;
  }
  if (TAG_PATTERN.test(tag)) return undefined;
  const bad = /[^a-zA-Z0-9._-]/.exec(tag);
  if (bad) return `tag ${shown(tag)} contains the character ${JSON.stringify(bad[0])}, not allowed in tags`;
  return `tag ${shown(tag)} must start with a letter, a digit or "_"`;
}

export function isTag(tag: unknown): tag is string {
  return checkTag(tag) === undefined;
}

/** A manifest reference: the `<tag-or-digest>` of `/v2/<name>/manifests/<tag-or-digest>`. */
export type Reference =
  | { readonly kind: 'tag'; readonly tag: string }
  | {
      readonly kind: 'digest';
      readonly digest: Digest;
      readonly algorithm: DigestAlgorithm;
      readonly encoded: string;
    };

/**
 * Why `ref` is neither a tag nor a supported digest, or undefined. A tag can
 * never contain ":", so a reference with one is read as a digest.
 */
export function checkReference(ref: unknown): string | undefined {
  if (typeof ref !== 'string') return 'reference must be a string';
  return ref.includes(':') ? checkDigest(ref) : checkTag(ref);
}

/**
 * Parses a tag or digest. An invalid digest throws DIGEST_INVALID (400); an
 * invalid tag throws MANIFEST_INVALID (400), the spec having no tag code.
 */
export function parseReference(ref: unknown): Reference {
  if (typeof ref === 'string' && ref.includes(':')) {
    const d = parseDigest(ref);
    return { kind: 'digest', digest: d.digest, algorithm: d.algorithm, encoded: d.encoded };
  }
  const reason = checkTag(ref);
  if (reason !== undefined || typeof ref !== 'string') {
    throw new RegistryError('MANIFEST_INVALID', reason ?? 'invalid tag', {
      detail: { reference: typeof ref === 'string' ? ref.slice(0, 2 * MAX_TAG_LENGTH) : null, reason },
    });
  }
  return { kind: 'tag', tag: ref };
}

const GENERAL_DIGEST = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;

/**
 * The referrers tag for a subject digest (spec.md "Referrers Tag Schema"):
 * the algorithm cut to 32 characters, "-", the encoded part cut to 64, with
 * every character a tag may not hold replaced by "-". Any digest of the
 * image-spec grammar is accepted, since the tag names content the registry
 * may not verify. Throws DIGEST_INVALID for anything else.
 */
export function referrersTag(digest: string): string {
  const m = GENERAL_DIGEST.exec(digest.length <= 1024 ? digest : '');
  if (!m || m[1] === undefined || m[2] === undefined) {
    throw new RegistryError('DIGEST_INVALID', `${shown(digest)} does not match the digest grammar`, {
      status: 400,
    });
  }
  const tag = `${m[1].slice(0, 32)}-${m[2].slice(0, 64)}`;
  return tag.replace(/[^a-zA-Z0-9._-]/g, '-');
}

/** The first path segment of a repository name: its project (Harbor's model). */
export function projectOfRepository(name: string): string {
  const slash = name.indexOf('/');
  return slash === -1 ? name : name.slice(0, slash);
}
