import { MamoriError } from '../core/index.js';

/** An image reference in skopeo's transport syntax. */
export type ImageReference =
  | { readonly transport: 'oci'; readonly path: string; readonly tag?: string; readonly digest?: string }
  | { readonly transport: 'oci-archive'; readonly path: string; readonly tag?: string }
  | { readonly transport: 'docker-archive'; readonly path: string; readonly tag?: string }
  | { readonly transport: 'dir'; readonly path: string }
  | { readonly transport: 'docker'; readonly reference: string };

export const DIGEST_RE = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export function isDigest(s: string): boolean {
  return DIGEST_RE.test(s);
}

const TRANSPORTS = ['oci', 'oci-archive', 'docker-archive', 'dir', 'docker'] as const;

function requirePath(transport: string, path: string, input: string): string {
  if (path.length === 0) {
    throw new MamoriError('INVALID_REFERENCE', `"${input}": ${transport}: needs a path`);
  }
  return path;
}

/**
 * Parses `oci:DIR[:TAG|@DIGEST]`, `oci-archive:FILE[:TAG]`,
 * `docker-archive:FILE[:NAME:TAG]`, `dir:ROOTFS`, `docker://HOST/REPO:TAG|@DIGEST`
 * and bare `HOST/REPO:TAG` (a registry reference).
 */
export function parseReference(input: string): ImageReference {
  const s = input.trim();
  if (s.length === 0) throw new MamoriError('INVALID_REFERENCE', 'empty image reference');
  if (s.length > 4096)
    throw new MamoriError('INVALID_REFERENCE', 'image reference is longer than 4096 characters');
  if (s.startsWith('docker://')) {
    const reference = s.slice('docker://'.length);
    if (!reference) throw new MamoriError('INVALID_REFERENCE', `"${input}": docker: needs HOST/REPO[:TAG]`);
    return { transport: 'docker', reference };
  }
  const colon = s.indexOf(':');
  const head = colon === -1 ? '' : s.slice(0, colon);
  if (!(TRANSPORTS as readonly string[]).includes(head)) {
    // `word:/path` looks like a transport we do not know; anything else is a bare registry reference.
    if (/^[a-z-]+$/.test(head) && /^[/.]/.test(s.slice(colon + 1))) {
      throw new MamoriError(
        'UNSUPPORTED_TRANSPORT',
        `"${input}": unknown transport "${head}" (use oci:, oci-archive:, docker-archive:, dir: or docker://)`,
      );
    }
    return { transport: 'docker', reference: s };
  }
  const rest = s.slice(colon + 1);
  switch (head) {
    case 'oci': {
      const at = rest.indexOf('@');
      if (at !== -1) {
        const digest = rest.slice(at + 1);
        if (!isDigest(digest))
          throw new MamoriError('INVALID_REFERENCE', `"${input}": invalid digest "${digest}"`);
        return { transport: 'oci', path: requirePath(head, rest.slice(0, at), input), digest };
      }
      const c = rest.indexOf(':');
      if (c === -1) return { transport: 'oci', path: requirePath(head, rest, input) };
      const tag = rest.slice(c + 1);
      return { transport: 'oci', path: requirePath(head, rest.slice(0, c), input), ...(tag ? { tag } : {}) };
    }
    case 'oci-archive':
    case 'docker-archive': {
      const c = rest.indexOf(':');
      if (c === -1) return { transport: head, path: requirePath(head, rest, input) };
      const tag = rest.slice(c + 1);
      return { transport: head, path: requirePath(head, rest.slice(0, c), input), ...(tag ? { tag } : {}) };
    }
    case 'dir':
      return { transport: 'dir', path: requirePath(head, rest, input) };
    default:
      return { transport: 'docker', reference: rest.replace(/^\/\//, '') };
  }
}

/** Formats a reference back to its canonical string form. */
export function formatReference(ref: ImageReference): string {
  switch (ref.transport) {
    case 'oci':
      return `oci:${ref.path}${ref.digest ? `@${ref.digest}` : ref.tag ? `:${ref.tag}` : ''}`;
    case 'oci-archive':
    case 'docker-archive':
      return `${ref.transport}:${ref.path}${ref.tag ? `:${ref.tag}` : ''}`;
    case 'dir':
      return `dir:${ref.path}`;
    case 'docker':
      return `docker://${ref.reference}`;
  }
}
