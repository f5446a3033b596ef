/**
 * Bounds on what an SBOM file may make mamori hold, and the one check every
 * string read from it passes through. A string with a control character (a
 * terminal escape, a NUL, a line break inside a name) or longer than its
 * bound is treated as absent: a component whose name, version or package URL
 * is dropped that way is left out with a warning.
 */

/** Largest SBOM file read unless the caller says otherwise. */
export const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;
/** Largest single JSON value kept whole: one component with its nested components, the metadata. */
export const MAX_PIECE_BYTES = 64 * 1024 * 1024;
/** Deepest JSON nesting accepted anywhere in the document. */
export const MAX_DEPTH = 96;
/** Components (nested ones included) or SPDX packages read from one document. */
export const MAX_COMPONENTS = 1_000_000;
/** SPDX relationships kept (the ones that can name an owner or the document's subject). */
export const MAX_RELATIONSHIPS = 2_000_000;
/** Properties, occurrences and licences kept per component. */
export const MAX_PROPERTIES = 512;
export const MAX_LOCATIONS = 64;
export const MAX_LICENSES = 32;
/** Layers read from the subject's properties. */
export const MAX_LAYERS = 1024;

export const MAX_NAME = 1024;
export const MAX_VERSION = 1024;
export const MAX_PURL = 4096;
export const MAX_TEXT = 4096;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** `v` when it is a non-empty string of at most `max` characters without control characters. */
export function clean(v: unknown, max = MAX_TEXT): string | undefined {
  if (typeof v !== 'string' || v.length === 0 || v.length > max || CONTROL.test(v)) return undefined;
  return v;
}

/** Whether `v` is a string that `clean` refuses only for its control characters. */
export function hasControl(v: unknown): boolean {
  return typeof v === 'string' && CONTROL.test(v);
}

/** Printable excerpt of an untrusted value for a warning: control characters replaced, length bounded. */
export function excerpt(v: unknown, max = 80): string {
  const s = typeof v === 'string' ? v : String(v);
  // eslint-disable-next-line no-control-regex
  const safe = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return JSON.stringify(safe.length > max ? `${safe.slice(0, max)}…` : safe);
}

/** An own property of a parsed JSON object (never one inherited from Object.prototype). */
export function own(obj: unknown, key: string): unknown {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return undefined;
  return Object.hasOwn(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
