/**
 * Reads a stream of Kubernetes manifests: multi-document YAML (as `kubectl`,
 * Helm and kustomize print it) or JSON, with `kind: List` flattened into its
 * items. Alias expansion, document count and input size are bounded.
 */
import { parseAllDocuments } from 'yaml';
import { MamoriError } from '../../core/errors.js';
import { isObject } from './json.js';
import type { JsonObject } from './json.js';

export interface ManifestLimits {
  /** Characters of the whole stream. */
  readonly maxBytes: number;
  readonly maxDocuments: number;
  /** Alias nodes a document may resolve (guards against "billion laughs"). */
  readonly maxAliasCount: number;
  /** Items of all `kind: List` objects together. */
  readonly maxItems: number;
}

export const DEFAULT_MANIFEST_LIMITS: ManifestLimits = Object.freeze({
  maxBytes: 16 * 1024 * 1024,
  maxDocuments: 10_000,
  maxAliasCount: 100,
  maxItems: 10_000,
});

export interface Manifest {
  readonly object: JsonObject;
  /** 0-based index of the document in the stream. */
  readonly document: number;
  /** Index in the `items` of a `kind: List`, when the object came from one. */
  readonly item?: number;
}

export interface ManifestsResult {
  readonly manifests: Manifest[];
  /** Documents that could not be read, each naming its document number. */
  readonly errors: string[];
}

/**
 * Parses every document of `text`. A document that is not valid YAML, not an
 * object, or expands too many aliases is reported in `errors` and skipped;
 * empty documents are skipped silently. Throws MamoriError (LIMIT_EXCEEDED)
 * only when the stream as a whole is over the size or document limit.
 */
export function readManifests(
  text: string,
  limits: ManifestLimits = DEFAULT_MANIFEST_LIMITS,
): ManifestsResult {
  if (typeof text !== 'string') throw new MamoriError('INVALID_ARGUMENT', 'manifests: input must be text');
  if (text.length > limits.maxBytes) {
    throw new MamoriError('LIMIT_EXCEEDED', `manifests: input larger than ${limits.maxBytes} characters`);
  }
  const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: false, strict: true });
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.length > limits.maxDocuments) {
    throw new MamoriError('LIMIT_EXCEEDED', `manifests: more than ${limits.maxDocuments} documents`);
  }
  const manifests: Manifest[] = [];
  const errors: string[] = [];
  let items = 0;
  list.forEach((doc, document) => {
    const first = doc.errors[0];
    if (first) {
      errors.push(`document ${document}: ${first.message.split('\n')[0] ?? 'invalid YAML'}`);
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
    } catch (e) {
      errors.push(
        `document ${document}: ${e instanceof Error ? e.message.split('\n')[0] : 'cannot be read'}`,
      );
      return;
    }
    if (value === null || value === undefined) return;
    if (!isObject(value)) {
      errors.push(`document ${document}: must be an object`);
      return;
    }
    if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
      value.items.forEach((it: unknown, item) => {
        if (++items > limits.maxItems) {
          if (items === limits.maxItems + 1)
            errors.push(`document ${document}: more than ${limits.maxItems} list items`);
          return;
        }
        if (isObject(it)) manifests.push({ object: it, document, item });
        else errors.push(`document ${document} item ${item}: must be an object`);
      });
      return;
    }
    manifests.push({ object: value, document });
  });
  return { manifests, errors };
}
