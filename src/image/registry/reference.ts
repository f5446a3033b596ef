/**
 * Docker image references (`HOST/REPO:TAG`, `REPO@DIGEST`), parsed and
 * normalised the way the Docker CLI and containers/image do, and validated
 * with the distribution reference grammar.
 */
import { MamoriError } from '../../core/index.js';

export interface DockerReference {
  /** Registry name as users write it (`docker.io`, `ghcr.io`, `localhost:5000`). */
  readonly registry: string;
  /** Repository path inside the registry (`library/alpine`). */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

export const DOCKER_HUB = 'docker.io';
/** Host that serves the registry API for Docker Hub. */
export const DOCKER_HUB_ENDPOINT = 'registry-1.docker.io';
const DEFAULT_TAG = 'latest';
const NAME_TOTAL_LENGTH_MAX = 255;

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_RE = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+(?:%[0-9A-Za-z._~-]+)?\\])(?::[0-9]{1,5})?$`,
);
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const HEX64_RE = /^[a-f0-9]{64}$/;
const DIGEST_SYNTAX_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

function invalid(input: string, why: string): MamoriError {
  return new MamoriError('INVALID_REFERENCE', `invalid image reference ${JSON.stringify(input)}: ${why}`);
}

/** True when `s` is a digest mamori can verify (`sha256:` + 64 lowercase hex, or sha384/sha512). */
export function isValidDigest(s: string): boolean {
  return digestProblem(s) === undefined;
}

/** True when `s` is a valid tag. */
export function isValidTag(s: string): boolean {
  return TAG_RE.test(s);
}

function digestProblem(s: string): string | undefined {
  if (!DIGEST_SYNTAX_RE.test(s)) return 'a digest is ALGORITHM:HEX (e.g. sha256:…)';
  const colon = s.indexOf(':');
  const algo = s.slice(0, colon);
  const hex = s.slice(colon + 1);
  const want = DIGEST_HEX_LENGTH[algo];
  if (want === undefined) return `unsupported digest algorithm "${algo}" (sha256, sha384 or sha512)`;
  if (hex.length !== want || !/^[a-f0-9]+$/.test(hex)) {
    return `a ${algo} digest has exactly ${want} lowercase hex digits`;
  }
  return undefined;
}

function splitDomain(name: string): { registry: string; remainder: string } {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  let registry: string;
  let remainder: string;
  if (slash === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    registry = DOCKER_HUB;
    remainder = name;
  } else {
    registry = first;
    remainder = name.slice(slash + 1);
  }
  if (registry === 'index.docker.io') registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !remainder.includes('/')) remainder = `library/${remainder}`;
  return { registry, remainder };
}

/**
 * Parses `HOST/REPO[:TAG][@DIGEST]` (without the `docker://` prefix) with
 * Docker's normalisation: no host means `docker.io`, one-segment Docker Hub
 * names get `library/`, and a reference with neither tag nor digest gets
 * `latest`. Throws MamoriError INVALID_REFERENCE with the reason otherwise.
 */
export function parseDockerReference(input: string): DockerReference {
  if (typeof input !== 'string' || input.length === 0) throw invalid(String(input), 'empty reference');
  if (input.length > 4096) throw invalid(input.slice(0, 64) + '…', 'reference is too long');
  if (input.startsWith('docker://')) input = input.slice('docker://'.length);
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(input)) throw invalid(input, 'contains whitespace or control characters');

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    const problem = digestProblem(digest);
    if (problem !== undefined) throw invalid(input, problem);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon !== -1) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) {
      throw invalid(input, `tag "${tag}" must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`);
    }
  }
  if (rest.length === 0) throw invalid(input, 'repository name is empty');
  if (rest.length > NAME_TOTAL_LENGTH_MAX) {
    throw invalid(input, `repository name is longer than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  if (HEX64_RE.test(rest)) {
    throw invalid(input, 'a 64-character hexadecimal string is an image ID, not a repository name');
  }

  const { registry, remainder } = splitDomain(rest);
  if (!DOMAIN_RE.test(registry))
    throw invalid(input, `registry host "${registry}" is not a valid host[:port]`);
  const port = /:(\d+)$/.exec(registry.replace(/^\[.*\]/, ''));
  if (port && Number(port[1]) > 65535) throw invalid(input, `port ${port[1]} is out of range`);
  if (remainder.length === 0) throw invalid(input, 'repository name is empty');
  for (const component of remainder.split('/')) {
    if (component.length === 0) throw invalid(input, 'repository path has an empty component');
    if (component.toLowerCase() !== component) throw invalid(input, 'repository name must be lowercase');
    if (!PATH_COMPONENT_RE.test(component)) {
      throw invalid(
        input,
        `repository path component "${component}" must be lowercase letters and digits separated by ".", "_", "__" or "-"`,
      );
    }
  }
  if (tag === undefined && digest === undefined) tag = DEFAULT_TAG;
  return {
    registry,
    repository: remainder,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/**
 * Checks an already-split registry and repository (as a BlobStore is opened
 * with) against the same grammar; throws INVALID_REFERENCE otherwise.
 */
export function assertValidRepository(registry: string, repository: string): void {
  const name = `${registry}/${repository}`;
  if (!DOMAIN_RE.test(registry))
    throw invalid(name, `registry host "${registry}" is not a valid host[:port]`);
  if (name.length > NAME_TOTAL_LENGTH_MAX + 64) throw invalid(name, 'repository name is too long');
  if (repository.split('/').some((c) => !PATH_COMPONENT_RE.test(c))) {
    throw invalid(
      name,
      'repository path components must be lowercase letters and digits separated by ".", "_", "__" or "-"',
    );
  }
}

/** The canonical string form, `HOST/REPO[:TAG][@DIGEST]`. */
export function formatDockerReference(ref: DockerReference): string {
  let s = `${ref.registry}/${ref.repository}`;
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

/** Host[:port] that serves the registry API for a registry name. */
export function registryEndpoint(registry: string): string {
  return registry === DOCKER_HUB || registry === 'index.docker.io' ? DOCKER_HUB_ENDPOINT : registry;
}
