import { MamoriError } from '../core/index.js';
import type { Descriptor, Platform } from './types.js';

const ARCH: Readonly<Record<string, string>> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
};

/** The platform of this host, in OCI terms (images are Linux images on every host). */
export function hostPlatform(): Platform {
  const architecture = ARCH[process.arch] ?? process.arch;
  return { os: 'linux', architecture, ...(architecture === 'arm' ? { variant: 'v7' } : {}) };
}

/** Parses `OS/ARCH[/VARIANT]`, e.g. `linux/arm64/v8`. */
export function parsePlatform(s: string): Platform {
  const parts = s.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9._-]+$/i.test(p))) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `invalid platform "${s}" (expected OS/ARCH[/VARIANT], e.g. linux/amd64)`,
    );
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return { os, architecture, ...(variant ? { variant } : {}) };
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

function normalVariant(p: Platform): string | undefined {
  if (p.architecture === 'arm64') return p.variant === undefined || p.variant === 'v8' ? 'v8' : p.variant;
  return p.variant;
}

/** Whether a descriptor's platform satisfies the wanted one (variant only compared when wanted). */
export function platformMatches(have: Platform, want: Platform): boolean {
  if (have.os !== want.os || have.architecture !== want.architecture) return false;
  if (want.variant === undefined) return true;
  return normalVariant(have) === normalVariant(want);
}

function isAttestation(d: Descriptor): boolean {
  return (
    d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' ||
    (d.platform?.os === 'unknown' && d.platform.architecture === 'unknown')
  );
}

/** Picks the manifest for `want` from an index; with several candidates the first one listed wins. */
export function selectManifest(manifests: readonly Descriptor[], want: Platform, what: string): Descriptor {
  const candidates = manifests.filter((d) => !isAttestation(d));
  const withPlatform = candidates.filter((d) => d.platform !== undefined);
  if (withPlatform.length === 0 && candidates.length === 1 && candidates[0]) return candidates[0];
  const hit = withPlatform.find((d) => d.platform && platformMatches(d.platform, want));
  if (hit) return hit;
  const offered = withPlatform.map((d) => (d.platform ? formatPlatform(d.platform) : '?')).join(', ');
  throw new MamoriError(
    'NO_MATCHING_PLATFORM',
    `${what}: no manifest for ${formatPlatform(want)}${offered ? ` (the index offers ${offered}; choose one with --platform)` : ''}`,
  );
}
